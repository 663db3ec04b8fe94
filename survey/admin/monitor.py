"""The live monitor: responses today and this wave per centre, against expectations, with flags.

The expectation is a simple pacing line: the per-centre target for a wave
(`MONITOR_TARGET_PER_CENTRE`, default 30 responses) times the share of the wave elapsed.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from flask import current_app, render_template, request
from sqlalchemy import select

from survey.admin import bp, staff
from survey.extensions import db
from survey.models import Response, ServiceCentre, UserRole, Wave, WaveStatus
from survey.auth.scope import roles_required, visible_centres
from survey.reports.live import index_so_far

DEFAULT_TARGET = 30
REFRESH_SECONDS = 60


@dataclass
class CentreProgress:
    centre: ServiceCentre
    today: int = 0
    wave: int = 0
    flagged: int = 0
    flags: Counter = field(default_factory=Counter)
    expected: int = 0

    @property
    def behind(self) -> bool:
        return self.wave < self.expected


def current_wave(session, today: dt.date) -> Wave | None:
    """The open wave covering today, else the latest wave."""
    open_wave = session.scalar(
        select(Wave).where(Wave.status == WaveStatus.OPEN, Wave.opens_on <= today, Wave.closes_on >= today)
        .order_by(Wave.opens_on.desc()).limit(1)
    )
    return open_wave or session.scalar(select(Wave).order_by(Wave.opens_on.desc()).limit(1))


def expected_by(wave: Wave, today: dt.date, target: int) -> int:
    """Responses a centre should have by `today` to reach `target` by the wave's end."""
    total_days = (wave.closes_on - wave.opens_on).days + 1
    elapsed = min(max((today - wave.opens_on).days + 1, 0), total_days)
    return round(target * elapsed / total_days)


def centre_progress(session, centres: list[ServiceCentre], wave: Wave | None, today_start: dt.datetime,
                    expected: int) -> list[CentreProgress]:
    """Counts per centre for the wave, with today's and the quality flags."""
    progress = {c.id: CentreProgress(c, expected=expected) for c in centres}
    if wave is None or not progress:
        return list(progress.values())
    rows = session.execute(
        select(Response.centre_id, Response.submitted_at, Response.quality_flags)
        .where(Response.wave_id == wave.id, Response.centre_id.in_(list(progress)))
    )
    for centre_id, submitted_at, flags in rows:
        entry = progress[centre_id]
        entry.wave += 1
        entry.today += submitted_at >= today_start
        if flags:
            entry.flagged += 1
            entry.flags.update(flags)
    return list(progress.values())


@bp.get("/monitor")
@roles_required(UserRole.ADMIN, UserRole.OFFICER, UserRole.ANALYST)
def monitor():
    """Show today's and this wave's responses per centre, with quality flags.

    Auto-refresh is opt-in (`?auto=1`): a page that reloads by itself unasked fails WCAG 2.2.1.
    """
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    now = dt.datetime.now(zone)
    today_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    wave_code = request.args.get("wave")
    waves = db.session.scalars(select(Wave).order_by(Wave.opens_on.desc())).all()
    wave = next((w for w in waves if w.code == wave_code), None) or current_wave(db.session, now.date())
    target = int(current_app.config.get("MONITOR_TARGET_PER_CENTRE", DEFAULT_TARGET))
    expected = expected_by(wave, now.date(), target) if wave else 0
    centres = visible_centres(db.session, staff(), active_only=True)
    rows = centre_progress(db.session, centres, wave, today_start, expected)
    totals = CentreProgress(centre=None, expected=expected * len(rows))  # type: ignore[arg-type]
    for row in rows:
        totals.today += row.today
        totals.wave += row.wave
        totals.flagged += row.flagged
        totals.flags.update(row.flags)
    return render_template(
        "admin/monitor.html", rows=rows, totals=totals, wave=wave, waves=waves, now=now,
        target=target, every=REFRESH_SECONDS,
        live=index_so_far(db.session, wave) if wave and wave.status == WaveStatus.OPEN else None,
        refresh=REFRESH_SECONDS if request.args.get("auto") == "1" else None,
    )
