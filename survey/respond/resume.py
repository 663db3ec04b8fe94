"""Continue an unfinished questionnaire when the citizen scans the same QR again.

The first page of a questionnaire sets a small signed cookie pointing to it (the state without
its answers, `survey.respond.state.dump_resume`). When the same device opens the same desk or
receipt QR again soon after its last page, the pointer and the server draft of the answers
rebuild the questionnaire at the first page still unanswered.

A desk tablet is shared: the next citizen may open the QR on it minutes after the previous one
walked away. So a questionnaire can be continued only on the device it was started on (the
pointer carries a keyed hash of the device cookie), only within `RESUME_MINUTES` of its last
page post, and it never shows an answer given before it was resumed: it opens at the first
unanswered page with that page and the later ones blank, and Back stops there (`floor`). The
earlier answers are kept for the response, out of sight. Free text is not in the draft, so it
is not brought back either.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from flask import current_app
from sqlalchemy.orm import Session

from survey.clock import local_today, utcnow
from survey.enums import ItemType
from survey.models import Response, ServiceCentre, Wave
from survey.questionnaire import QuestionnaireDefinition
from survey.questionnaire.flow import mandatory_pages
from survey.questionnaire.versions import questionnaire_of
from survey.respond.drafts import KEEP_UNFINISHED, recent_answers, remember
from survey.respond.state import FormState, device_mark, load_resume

RESUME_COOKIE = "sv_resume"
RESUME_COOKIE_AGE = int(KEEP_UNFINISHED.total_seconds())


def resume_window() -> dt.timedelta:
    """How long after its last page post a questionnaire can still be continued."""
    return dt.timedelta(minutes=current_app.config["RESUME_MINUTES"])


def resumable(session: Session, cookie: str | None, device_cookie: str | None, centre: ServiceCentre,
              channel: str, receipt: str | None) -> FormState | None:
    """The unfinished questionnaire this device started at `centre` lately, if it can be continued."""
    pointer = load_resume(cookie)
    if pointer is None or (pointer.centre_code, pointer.channel, pointer.receipt) != (centre.code, channel, receipt):
        return None
    if not pointer.device or pointer.device != device_mark(device_cookie):
        return None  # another device, or a pointer from before devices were marked
    wave = session.get(Wave, pointer.wave_id)
    if wave is None or not wave.accepts_responses(local_today()):
        return None
    if session.get(Response, pointer.response_id) is not None:
        return None  # already sent
    answers = recent_answers(session, pointer, utcnow() - resume_window())
    if not answers:
        return None  # nothing answered, or not lately: a fresh start loses nothing
    resumed = pointer.with_answers(answers)
    return resumed.moved(resume_page(questionnaire_of(wave).asked(resumed.assigned), resumed.answers))


def continue_unseen(session: Session, questionnaire: QuestionnaireDefinition, state: FormState) -> FormState:
    """`state` as it is continued: the answers of its page and the later ones dropped (from the
    draft too, so no page post can bring them back), Back stopped at its page."""
    return blank_pages(session, questionnaire, state, state.page, len(questionnaire.pages))


def blank_pages(session: Session, questionnaire: QuestionnaireDefinition, state: FormState,
                first: int, end: int) -> FormState:
    """`state` with the answers of pages `first` to `end` (excluded) dropped, here and in the
    draft, and Back stopped at `first`."""
    blanked = {item.code for page in questionnaire.pages[first:end] for item in page.items}
    kept = {code: value for code, value in state.answers.items() if code not in blanked}
    continued = replace(state, answers=kept, floor=first, carried=())
    remember(session, questionnaire, continued)
    return continued


def resume_page(questionnaire: QuestionnaireDefinition, answers: dict) -> int:
    """The first mandatory page with a question still unanswered (free text aside)."""
    for number, page in enumerate(questionnaire.pages[: mandatory_pages(questionnaire)]):
        if any(answers.get(item.code) in (None, "", [])
               for item in questionnaire.visible_items(page, answers) if item.type != ItemType.TEXT):
            return number
    return mandatory_pages(questionnaire) - 1
