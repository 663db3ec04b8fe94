"""The citizen pages' chrome in each language a citizen can choose, one YAML file per language.

The questionnaire carries its own text; `survey/translations/<code>.yaml` carries the buttons,
notices and validation messages around it. Adding a language (Ê Đê `rad`, J'rai `jra`, M'Nông
`mng`) is one more file with the keys of `vi.yaml`, plus the language's lines in the
questionnaire. Flask-Babel is not used: it parses locales through CLDR, which has none of the
province's minority languages, so `Locale.parse("rad")` fails.

A province's translators add languages without touching the code: `flask questionnaire
translations import` (survey.publishing.translations) writes `<instance>/translations/<code>.yaml`,
which is read beside the shipped files and wins over a shipped file of the same language. The
running app sees such a file as soon as it is written: the catalogue is rebuilt when the
directory's files change, which costs one directory listing per request.
"""

from __future__ import annotations

import logging
import os
from functools import cache, lru_cache
from pathlib import Path

import yaml
from flask import current_app, g, has_app_context, has_request_context

from survey.config import ConfigError

CHROME_DIR = Path(__file__).parent / "translations"
INSTANCE_SUBDIR = "translations"
DEFAULT_LANGUAGE = "vi"
CATALOGUE_KEY = "survey_chrome"

log = logging.getLogger(__name__)


def instance_chrome_dir() -> Path | None:
    """Where imported translations are written and read: `<instance>/translations`."""
    return Path(current_app.instance_path) / INSTANCE_SUBDIR if has_app_context() else None


def offered() -> dict[str, dict[str, str]]:
    """Every language's chrome strings: the shipped files, then the complete imported ones.

    The imported files are listed once per request (a page asks for its chrome several times).
    """
    if not has_request_context():
        return _current()
    texts = g.get(CATALOGUE_KEY)
    if texts is None:
        texts = _current()
        setattr(g, CATALOGUE_KEY, texts)
    return texts


def _current() -> dict[str, dict[str, str]]:
    directory = instance_chrome_dir()
    stamp = _stamp(directory)
    return _merged(str(directory), stamp) if stamp else catalogue()


def _stamp(directory: Path | None) -> tuple[tuple[str, int, int], ...]:
    """Name, modification time and size of each imported file: changes whenever one is written."""
    if directory is None:
        return ()
    try:
        with os.scandir(directory) as entries:
            return tuple(sorted((entry.name, (status := entry.stat()).st_mtime_ns, status.st_size)
                                for entry in entries if entry.name.endswith(".yaml")))
    except OSError:  # no instance directory yet: nothing imported
        return ()


@lru_cache(maxsize=4)
def _merged(directory: str, stamp: tuple[tuple[str, int, int], ...]) -> dict[str, dict[str, str]]:
    """The shipped catalogue with the complete imported files over it (`stamp` keys the cache)."""
    texts = dict(catalogue())
    expected = set(texts[DEFAULT_LANGUAGE])
    for name, *_ in stamp:
        path = Path(directory) / name
        try:
            strings = _read(path)
        except ConfigError as exc:
            log.warning("translation file left out: %s", exc)
            continue
        if path.stem == DEFAULT_LANGUAGE or set(strings) != expected:
            # A file imported before vi.yaml gained a key is incomplete: its language leaves the
            # switch until it is translated again, and the app still starts.
            log.warning("translation file left out: %s does not carry exactly the keys of vi.yaml", path)
            continue
        texts[path.stem] = strings
    return texts


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """Every shipped language's chrome strings, checked to carry exactly the keys of vi.yaml."""
    texts = {path.stem: _read(path) for path in sorted(CHROME_DIR.glob("*.yaml"))}
    if DEFAULT_LANGUAGE not in texts:
        raise ConfigError(f"{CHROME_DIR / 'vi.yaml'} is missing; the citizen pages need it.")
    expected = set(texts[DEFAULT_LANGUAGE])
    for language, strings in texts.items():
        path = CHROME_DIR / f"{language}.yaml"
        if missing := sorted(expected - set(strings)):
            raise ConfigError(
                f"{path}: missing {', '.join(missing)}. Copy these keys from vi.yaml and translate them."
            )
        if extra := sorted(set(strings) - expected):
            raise ConfigError(f"{path}: unknown keys {', '.join(extra)}. Remove them or add them to vi.yaml.")
    return texts


def _read(path: Path) -> dict[str, str]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot be read as UTF-8 YAML ({exc}).") from None
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise ConfigError(f"{path}: every line must be 'key: text'.")
    return {str(key): value for key, value in data.items()}


def languages(offered_by: tuple[str, ...] | None = None) -> dict[str, str]:
    """Language code → its own name, for the switch; limited to a questionnaire's languages."""
    return {
        code: strings["name"]
        for code, strings in offered().items()
        if offered_by is None or code in offered_by
    }


def chrome(language: str) -> dict[str, str]:
    """Chrome strings for `language`, Vietnamese when it is not offered."""
    texts = offered()
    return texts.get(language, texts[DEFAULT_LANGUAGE])


def pick_language(requested: str | None) -> str:
    """`requested` when chrome exists for it, otherwise Vietnamese."""
    return requested if requested in offered() else DEFAULT_LANGUAGE
