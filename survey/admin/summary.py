"""The locality summary: a locality's responses per day, flags per day and SIPAS estimates.

The page an officer has instead of responses (see `survey.privacy.aggregates` for the rules
that keep one citizen's answers out of it); admins and analysts open it for any locality
with `?locality=CODE` and see the live figures.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import abort, current_app, render_template, request
from sqlalchemy import select

from survey.admin import bp, staff
from survey.admin.digests import published_digest
from survey.admin.monitor import current_wave
from survey.auth.scope import roles_required, sees_rows
from survey.enums import ItemScore, QuestionnaireKind
from survey.extensions import db
from survey.models import Locality, Questionnaire, QuestionnaireVersion, ServiceCentre, User, UserRole, Wave
from survey.privacy import MIN_CELL
from survey.privacy.aggregates import LocalitySummary, summarise
from survey.questionnaire.versions import questionnaire_of


def officer_cutoff(zone: str) -> dt.datetime:
    """The start of today, local time: officers' figures stop there."""
    now = dt.datetime.now(ZoneInfo(zone))
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def locality_summary(
    user: User, locality: Locality, wave: Wave, centre_ids: list[int] | None = None
) -> LocalitySummary:
    """The summary of `locality` (or some of its centres) in `wave`, as `user` may see it."""
    zone = current_app.config["TIMEZONE"]
    if centre_ids is None:
        centre_ids = list(db.session.scalars(select(ServiceCentre.id).where(ServiceCentre.locality_id == locality.id)))
    live = sees_rows(user)
    return summarise(db.session, wave, centre_ids, questionnaire_of(wave), zone,
                     cutoff=None if live else officer_cutoff(zone), blocks=not live)


@bp.get("/summary")
@roles_required(UserRole.ADMIN, UserRole.OFFICER, UserRole.ANALYST)
def summary():
    """Show a locality's responses and flags per day and its estimates, as aggregates only."""
    user = staff()
    localities = []
    if user.role == UserRole.OFFICER:
        locality = user.locality
    else:
        code = request.args.get("locality", "")
        locality = db.session.scalar(select(Locality).where(Locality.code == code)) if code else None
        if code and locality is None:
            abort(404)
        if locality is None:
            localities = db.session.scalars(select(Locality).order_by(Locality.name)).all()
    # a locality's summary is of its citizens' answers: the leaders' waves are not offered
    waves = db.session.scalars(
        select(Wave).join(QuestionnaireVersion).join(Questionnaire)
        .where(Questionnaire.kind == QuestionnaireKind.CITIZEN).order_by(Wave.opens_on.desc())).all()
    wave_code = request.args.get("wave")
    zone = current_app.config["TIMEZONE"]
    wave = next((w for w in waves if w.code == wave_code), None) or current_wave(
        db.session, dt.datetime.now(ZoneInfo(zone)).date(), QuestionnaireKind.CITIZEN)
    result = locality_summary(user, locality, wave) if locality is not None and wave is not None else None
    shares = wave is not None and questionnaire_of(wave).index.item_score == ItemScore.SHARE_SATISFIED
    digest = published_digest(locality, wave) if locality is not None and wave is not None else None
    return render_template("admin/summary.html", locality=locality, localities=localities, waves=waves,
                           wave=wave, summary=result, min_cell=MIN_CELL, live=sees_rows(user), shares=shares,
                           digest=digest)
