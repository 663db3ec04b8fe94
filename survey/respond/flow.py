"""What a citizen's page post reads before it writes, and which citizen wave is open today."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, exists, select
from sqlalchemy.orm import Session

from survey.clock import local_today
from survey.models import (
    Questionnaire,
    QuestionnaireKind,
    QuestionnaireVersion,
    Response,
    ResponseDraft,
    ServiceCentre,
    Wave,
    WaveStatus,
    accepts_on,
)
from survey.questionnaire import QuestionnaireDefinition
from survey.questionnaire.versions import parsed_version, questionnaire_of
from survey.respond.state import FormState


@dataclass(frozen=True)
class PagePost:
    """What a citizen's page post reads before it writes, from one query."""

    stored: bool
    """The submission is already stored (a page re-posted from history, a second tap)."""
    questionnaire: QuestionnaireDefinition | None
    """None when the wave does not exist."""
    accepts_responses: bool = False
    """The wave is open today."""
    draft: dict[str, Any] = field(default_factory=dict)
    """The answers saved by earlier page posts of this submission."""
    centre_name: str | None = None


_WAVE = Wave.__table__.c
# Built once, in Core (rows of plain values, no ORM objects to build and track): constructing
# a statement costs about as much as running it on SQLite.
_PAGE_POST = (
    select(
        _WAVE.status,
        _WAVE.opens_on,
        _WAVE.closes_on,
        _WAVE.questionnaire_version_id,
        QuestionnaireVersion.__table__.c.checksum,
        exists().where(Response.__table__.c.id == bindparam("submission", type_=Response.__table__.c.id.type)),
        select(ResponseDraft.__table__.c.answers)
        .where(ResponseDraft.__table__.c.submission_id == bindparam("submission"))
        .scalar_subquery(),
        select(ServiceCentre.__table__.c.name)
        .where(ServiceCentre.__table__.c.code == bindparam("centre"))
        .scalar_subquery(),
    )
    .join_from(Wave.__table__, QuestionnaireVersion.__table__,
               QuestionnaireVersion.__table__.c.id == _WAVE.questionnaire_version_id)
    .where(_WAVE.id == bindparam("wave"))
)


def read_page_post(session: Session, state: FormState) -> PagePost:
    """Whether the submission is stored, the wave's questionnaire and whether it is open today,
    the submission's draft and its centre's name.

    One statement instead of five: a page post is the app's most frequent request.
    """
    row = session.connection().execute(
        _PAGE_POST, {"submission": state.response_id, "centre": state.centre_code, "wave": state.wave_id}
    ).one_or_none()
    if row is None:  # no such wave: no response can have been stored under it either
        return PagePost(stored=False, questionnaire=None)
    status, opens_on, closes_on, version_id, checksum, stored, draft, centre_name = row
    return PagePost(stored=bool(stored), questionnaire=parsed_version(session, version_id, checksum),
                    accepts_responses=accepts_on(status, opens_on, closes_on, local_today()),
                    draft=dict(draft or {}), centre_name=centre_name)


def surveys_beside(session: Session) -> list[tuple[str, str]]:
    """The citizen surveys open today beside the main one (those with a `wave_prefix`), as
    (questionnaire code, wave code): each has desk posters of its own."""
    today = local_today()
    rows = session.execute(
        select(Questionnaire.code, Wave)
        .join(QuestionnaireVersion, QuestionnaireVersion.questionnaire_id == Questionnaire.id)
        .join(Wave, Wave.questionnaire_version_id == QuestionnaireVersion.id)
        .where(Questionnaire.kind == QuestionnaireKind.CITIZEN, Wave.status == WaveStatus.OPEN,
               Wave.opens_on <= today, Wave.closes_on >= today)
        .order_by(Questionnaire.code, Wave.opens_on.desc()))
    beside: dict[str, str] = {}
    for code, wave in rows:
        if code not in beside and questionnaire_of(wave).wave_prefix is not None:
            beside[code] = wave.code
    return list(beside.items())


def open_citizen_wave(session: Session, questionnaire_code: str | None = None) -> Wave | None:
    """The open wave today of the citizen questionnaire `questionnaire_code`, newest first;
    without a code, of the main desk survey (a questionnaire with no `wave_prefix`).

    A survey run beside the main one (businesses at the same desks, say) is reached only by
    the QR codes that name it, so the posters and receipts already printed keep opening the
    main survey whatever else opens.
    """
    today = local_today()
    query = (
        select(Wave)
        .join(QuestionnaireVersion)
        .join(Questionnaire)
        .where(
            Questionnaire.kind == QuestionnaireKind.CITIZEN,
            Wave.status == WaveStatus.OPEN,
            Wave.opens_on <= today,
            Wave.closes_on >= today,
        )
        .order_by(Wave.opens_on.desc(), Wave.id.desc())
    )
    if questionnaire_code is not None:
        return session.scalar(query.where(Questionnaire.code == questionnaire_code).limit(1))
    # Few waves are open at once; the declaration lives in each version's definition.
    return next((wave for wave in session.scalars(query) if questionnaire_of(wave).wave_prefix is None), None)
