"""Which quarter's dossier counts weight a wave."""

from __future__ import annotations

import re

from survey.models import Wave

QUARTER = re.compile(r"^[0-9]{4}Q[1-4]$")


def wave_quarter(wave: Wave) -> str:
    """The wave's code when it is a quarter such as 2026Q3, else the quarter it opens in.

    A demo wave's counts are its own (its code, DEMO-2026Q3): demo counts never weight a real
    wave, and a real quarter's counts never weight a demo wave.
    """
    if QUARTER.match(wave.code) or wave.is_demo:
        return wave.code
    return f"{wave.opens_on.year}Q{(wave.opens_on.month - 1) // 3 + 1}"
