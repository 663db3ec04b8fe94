"""A server copy of each questionnaire's answers while it is being filled.

A phone's own Back button shows an earlier page from the browser's cache, with the signed state
of that moment; posting it would forget the answers of the pages after it. Each page post
therefore saves the answers so far under the submission UUID, and merges them back in. The
copy is best-effort: the signed state remains the primary record, so a draft write that fails
(SQLite locked past its busy timeout, a dropped connection) is logged and the page goes on.

Double taps race here: the winner stores the response and deletes the draft while the loser
writes it. The write is one upsert statement (no read-modify-write that could find its row
gone), it is skipped once the response exists, and the loser deletes the draft again when it
finds the response stored (`store.store_response`).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy import delete, exists, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from survey.clock import utcnow
from survey.db import SQLITE_BUSY_TIMEOUT_MS
from survey.enums import ItemType
from survey.models import Response, ResponseDraft
from survey.questionnaire import QuestionnaireDefinition
from survey.respond.state import FormState

KEEP_UNFINISHED = dt.timedelta(days=2)
INSERT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
# A draft is not worth a long wait: past this, a lock held by another writer skips the draft.
DRAFT_LOCK_WAIT_MS = 1000

log = logging.getLogger(__name__)


def remembered_answers(session: Session, state: FormState) -> dict[str, Any]:
    """The answers saved for this submission by earlier page posts (empty when none)."""
    draft = session.get(ResponseDraft, state.response_id)
    return dict(draft.answers) if draft is not None else {}


def remember(session: Session, questionnaire: QuestionnaireDefinition, state: FormState) -> None:
    """Save the answers so far, free text excepted (it is scrubbed only when stored); never raise."""
    items = questionnaire.items_by_code
    answers = {
        code: value for code, value in state.answers.items()
        if code not in items or items[code].type != ItemType.TEXT
    }
    insert = INSERT[session.get_bind().dialect.name]
    now = utcnow()
    upsert = insert(ResponseDraft).values(submission_id=state.response_id, answers=answers, updated_at=now)
    upsert = upsert.on_conflict_do_update(
        index_elements=[ResponseDraft.submission_id],
        set_={"answers": upsert.excluded.answers, "updated_at": upsert.excluded.updated_at},
    )
    try:
        if not session.scalar(select(exists().where(Response.id == state.response_id))):
            _write_briefly(session, upsert)
        session.commit()
    except SQLAlchemyError as exc:
        session.rollback()
        log.warning("draft of submission %s not saved (the page state still holds it): %s",
                    state.response_id, type(exc).__name__)


def _write_briefly(session: Session, statement) -> None:
    """Execute `statement` waiting at most DRAFT_LOCK_WAIT_MS for a lock, on either database."""
    connection = session.connection()  # the transaction's one connection, until commit
    if connection.dialect.name == "sqlite":
        # A WAL writer takes the write lock at its first write and keeps it to COMMIT, so the
        # short wait covers the statement; the usual timeout is back before anything else runs.
        connection.exec_driver_sql(f"PRAGMA busy_timeout = {DRAFT_LOCK_WAIT_MS}")
        try:
            session.execute(statement)
        finally:
            connection.exec_driver_sql(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    else:
        session.execute(text(f"SET LOCAL lock_timeout = '{DRAFT_LOCK_WAIT_MS}ms'"))
        session.execute(statement)


def forget(session: Session, state: FormState) -> None:
    """Drop this submission's draft and any draft left unfinished for too long (caller commits)."""
    session.execute(delete(ResponseDraft).where(
        (ResponseDraft.submission_id == state.response_id)
        | (ResponseDraft.updated_at < utcnow() - KEEP_UNFINISHED)
    ))
