"""Answers in progress under an invitation, and the one-time move of a sheet into the mix.

Every request that writes starts by locking the invitation (`hold`), so a double tap or a
second tab waits for, then sees, a submission racing it: one sheet per invitation. The draft is
stored encrypted under a key of the token and the leader's browser (survey.leaders.sealing);
submitting seals the sheet into the mix (survey.leaders.mix), deletes the draft and, on SQLite,
overwrites the deleted bytes and checkpoints the WAL so the old pages do not linger in either
file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from survey.enums import ItemType
from survey.leaders.mix import is_sealed, release, seal
from survey.leaders.sealing import open_draft, seal_draft
from survey.models import LeaderDraft, LeaderInvitation, Wave, WaveStatus
from survey.questionnaire import QuestionnaireDefinition
from survey.questionnaire.scrub import scrub_free_text


@dataclass
class Draft:
    """A draft in the clear, for the length of one request."""

    page: int = 0
    answers: dict[str, Any] = field(default_factory=dict)


def hold(session: Session, invitation: LeaderInvitation) -> bool:
    """Mark the invitation opened and lock its row for this request; False once its sheet is sent.

    A POST is the only way here: a GET of the link (a preview bot's too) changes nothing.
    """
    result = session.execute(
        update(LeaderInvitation)
        .where(LeaderInvitation.id == invitation.id, LeaderInvitation.completed.is_(False))
        .values(opened=True)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1 or is_sealed(session, invitation):
        session.rollback()
        return False
    return True


def draft_of(session: Session, invitation: LeaderInvitation, secret: str) -> Draft:
    """The invitation's draft opened with ``secret``; empty when there is none or another
    link or browser sealed it (saving then replaces it)."""
    row = session.get(LeaderDraft, invitation.id)
    opened = None if row is None else open_draft(secret, invitation.id, row.box)
    return Draft() if opened is None else Draft(*opened)


def save_draft(session: Session, invitation: LeaderInvitation, secret: str, draft: Draft,
               answers: dict[str, Any], page: int) -> None:
    """Keep the answers so far and the page reached, encrypted (caller commits)."""
    draft.answers = {code: value for code, value in answers.items() if value is not None}
    draft.page = page
    secure_delete(session)  # the replaced box is overwritten, not left in the page's free space
    box = seal_draft(secret, invitation.id, page, draft.answers)
    row = session.get(LeaderDraft, invitation.id)
    if row is None:
        session.add(LeaderDraft(invitation_id=invitation.id, box=box))
    else:
        row.box = box


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
             invitation: LeaderInvitation, answers: dict[str, Any]) -> None:
    """Seal the sheet into the mix and delete the draft, in one transaction (caller holds the lock)."""
    secure_delete(session)
    seal(session, invitation, stored_answers(questionnaire, answers))
    session.execute(delete(LeaderDraft).where(LeaderDraft.invitation_id == invitation.id))
    session.commit()
    checkpoint(session)


def purge_closed_drafts(session: Session, today: dt.date) -> int:
    """Delete the unsent answers of waves that no longer accept them (caller commits).

    A draft can never be sent once its wave is over, so it must not outlive the wave.
    """
    closed = select(Wave.id).where(or_(Wave.status != WaveStatus.OPEN, Wave.closes_on < today))
    invitations = select(LeaderInvitation.id).where(LeaderInvitation.wave_id.in_(closed))
    secure_delete(session)
    result = session.execute(delete(LeaderDraft).where(LeaderDraft.invitation_id.in_(invitations))
                             .execution_options(synchronize_session=False))
    return result.rowcount


def settle(session: Session, wave: Wave, today: dt.date) -> None:
    """Release the wave's due blocks and delete the drafts of waves that are over; commits."""
    release(session, wave, today)
    purge_closed_drafts(session, today)
    session.commit()
    checkpoint(session)


def secure_delete(session: Session) -> None:
    """On SQLite, overwrite deleted rows with zeros on this connection (PostgreSQL: see docs)."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA secure_delete = ON")


def checkpoint(session: Session) -> None:
    """On SQLite, copy the WAL into the database and truncate it, so old frames do not linger.

    Best effort: while another connection reads, SQLite copies what it can and keeps the rest
    until the next checkpoint (docs/security.md).
    """
    engine = session.get_bind().engine
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as connection:
        # no waiting: a reader now only postpones the truncation to the next checkpoint
        (timeout,) = connection.exec_driver_sql("PRAGMA busy_timeout").one()
        connection.exec_driver_sql("PRAGMA busy_timeout = 0")
        try:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").all()
        finally:
            connection.exec_driver_sql(f"PRAGMA busy_timeout = {int(timeout)}")
            connection.rollback()
