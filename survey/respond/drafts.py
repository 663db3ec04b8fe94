"""A server copy of each questionnaire's answers while it is being filled.

A phone's own Back button shows an earlier page from the browser's cache, with the signed state
of that moment; posting it would forget the answers of the pages after it. Each page post
therefore saves the answers so far under the submission UUID, and merges them back in. The
copy is best-effort: the signed state remains the primary record, so a draft write that fails
(SQLite locked past its busy timeout, a dropped connection) is logged and the page goes on.

Double taps race here: the winner stores the response and deletes the draft while the loser
writes it. The write is one upsert statement (no read-modify-write that could find its row
gone), it writes nothing once the response exists, and the loser deletes the draft again when it
finds the response stored (`store.store_response`).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy import bindparam, delete, exists, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert

from survey.clock import utcnow
from survey.db import SQLITE_BUSY_TIMEOUT_MS
from survey.enums import ItemType
from survey.models import Response, ResponseDraft
from survey.questionnaire import QuestionnaireDefinition
from survey.respond.state import FormState

KEEP_UNFINISHED = dt.timedelta(days=2)
# A draft is not worth a long wait: past this, a lock held by another writer skips the draft.
DRAFT_LOCK_WAIT_MS = 1000

log = logging.getLogger(__name__)


def recent_answers(session: Session, state: FormState, since: dt.datetime) -> dict[str, Any]:
    """The saved answers of this submission, if a page of it was posted at `since` or later."""
    draft = session.get(ResponseDraft, state.response_id)
    if draft is None or draft.updated_at < since:
        return {}
    return dict(draft.answers)


def remember(session: Session, questionnaire: QuestionnaireDefinition, state: FormState) -> None:
    """Save the answers so far, free text excepted (it is scrubbed only when stored); never raise."""
    items = questionnaire.items_by_code
    answers = {
        code: value for code, value in state.answers.items()
        if code not in items or items[code].type != ItemType.TEXT
    }
    upsert = _UPSERT[session.get_bind().dialect.name]
    try:
        _write_briefly(session, upsert, {"submission_id": state.response_id, "answers": answers,
                                         "updated_at": utcnow()})
        session.commit()
    except SQLAlchemyError as exc:
        session.rollback()
        log.warning("draft of submission %s not saved (the page state still holds it): %s",
                    state.response_id, type(exc).__name__)


def _upsert(insert) -> Insert:
    """The draft upsert, written only while the response is not stored, in one statement: a
    double tap's loser that gets here after the winner stored and deleted the draft writes nothing."""
    table = ResponseDraft.__table__  # Core, not the ORM entity: parameters then bind as they are
    columns = table.c
    row = select(
        bindparam("submission_id", type_=columns.submission_id.type),
        bindparam("answers", type_=columns.answers.type),
        bindparam("updated_at", type_=columns.updated_at.type),
    ).where(~exists().where(Response.id == bindparam("submission_id")))
    upsert = insert(table).from_select(["submission_id", "answers", "updated_at"], row)
    return upsert.on_conflict_do_update(
        index_elements=[columns.submission_id],
        set_={"answers": upsert.excluded.answers, "updated_at": upsert.excluded.updated_at},
    )


# Built once per dialect: constructing the statement costs about as much as running it.
_UPSERT = {"postgresql": _upsert(postgresql.insert), "sqlite": _upsert(sqlite.insert)}


def _write_briefly(session: Session, statement, parameters: dict) -> None:
    """Execute `statement` waiting at most DRAFT_LOCK_WAIT_MS for a lock, on either database.

    The wait is set on the driver's connection directly: through SQLAlchemy, the two settings
    cost more CPU than the write itself. The statement is Core, run on the session's
    connection without the ORM's execution steps.
    """
    connection = session.connection()  # the transaction's one connection, until commit
    driver = connection.connection.dbapi_connection
    if connection.dialect.name == "sqlite":
        # A WAL writer takes the write lock at its first write and keeps it to COMMIT, so the
        # short wait covers the statement; the usual timeout is back before anything else runs.
        driver.execute(f"PRAGMA busy_timeout = {DRAFT_LOCK_WAIT_MS}")
        try:
            connection.execute(statement, parameters)
        finally:
            driver.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    else:
        # Inside the transaction the page post's read began, so LOCAL lasts until its commit.
        driver.execute(f"SET LOCAL lock_timeout = '{DRAFT_LOCK_WAIT_MS}ms'")
        connection.execute(statement, parameters)


def forget(session: Session, state: FormState) -> None:
    """Drop this submission's draft and any draft left unfinished for too long (caller commits)."""
    session.execute(delete(ResponseDraft).where(
        (ResponseDraft.submission_id == state.response_id)
        | (ResponseDraft.updated_at < utcnow() - KEEP_UNFINISHED)
    ))
