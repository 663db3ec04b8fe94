"""Which page comes next, given the skip logic and the optional part."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from survey.clock import local_today
from survey.models import Questionnaire, QuestionnaireKind, QuestionnaireVersion, Wave, WaveStatus
from survey.questionnaire import QuestionnaireDefinition, from_dict

# Parsed definitions by content checksum: a published version never changes once answered.
_PARSED: dict[str, QuestionnaireDefinition] = {}


def questionnaire_of(wave: Wave) -> QuestionnaireDefinition:
    """The questionnaire of `wave`, parsed once per distinct definition."""
    # Only the checksum is read per request: loading the version row would decode its whole
    # definition JSON on every page post, the largest CPU cost of a page before this.
    session = object_session(wave)
    checksum = session.scalar(
        select(QuestionnaireVersion.checksum).where(QuestionnaireVersion.id == wave.questionnaire_version_id)
    )
    parsed = _PARSED.get(checksum)
    if parsed is None:
        parsed = _PARSED[checksum] = from_dict(wave.questionnaire_version.definition)
    return parsed


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
