"""Which page comes next, given the skip logic and the optional part."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, exists, select
from sqlalchemy.orm import Session, object_session

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
from survey.questionnaire import QuestionnaireDefinition, from_dict
from survey.respond.state import FormState

# Parsed definitions by content checksum: a published version never changes once answered.
_PARSED: dict[str, QuestionnaireDefinition] = {}


def questionnaire_of(wave: Wave, checksum: str | None = None) -> QuestionnaireDefinition:
    """The questionnaire of `wave`, parsed once per distinct definition.

    `checksum`, when the caller already read it, saves the one query this otherwise makes.
    """
    session = object_session(wave)
    if checksum is None:
        checksum = session.scalar(
            select(QuestionnaireVersion.checksum).where(QuestionnaireVersion.id == wave.questionnaire_version_id)
        )
    return _parsed(session, wave.questionnaire_version_id, checksum)


def _parsed(session: Session, version_id: int, checksum: str) -> QuestionnaireDefinition:
    # Only the checksum is read per request: loading the version row would decode its whole
    # definition JSON on every page post, the largest CPU cost of a page before this.
    parsed = _PARSED.get(checksum)
    if parsed is None:
        parsed = _PARSED[checksum] = from_dict(session.get(QuestionnaireVersion, version_id).definition)
    return parsed


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
    return PagePost(stored=bool(stored), questionnaire=_parsed(session, version_id, checksum),
                    accepts_responses=accepts_on(status, opens_on, closes_on, local_today()),
                    draft=dict(draft or {}), centre_name=centre_name)


def open_citizen_wave(session: Session) -> Wave | None:
    """The open wave of the citizen questionnaire today, newest first."""
    today = local_today()
    return session.scalar(
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
        .limit(1)
    )


def mandatory_pages(questionnaire: QuestionnaireDefinition) -> int:
    """How many pages come before the optional part."""
    return sum(1 for page in questionnaire.pages if not page.optional)


def next_page(questionnaire: QuestionnaireDefinition, answers: dict, page: int, step: int) -> int | None:
    """The nearest page after (step=1) or before (step=-1) `page` that shows any item."""
    shown = questionnaire.visible_by_page(answers)
    candidate = page + step
    while 0 <= candidate < len(questionnaire.pages):
        if shown[questionnaire.pages[candidate].code]:
            return candidate
        candidate += step
    return None


def first_missing_page(questionnaire: QuestionnaireDefinition, answers: dict, upto: int) -> int | None:
    """The first page up to `upto` (inclusive) with a required item left blank."""
    missing = questionnaire.missing_by_page(answers)
    for number, page in enumerate(questionnaire.pages[: upto + 1]):
        if missing[page.code]:
            return number
    return None
