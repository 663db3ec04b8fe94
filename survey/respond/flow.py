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
)
from survey.questionnaire import QuestionnaireDefinition, from_dict
from survey.respond.state import FormState

# Parsed definitions by content checksum: a published version never changes once answered.
_PARSED: dict[str, QuestionnaireDefinition] = {}


def questionnaire_of(wave: Wave, checksum: str | None = None) -> QuestionnaireDefinition:
    """The questionnaire of `wave`, parsed once per distinct definition.

    `checksum`, when the caller already read it, saves the one query this otherwise makes.
    """
    # Only the checksum is read per request: loading the version row would decode its whole
    # definition JSON on every page post, the largest CPU cost of a page before this.
    if checksum is None:
        checksum = object_session(wave).scalar(
            select(QuestionnaireVersion.checksum).where(QuestionnaireVersion.id == wave.questionnaire_version_id)
        )
    parsed = _PARSED.get(checksum)
    if parsed is None:
        parsed = _PARSED[checksum] = from_dict(wave.questionnaire_version.definition)
    return parsed


@dataclass(frozen=True)
class PagePost:
    """What a citizen's page post reads before it writes, from one query."""

    stored: bool
    """The submission is already stored (a page re-posted from history, a second tap)."""
    wave: Wave | None
    questionnaire: QuestionnaireDefinition | None
    draft: dict[str, Any] = field(default_factory=dict)
    """The answers saved by earlier page posts of this submission."""
    centre_name: str | None = None


# Built once: constructing a statement costs about as much as running it on SQLite.
_PAGE_POST = (
    select(
        Wave,
        QuestionnaireVersion.checksum,
        exists().where(Response.id == bindparam("submission", type_=Response.__table__.c.id.type)),
        select(ResponseDraft.answers)
        .where(ResponseDraft.submission_id == bindparam("submission"))
        .scalar_subquery(),
        select(ServiceCentre.name).where(ServiceCentre.code == bindparam("centre")).scalar_subquery(),
    )
    .join(QuestionnaireVersion, QuestionnaireVersion.id == Wave.questionnaire_version_id)
    .where(Wave.id == bindparam("wave"))
)


def read_page_post(session: Session, state: FormState) -> PagePost:
    """The wave, its questionnaire, whether the submission is stored, its draft and its centre's name.

    One statement instead of five: a page post is the app's most frequent request.
    """
    row = session.execute(
        _PAGE_POST, {"submission": state.response_id, "centre": state.centre_code, "wave": state.wave_id}
    ).one_or_none()
    if row is None:  # no such wave: no response can have been stored under it either
        return PagePost(stored=False, wave=None, questionnaire=None)
    wave, checksum, stored, draft, centre_name = row
    return PagePost(stored=bool(stored), wave=wave, questionnaire=questionnaire_of(wave, checksum),
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
    candidate = page + step
    while 0 <= candidate < len(questionnaire.pages):
        if questionnaire.visible_items(questionnaire.pages[candidate], answers):
            return candidate
        candidate += step
    return None


def first_missing_page(questionnaire: QuestionnaireDefinition, answers: dict, upto: int) -> int | None:
    """The first page up to `upto` (inclusive) with a required item left blank."""
    for number, page in enumerate(questionnaire.pages[: upto + 1]):
        if questionnaire.missing_required(page, answers):
            return number
    return None
