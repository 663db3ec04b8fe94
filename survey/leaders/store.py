"""Answers in progress under an invitation, and the one-time move into an anonymous response.

Completing an invitation and storing its response happen in one transaction, guarded by a
conditional UPDATE, so a double tap or a second tab stores one response only. The response
gets a random UUID, the group and unit type, the wave, the day and the answers; the
invitation gets the day it was completed; the draft under the token is deleted.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from survey.enums import ItemType
from survey.models import UNIT_TYPE_OF_GROUP, LeaderDraft, LeaderInvitation, LeaderResponse, Wave, WaveStatus
from survey.questionnaire import QuestionnaireDefinition
from survey.respond.scrub import scrub_free_text


def hold(session: Session, invitation: LeaderInvitation, today: dt.date) -> bool:
    """Mark the invitation opened and lock its row for this request; False once completed.

    Every request that writes a draft starts here, so it waits for, and then sees, a
    submission racing it: no draft can be written back after its response was stored.
    """
    result = session.execute(
        update(LeaderInvitation)
        .where(LeaderInvitation.id == invitation.id, LeaderInvitation.completed_on.is_(None))
        .values(opened_on=func.coalesce(LeaderInvitation.opened_on, today))
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        session.rollback()
        return False
    return True


def draft_of(session: Session, invitation: LeaderInvitation) -> LeaderDraft:
    """The invitation's draft, created empty on the first visit (caller commits)."""
    draft = session.get(LeaderDraft, invitation.id)
    if draft is None:
        draft = LeaderDraft(invitation_id=invitation.id, page=0, answers={})
        session.add(draft)
    return draft


def save_draft(draft: LeaderDraft, answers: dict[str, Any], page: int) -> None:
    """Keep the answers so far and the page reached (caller commits)."""
    draft.answers = {code: value for code, value in answers.items() if value is not None}
    draft.page = page


def stored_answers(questionnaire: QuestionnaireDefinition, answers: dict[str, Any]) -> dict[str, Any]:
    """The answers as a response keeps them: shown items only, free text scrubbed."""
    items = questionnaire.items_by_code
    kept = {}
    for code, value in questionnaire.relevant_answers(answers).items():
        if items[code].type == ItemType.TEXT:
            value, _ = scrub_free_text(value)
        kept[code] = value
    return kept


def complete(session: Session, questionnaire: QuestionnaireDefinition,
             invitation: LeaderInvitation, answers: dict[str, Any], today: dt.date) -> bool:
    """Store the response and close the invitation; False when it was already completed."""
    claimed = session.execute(
        update(LeaderInvitation)
        .where(LeaderInvitation.id == invitation.id, LeaderInvitation.completed_on.is_(None))
        .values(completed_on=today)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        session.rollback()
        return False
    # PostgreSQL stamps every row version with the id of the transaction that wrote it
    # (xmin). Rewriting every invitation of the wave here gives them all this transaction's
    # id, so the response's xmin matches the whole roster, never the one invitation closed.
    session.execute(
        update(LeaderInvitation)
        .where(LeaderInvitation.wave_id == invitation.wave_id, LeaderInvitation.id != invitation.id)
        .values(completed_on=LeaderInvitation.completed_on)
        .execution_options(synchronize_session=False)
    )
    session.add(LeaderResponse(
        wave_id=invitation.wave_id, group_code=invitation.group_code,
        unit_type=UNIT_TYPE_OF_GROUP[invitation.group_code].value, submitted_on=today,
        answers=stored_answers(questionnaire, answers),
    ))
    session.execute(delete(LeaderDraft).where(LeaderDraft.invitation_id == invitation.id))
    session.commit()
    return True


def purge_closed_drafts(session: Session, today: dt.date) -> int:
    """Delete the unsent answers of waves that no longer accept them (caller commits).

    A draft sits beside a name until it is sent; once its wave is over it can never be sent,
    so it must not outlive the wave.
    """
    closed = select(Wave.id).where(or_(Wave.status != WaveStatus.OPEN, Wave.closes_on < today))
    invitations = select(LeaderInvitation.id).where(LeaderInvitation.wave_id.in_(closed))
    result = session.execute(delete(LeaderDraft).where(LeaderDraft.invitation_id.in_(invitations))
                             .execution_options(synchronize_session=False))
    return result.rowcount
