"""Where built reports are kept for the web: ``REPORTS_DIR/<wave>/`` (default
``<instance>/reports/<wave>/``) holds the JSON document and the chart PNGs; the web page
and its downloads are rendered from them.

Beside them, ``build.json`` is the state of the wave's latest build (survey.reports.jobs),
changed only under an exclusive lock of ``build.lock`` (``flock``), which gunicorn's workers
and the job consumer all take: they run on the one machine that holds the reports.
Files are replaced whole (written aside, then renamed), so a page never reads half a file.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import current_app

from survey.reports.render import to_json

SAFE_WAVE = re.compile(r"^[A-Za-z0-9_-]{1,20}$")
CHART_NAME = re.compile(r"^[a-z_]{1,20}$")


def root() -> Path:
    """The folder holding every stored report."""
    configured = current_app.config.get("REPORTS_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "reports"


def folder(wave_code: str) -> Path:
    """The stored report's folder (the wave code is checked, so no path can escape)."""
    if not SAFE_WAVE.match(wave_code):
        raise ValueError(f"not a wave code: {wave_code!r}")
    return root() / wave_code


def _replace(path: Path, data: bytes) -> None:
    """Write ``path`` whole: aside in the same folder, then renamed over it."""
    fd, aside = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, 0o644)  # as an ordinary write would leave it, not mkstemp's 0600
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(aside, path)
    except BaseException:
        Path(aside).unlink(missing_ok=True)
        raise


def save(document: dict, charts: dict[str, bytes]) -> Path:
    """Keep a built report for the web: the charts first, then the document that names them."""
    target = folder(document["wave"])
    target.mkdir(parents=True, exist_ok=True)
    for old in target.glob("*.png"):
        if old.stem not in charts:
            old.unlink()
    for name, png in charts.items():
        _replace(target / f"{name}.png", png)
    _replace(target / "report.json", to_json(document).encode("utf-8"))
    return target


def load(wave_code: str) -> tuple[dict, dict[str, bytes]] | None:
    """The stored report of a wave, or ``None`` if none was built."""
    try:
        target = folder(wave_code)
    except ValueError:
        return None
    path = target / "report.json"
    if not path.is_file():
        return None
    charts = {p.stem: p.read_bytes() for p in sorted(target.glob("*.png")) if CHART_NAME.match(p.stem)}
    return json.loads(path.read_text(encoding="utf-8")), charts


def stored_waves() -> set[str]:
    """Codes of the waves with a stored report."""
    base = root()
    return {p.parent.name for p in base.glob("*/report.json")} if base.is_dir() else set()


@contextmanager
def build_lock(wave_code: str) -> Iterator[None]:
    """Hold the wave's build lock (every process on this machine waits for it)."""
    target = folder(wave_code)
    target.mkdir(parents=True, exist_ok=True)
    with open(target / "build.lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def read_build(wave_code: str) -> dict | None:
    """The state of the wave's latest build, or ``None`` if none was asked for."""
    try:
        path = folder(wave_code) / "build.json"
    except ValueError:
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


def write_build(wave_code: str, state: dict) -> None:
    """Replace the state of the wave's build (hold `build_lock` around read and write)."""
    target = folder(wave_code)
    target.mkdir(parents=True, exist_ok=True)
    _replace(target / "build.json", json.dumps(state, ensure_ascii=False).encode("utf-8"))


def builds() -> dict[str, dict]:
    """The latest build state of every wave that has one."""
    base = root()
    if not base.is_dir():
        return {}
    found = {p.parent.name: read_build(p.parent.name) for p in base.glob("*/build.json")}
    return {code: state for code, state in found.items() if state is not None}
