"""Continue an unfinished questionnaire when the citizen scans the same QR again.

The first page of a questionnaire sets a small signed cookie pointing to it (the state without
its answers, `survey.respond.state.dump_resume`). When the same phone opens the same desk or
receipt QR again, the pointer and the server draft of the answers rebuild the questionnaire at
the first page still unanswered. Free text is not in the draft, so it is not brought back.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from survey.enums import ItemType
from survey.models import Response, ServiceCentre, Wave
from survey.questionnaire import QuestionnaireDefinition
from survey.respond.drafts import KEEP_UNFINISHED, remembered_answers
from survey.respond.flow import local_today, mandatory_pages, questionnaire_of
from survey.respond.state import FormState, load_resume

RESUME_COOKIE = "sv_resume"
RESUME_COOKIE_AGE = int(KEEP_UNFINISHED.total_seconds())


def resumable(session: Session, cookie: str | None, centre: ServiceCentre, channel: str,
              receipt: str | None) -> FormState | None:
    """The unfinished questionnaire this phone started at `centre`, if it can still be continued."""
    pointer = load_resume(cookie)
    if pointer is None or (pointer.centre_code, pointer.channel, pointer.receipt) != (centre.code, channel, receipt):
        return None
    wave = session.get(Wave, pointer.wave_id)
    if wave is None or not wave.accepts_responses(local_today()):
        return None
    if session.get(Response, pointer.response_id) is not None:
        return None  # already sent
    answers = remembered_answers(session, pointer)
    if not answers:
        return None  # nothing answered yet (or the draft was purged): a fresh start loses nothing
    resumed = pointer.with_answers(answers)
    return resumed.moved(resume_page(questionnaire_of(wave).asked(resumed.assigned), resumed.answers))


def resume_page(questionnaire: QuestionnaireDefinition, answers: dict) -> int:
    """The first mandatory page with a question still unanswered (free text aside)."""
    for number, page in enumerate(questionnaire.pages[: mandatory_pages(questionnaire)]):
        if any(answers.get(item.code) in (None, "", [])
               for item in questionnaire.visible_items(page, answers) if item.type != ItemType.TEXT):
            return number
    return mandatory_pages(questionnaire) - 1
