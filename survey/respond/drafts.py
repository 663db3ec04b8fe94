"""A server copy of each questionnaire's answers while it is being filled.

A phone's own Back button shows an earlier page from the browser's cache, with the signed state
of that moment; posting it would forget the answers of the pages after it. Each page post
therefore saves the answers so far under the submission UUID, and merges them back in. The
copy is best-effort: the signed state remains the primary record.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from survey.clock import utcnow
from survey.models import ResponseDraft
from survey.questionnaire import QuestionnaireDefinition
from survey.respond.state import FormState

KEEP_UNFINISHED = dt.timedelta(days=2)


def remembered_answers(session: Session, state: FormState) -> dict[str, Any]:
    """The answers saved for this submission by earlier page posts (empty when none)."""
    draft = session.get(ResponseDraft, state.response_id)
    return dict(draft.answers) if draft is not None else {}


def remember(session: Session, questionnaire: QuestionnaireDefinition, state: FormState) -> None:
    """Save the answers so far, free text excepted (it is scrubbed only when stored)."""
    items = questionnaire.items_by_code
    answers = {
        code: value for code, value in state.answers.items()
        if code not in items or items[code].type != "text"
    }
    draft = session.get(ResponseDraft, state.response_id)
    if draft is None:
        session.add(ResponseDraft(submission_id=state.response_id, answers=answers))
    else:
        draft.answers = answers
        draft.updated_at = utcnow()
    try:
        session.commit()
    except IntegrityError:
        session.rollback()  # a double tap saved the same draft first; its copy is as good


def forget(session: Session, state: FormState) -> None:
    """Drop this submission's draft and any draft left unfinished for too long (caller commits)."""
    session.execute(delete(ResponseDraft).where(
        (ResponseDraft.submission_id == state.response_id)
        | (ResponseDraft.updated_at < utcnow() - KEEP_UNFINISHED)
    ))
