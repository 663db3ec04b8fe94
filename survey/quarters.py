"""Quarters (2026Q4): the unit of a wave, of dossier counts and of the trend, in one place."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from survey.models import Wave

QUARTER = re.compile(r"^([0-9]{4})Q([1-4])$")


def quarter_of(day: dt.date) -> tuple[str, dt.date, dt.date]:
    """The quarter code (e.g. 2026Q4) containing `day`, with its first and last day."""
    quarter = (day.month - 1) // 3 + 1
    first = dt.date(day.year, 3 * quarter - 2, 1)
    after = dt.date(day.year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return f"{day.year}Q{quarter}", first, after - dt.timedelta(days=1)


def wave_quarter(wave: Wave) -> str:
    """Which quarter's dossier counts weight a wave: its code when it is a quarter such as
    2026Q3, else the quarter it opens in.

    A demo wave's counts are its own (its code, DEMO-2026Q3): demo counts never weight a real
    wave, and a real quarter's counts never weight a demo wave.
    """
    if QUARTER.match(wave.code) or wave.is_demo:
        return wave.code
    return quarter_of(wave.opens_on)[0]


def previous_quarter(wave: Wave) -> str:
    """The quarter code before the wave's (2026Q1 → 2025Q4), from its code or its first day."""
    match = QUARTER.match(wave.code)
    if match:
        year, quarter = int(match[1]), int(match[2])
    else:
        year, quarter = wave.opens_on.year, (wave.opens_on.month - 1) // 3 + 1
    return f"{year - 1}Q4" if quarter == 1 else f"{year}Q{quarter - 1}"
