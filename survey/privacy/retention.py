"""The retention rule for submission times: exact to the minute only while review needs it.

A response's `submitted_at` and `started_at` are kept to the minute for EXACT_TIME_DAYS
(`SURVEY_EXACT_TIME_DAYS`, default 45: a quarter's wave is reviewed within weeks of each
response, and the quality flags that need the exact time — speeder, burst, outside hours — are
computed when the response is stored). After that both are cut back to the start of their
local time band (`survey.privacy.timebands`), so the database itself no longer knows the minute.
`duration_seconds` is kept: the speeder review needs it and it does not say when.

Run `flask --app wsgi privacy coarsen-times` daily (cron or a systemd timer); it is
idempotent, so a missed day is caught up by the next run.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from survey.clock import utcnow
from survey.models import Response
from survey.privacy.timebands import band_start

DEFAULT_EXACT_TIME_DAYS = 45
BATCH = 2000


def coarsen_submission_times(session: Session, older_than: dt.timedelta, zone: str,
                             now: dt.datetime | None = None) -> int:
    """Cut the times of responses submitted before `now - older_than` to their time band.

    Returns how many responses changed; commits in batches so a large backlog does not hold
    one long transaction.
    """
    cutoff = (now or utcnow()) - older_than
    rows = session.execute(
        select(Response.id, Response.started_at, Response.submitted_at)
        .where(Response.submitted_at < cutoff)
        .order_by(Response.submitted_at)
    ).all()
    changes = []
    for response_id, started_at, submitted_at in rows:
        new_started, new_submitted = band_start(started_at, zone), band_start(submitted_at, zone)
        if (new_started, new_submitted) != (started_at, submitted_at):
            changes.append({"id": response_id, "started_at": new_started, "submitted_at": new_submitted})
    for start in range(0, len(changes), BATCH):
        session.execute(update(Response), changes[start:start + BATCH])  # bulk UPDATE by primary key
        session.commit()
    return len(changes)
