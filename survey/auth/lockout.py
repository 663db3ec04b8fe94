"""Failed-login throttling: a per-account temporary lockout and a per-address ceiling.

The account counter lives on the user row (`failed_logins`, `locked_until`) so it holds
across worker processes. Guessing across many usernames from one address is bounded by
counting that address's recent failures in the audit log (by IP hash, never the IP).
"""

from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey.audit import hash_ip
from survey.db import utcnow
from survey.models import AuditLog, User

LOGIN_FAILED = "login_failed"
ADDRESS_WINDOW = dt.timedelta(minutes=15)
ADDRESS_MAX_FAILURES = 30


def is_locked(user: User, now: dt.datetime | None = None) -> bool:
    """Whether the account is inside a temporary lockout."""
    now = now or utcnow()
    return user.locked_until is not None and user.locked_until > now


def register_failure(user: User, now: dt.datetime | None = None) -> bool:
    """Count a wrong password; lock the account after too many. Say whether it is now locked."""
    now = now or utcnow()
    user.failed_logins = (user.failed_logins or 0) + 1
    if user.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"]:
        user.locked_until = now + dt.timedelta(minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"])
        user.failed_logins = 0
        return True
    return False


def register_success(user: User, now: dt.datetime | None = None) -> None:
    """Reset the failure counter after a good login."""
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now or utcnow()


def address_throttled(session: Session, ip: str | None, now: dt.datetime | None = None) -> bool:
    """Whether this address has failed too many logins recently, whatever the usernames."""
    digest = hash_ip(ip)
    if digest is None:
        return False
    since = (now or utcnow()) - ADDRESS_WINDOW
    failures = session.scalar(
        select(func.count(AuditLog.id)).where(
            AuditLog.action == LOGIN_FAILED, AuditLog.ip_hash == digest, AuditLog.at >= since
        )
    )
    return (failures or 0) >= ADDRESS_MAX_FAILURES
