"""Data-quality signals recorded with each citizen response; they inform review, never delete.

- `speeder`: finished faster than SPEEDER_SECONDS_PER_ANSWER per answered item (and under
  SPEEDER_FLOOR_SECONDS), too fast to have read the items.
- `straight_lining`: STRAIGHT_LINE_MIN or more scale items, all given the same score.
- `burst`: more than BURST_MAX responses at one centre within BURST_WINDOW before it, the sign of
  staff filling in forms.
- `outside_hours`: a desk-QR response submitted outside the one-stop desks' office hours
  (local time). Receipt-QR citizens answer at home, in the evening as often as not: normal.
- `repeat_device`: the same device (cookie, or hashed IP with user agent) already answered
  in this wave.
- `scrubbed`: personal data (phone, ID number, email) was removed from free text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey.enums import Channel, QualityFlag
from survey.models import Response

SPEEDER_SECONDS_PER_ANSWER = 1.5
SPEEDER_FLOOR_SECONDS = 90
STRAIGHT_LINE_MIN = 10
BURST_MAX = 5
BURST_WINDOW = dt.timedelta(minutes=5)
# Monday=0 … Saturday=5: (opening, closing) local times; Sunday closed.
OFFICE_HOURS = {day: (dt.time(7, 0), dt.time(17, 30)) for day in range(5)} | {
    5: (dt.time(7, 0), dt.time(11, 30))
}


@dataclass(frozen=True)
class Submission:
    """What the quality checks need to know about a response being stored."""

    wave_id: int
    centre_id: int | None
    submitted_at: dt.datetime
    duration_seconds: int
    answered: int
    scores: list[int]
    device_hash: str | None
    scrubbed: bool
    channel: str = "desk"


def is_speeder(submission: Submission) -> bool:
    expected = min(SPEEDER_FLOOR_SECONDS, SPEEDER_SECONDS_PER_ANSWER * submission.answered)
    return submission.duration_seconds < expected


def is_straight_lining(scores: list[int]) -> bool:
    return len(scores) >= STRAIGHT_LINE_MIN and len(set(scores)) == 1


def is_outside_hours(moment: dt.datetime, timezone: str) -> bool:
    local = moment.astimezone(ZoneInfo(timezone))
    hours = OFFICE_HOURS.get(local.weekday())
    return hours is None or not hours[0] <= local.time() <= hours[1]


def is_burst(session: Session, submission: Submission) -> bool:
    if submission.centre_id is None:
        return False
    recent = session.scalar(
        select(func.count())
        .select_from(Response)
        .where(
            Response.centre_id == submission.centre_id,
            # Bounded on both sides: a kiosk tablet's offline queue arrives after responses
            # finished later than its own, which must not count as a burst around it.
            Response.submitted_at.between(submission.submitted_at - BURST_WINDOW, submission.submitted_at),
        )
    )
    return recent + 1 > BURST_MAX


def is_repeat_device(session: Session, submission: Submission) -> bool:
    if submission.device_hash is None:
        return False
    earlier = session.scalar(
        select(Response.id)
        .where(Response.wave_id == submission.wave_id, Response.device_hash == submission.device_hash)
        .limit(1)
    )
    return earlier is not None


def quality_flags(session: Session, submission: Submission, timezone: str) -> list[str]:
    """The flags that apply to `submission`, in a stable order."""
    checks = [
        (QualityFlag.SPEEDER, is_speeder(submission)),
        (QualityFlag.STRAIGHT_LINING, is_straight_lining(submission.scores)),
        (QualityFlag.BURST, is_burst(session, submission)),
        (QualityFlag.OUTSIDE_HOURS, submission.channel == Channel.DESK
         and is_outside_hours(submission.submitted_at, timezone)),
        (QualityFlag.REPEAT_DEVICE, is_repeat_device(session, submission)),
        (QualityFlag.SCRUBBED, submission.scrubbed),
    ]
    return [flag.value for flag, applies in checks if applies]
