"""Failed-login throttling: a per-account temporary lockout and a per-address ceiling.

The account counter lives on the user row (`failed_logins`, `locked_until`) so it holds
across worker processes. Each attempt is counted by one UPDATE *before* the password is
checked, so guesses sent in parallel cannot overwrite each other's count: at most
LOGIN_MAX_FAILURES passwords are ever checked before the lock.

Guessing across many usernames from one address is bounded by counting that address's recent
failures in the audit log (by IP hash, never the IP). Past ADDRESS_MAX_FAILURES the address
is *throttled*, and that must not refuse a correct password: behind a misconfigured proxy the
address is everyone's, and 30 failures by anyone would lock every colleague out (issue 23).
So a throttled address still signs in an account that is not locked with its right password;
what it loses is the allowance: one wrong password from it locks that account at once
(`register_failure(..., last_chance=True)`), so a guesser gets one guess per account and lock
period instead of LOGIN_MAX_FAILURES, and unknown names get nothing but the same refusal.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from survey.audit import hash_ip
from survey.clock import utcnow
from survey.models import AuditLog, User

LOGIN_FAILED = "login_failed"
ADDRESS_WINDOW = dt.timedelta(minutes=15)
ADDRESS_MAX_FAILURES = 30


def reserve_attempt(session: Session, user: User, now: dt.datetime | None = None) -> int | None:
    """Count this attempt before its password is checked: its number, or None when locked.

    Commit straight after, so parallel requests see the count; an attempt over the allowance
    locks the account without its password ever being checked.
    """
    now = now or utcnow()
    number = session.scalar(
        update(User)
        .where(User.id == user.id, or_(User.locked_until.is_(None), User.locked_until <= now))
        .values(failed_logins=User.failed_logins + 1)
        .returning(User.failed_logins)
        .execution_options(synchronize_session=False)
    )
    if number is None:
        return None
    if number > current_app.config["LOGIN_MAX_FAILURES"]:
        _lock(session, user, now)
        return None
    return number


def register_failure(session: Session, user: User, attempt: int, now: dt.datetime | None = None,
                     last_chance: bool = False) -> bool:
    """A reserved attempt had a wrong password; lock at the last allowed one, or at once when it
    was the `last_chance` (from a throttled address). Say if locked."""
    if last_chance or attempt >= current_app.config["LOGIN_MAX_FAILURES"]:
        _lock(session, user, now or utcnow())
        return True
    return False


def _lock(session: Session, user: User, now: dt.datetime) -> None:
    until = now + dt.timedelta(minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"])
    session.execute(
        update(User).where(User.id == user.id).values(locked_until=until, failed_logins=0)
        .execution_options(synchronize_session=False)
    )


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
