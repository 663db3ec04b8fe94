"""The citizen pages' chrome in each language a citizen can choose, one YAML file per language.

The questionnaire carries its own text; `survey/translations/<code>.yaml` carries the buttons,
notices and validation messages around it. Adding a language (Ê Đê `rad`, J'rai `jra`, M'Nông
`mng`) is one more file with the keys of `vi.yaml`, plus the language's lines in the
questionnaire. Flask-Babel is not used: it parses locales through CLDR, which has none of the
province's minority languages, so `Locale.parse("rad")` fails.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from survey.config import ConfigError

CHROME_DIR = Path(__file__).parent / "translations"
DEFAULT_LANGUAGE = "vi"


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """Every language's chrome strings, checked to carry exactly the keys of vi.yaml."""
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
        for code, strings in catalogue().items()
        if offered_by is None or code in offered_by
    }


def chrome(language: str) -> dict[str, str]:
    """Chrome strings for `language`, Vietnamese when it is not offered."""
    texts = catalogue()
    return texts.get(language, texts[DEFAULT_LANGUAGE])


def pick_language(requested: str | None) -> str:
    """`requested` when chrome exists for it, otherwise Vietnamese."""
    return requested if requested in catalogue() else DEFAULT_LANGUAGE
