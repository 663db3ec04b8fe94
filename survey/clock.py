"""What time it is: "now" in UTC for storage, "today" and local times in the province's zone.

Timestamps are stored in UTC; dates that people see or reason about (a wave's opening day,
"today" on the monitor, office hours) are in the configured `TIMEZONE` (Asia/Ho_Chi_Minh).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import current_app


def utcnow() -> dt.datetime:
    """Current time, timezone-aware in UTC."""
    return dt.datetime.now(dt.timezone.utc)


def local_zone() -> ZoneInfo:
    """The province's time zone, from the app's `TIMEZONE` setting."""
    return ZoneInfo(current_app.config["TIMEZONE"])


def local_now() -> dt.datetime:
    """Current time in the province's time zone."""
    return dt.datetime.now(local_zone())


def local_today() -> dt.date:
    """Today's date in the province's time zone (not the server's)."""
    return local_now().date()


def to_local(moment: dt.datetime) -> dt.datetime:
    """`moment` expressed in the province's time zone."""
    return moment.astimezone(local_zone())
