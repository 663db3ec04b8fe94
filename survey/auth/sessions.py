"""Staff sessions that end on the server, not only in the browser that held them.

The session cookie is signed but kept by the browser, so deleting it at logout does nothing
to a copy taken earlier. Each account therefore has a `session_generation`, and the id
Flask-Login keeps in the cookie is `<user id>:<generation>`; the user loader refuses an id
whose generation is not the account's current one. Logout, the idle timeout, a password
change or reset and an admin's "end all sessions" move the generation on, so every cookie
issued before — in this browser, on another device, or copied — fails at its next request.

Idle timeout: every response to a signed-in browser stamps `last_seen` into the session,
the login response included, so the limit runs from the first cookie the account is given.
A request arriving more than SESSION_IDLE_MINUTES after the stamp it carries ends the
account's sessions everywhere; a signed-in session with no stamp is treated as idle.
"""

from __future__ import annotations

import time

from flask import Flask, Response, flash, session

from survey.audit import record
from survey.extensions import db
from survey.models import User

DEFAULT_IDLE_MINUTES = 30
LAST_SEEN_KEY = "last_seen"
USER_ID_KEY = "_user_id"  # where Flask-Login keeps the session id
IDLE_MESSAGE = "Phiên làm việc đã hết hạn do không hoạt động. Vui lòng đăng nhập lại."


def end_sessions(user: User) -> None:
    """End every session of `user`, on every device and every copy of its cookie (caller commits)."""
    user.session_generation = (user.session_generation or 0) + 1


def current_holder(session_id: str | None) -> User | None:
    """The active account whose current session id is `session_id`, else None."""
    raw_id, _, _ = (session_id or "").partition(":")
    if not raw_id.isdigit():
        return None
    user = db.session.get(User, int(raw_id))
    if user is None or not user.active or user.get_id() != session_id:
        return None
    return user


def expire_idle_session(idle_seconds: int, now: float | None = None) -> bool:
    """End a signed-in session idle for longer than `idle_seconds`, everywhere; say whether it was."""
    if USER_ID_KEY not in session:
        return False
    now = time.time() if now is None else now
    last_seen = session.get(LAST_SEEN_KEY)
    if isinstance(last_seen, (int, float)) and now - last_seen <= idle_seconds:
        return False
    # Only a still-current session moves the generation on: replaying an old, already dead
    # cookie must not sign the account out of its newer sessions.
    user = current_holder(session.get(USER_ID_KEY))
    if user is not None:
        end_sessions(user)
        record("session_idle_end", user.username, username=user.username)
        db.session.commit()
    session.clear()
    flash(IDLE_MESSAGE, "warning")
    return True


def stamp_last_seen(now: float | None = None) -> None:
    """Record this response's time in a signed-in session (the login response included)."""
    if USER_ID_KEY in session:
        session[LAST_SEEN_KEY] = int(time.time() if now is None else now)


def init_app(app: Flask) -> None:
    """Check the idle limit before each request and stamp the session after it."""
    app.config.setdefault("SESSION_IDLE_MINUTES", DEFAULT_IDLE_MINUTES)

    @app.before_request
    def _idle_timeout() -> None:
        expire_idle_session(int(float(app.config["SESSION_IDLE_MINUTES"]) * 60))

    @app.after_request
    def _last_seen(response: Response) -> Response:
        stamp_last_seen()
        return response
