"""Where built reports are kept for the web: ``REPORTS_DIR/<wave>/`` (default
``<instance>/reports/<wave>/``) holds the JSON document and the chart PNGs; the web page
and its downloads are rendered from them.
"""

from __future__ import annotations

import json
import re
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


def save(document: dict, charts: dict[str, bytes]) -> Path:
    """Keep a built report for the web."""
    target = folder(document["wave"])
    target.mkdir(parents=True, exist_ok=True)
    for old in target.glob("*.png"):
        old.unlink()
    for name, png in charts.items():
        (target / f"{name}.png").write_bytes(png)
    (target / "report.json").write_text(to_json(document), encoding="utf-8")
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
