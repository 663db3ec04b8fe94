"""What the app does when its database fails under it: retry, refuse politely, alert, report.

- A dropped connection (PostgreSQL restarted, `pg_terminate_backend`, a network blip) is
  retried once for an idempotent request: GET/HEAD, and views marked `@idempotent` (the
  citizen's page post, whose submission id makes a resend store nothing twice). The pool's
  pre-ping catches most dead connections before a request uses them; this covers the rest.
- A database that refuses writes (read-only file or server, disk full) raises `WriteRefused`
  handling: one CRITICAL log line (the alert) and a note that `/healthz` reports for a while.
- Ending a request never lets a failing rollback escape to the WSGI server, whose bare
  English "Internal Server Error" would replace the app's own page.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
import time
from typing import Callable

from flask import Flask, request
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from survey.extensions import db

log = logging.getLogger(__name__)

# Error texts by which SQLite and PostgreSQL say a write cannot happen at all (not a lock).
WRITE_REFUSED_MARKERS = (
    "readonly database",  # SQLite: attempt to write a readonly database
    "read-only transaction",  # PostgreSQL: cannot execute INSERT in a read-only transaction
    "disk is full",  # SQLite: database or disk is full
    "disk full",  # PostgreSQL DiskFull: could not extend file ... No space left on device
    "no space left on device",
    "disk i/o error",  # SQLite: the file vanished or its directory is not writable
)
LOCK_MARKERS = ("database is locked", "database table is locked")
RECENT_FAILURE_SECONDS = 300
MIN_FREE_BYTES = 100 * 1024 * 1024


class _WriteFailures:
    """When writes last failed in this process, for /healthz."""

    def __init__(self):
        self._lock = threading.Lock()
        self.at: float | None = None
        self.reason = ""

    def note(self, reason: str) -> None:
        with self._lock:
            self.at, self.reason = time.monotonic(), reason

    def recent(self) -> str | None:
        with self._lock:
            if self.at is not None and time.monotonic() - self.at < RECENT_FAILURE_SECONDS:
                return self.reason
        return None


write_failures = _WriteFailures()


def idempotent(view: Callable) -> Callable:
    """Mark a POST view as safe to run twice, so a dropped connection is retried once."""
    view.idempotent = True
    return view


def is_disconnect(exc: BaseException) -> bool:
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


def is_write_refused(exc: BaseException) -> bool:
    message = str(getattr(exc, "orig", exc)).lower()
    return isinstance(exc, DBAPIError) and any(marker in message for marker in WRITE_REFUSED_MARKERS)


def is_locked(exc: BaseException) -> bool:
    message = str(getattr(exc, "orig", exc)).lower()
    return isinstance(exc, DBAPIError) and any(marker in message for marker in LOCK_MARKERS)


def alert_write_refused(exc: BaseException) -> None:
    """Log the alert an operator must act on, and remember it for /healthz."""
    reason = str(getattr(exc, "orig", exc)).splitlines()[0][:200]
    write_failures.note(reason)
    log.critical("DATABASE REFUSES WRITES (read-only or disk full): %s", reason)


def discard_session() -> None:
    """Roll the request's session back and drop it, whatever state its connection is in."""
    try:
        db.session.rollback()
    except Exception as exc:  # a dead connection can fail its own rollback
        log.warning("rollback failed while discarding the session: %s", type(exc).__name__)
    try:
        db.session.remove()
    except Exception as exc:
        log.warning("closing the session failed: %s", type(exc).__name__)


def write_health() -> dict[str, str]:
    """Whether the database can be written: a static look plus this process's recent failures."""
    found: dict[str, str] = {}
    engine = db.engine
    if engine.dialect.name == "sqlite":
        path = engine.url.database
        if path and path != ":memory:":
            folder = os.path.dirname(os.path.abspath(path))
            if not (os.access(path, os.W_OK) and os.access(folder, os.W_OK)):
                found["writable"] = "no: the database file or its folder is read-only"
            elif shutil.disk_usage(folder).free < MIN_FREE_BYTES:
                found["writable"] = "no: less than 100 MB free on the database's disk"
    else:
        read_only = db.session.execute(
            text("SELECT current_setting('transaction_read_only') = 'on' OR pg_is_in_recovery()")
        ).scalar()
        if read_only:
            found["writable"] = "no: the server is read-only (standby or default_transaction_read_only)"
    if recent := write_failures.recent():
        found["recent_write_failure"] = recent
    return found


def init_app(app: Flask) -> None:
    """Install the retry around view dispatch and a teardown that cannot fail (after db.init_app)."""
    dispatch = app.dispatch_request

    def dispatch_with_one_retry():
        try:
            return dispatch()
        except SQLAlchemyError as exc:
            view = app.view_functions.get(request.endpoint)
            retry = request.method in ("GET", "HEAD") or getattr(view, "idempotent", False)
            if not (retry and is_disconnect(exc)):
                raise
            log.warning("database connection lost during %s %s; retrying once", request.method, request.path)
            discard_session()
            return dispatch()

    app.dispatch_request = dispatch_with_one_retry

    # Teardown functions run last-registered first: this one leaves nothing for
    # Flask-SQLAlchemy's own `session.remove()`, which would raise on a dead connection.
    @app.teardown_appcontext
    def _remove_session_quietly(exc: BaseException | None) -> None:
        discard_session()
