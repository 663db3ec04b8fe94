"""Local date and time band: how precisely analysts (and, after the retention period, the
database itself) know when a response was sent.

Bands follow the one-stop desks' day (Vietnamese offices open about 7:00–11:30 and
13:00–17:00), two hours wide inside it, one band for the evening and one for the night, so
"outside office hours" can still be analysed but no response is pinned to its minute.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

# (first hour, label) in local time; each band runs to the next band's first hour.
TIME_BANDS: tuple[tuple[int, str], ...] = (
    (0, "00-07"),
    (7, "07-09"),
    (9, "09-11"),
    (11, "11-13"),
    (13, "13-15"),
    (15, "15-17"),
    (17, "17-24"),
)


def _band_index(hour: int) -> int:
    return max(i for i, (start, _) in enumerate(TIME_BANDS) if start <= hour)


def time_band(moment: dt.datetime, zone: str) -> str:
    """The label of the local time band `moment` falls in, e.g. '09-11'."""
    local = moment.astimezone(ZoneInfo(zone))
    return TIME_BANDS[_band_index(local.hour)][1]


def local_date(moment: dt.datetime, zone: str) -> dt.date:
    """The local calendar date of `moment`."""
    return moment.astimezone(ZoneInfo(zone)).date()


def band_start(moment: dt.datetime, zone: str) -> dt.datetime:
    """The start of `moment`'s local time band, in UTC: what a coarsened timestamp stores."""
    local = moment.astimezone(ZoneInfo(zone))
    start = local.replace(hour=TIME_BANDS[_band_index(local.hour)][0], minute=0, second=0, microsecond=0)
    return start.astimezone(dt.timezone.utc)


def is_band_start(moment: dt.datetime, zone: str) -> bool:
    """Whether `moment` is already coarsened to the start of its band."""
    return band_start(moment, zone) == moment.astimezone(dt.timezone.utc)
