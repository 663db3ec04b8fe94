"""The audit trail: who did what, when and from where, for every admin change, export and login.

Call `record(...)` beside the change it describes; the entry joins the caller's transaction,
so it is committed (or rolled back) together with the change itself. IP addresses are
stored only as a keyed hash (HMAC-SHA256 with the app's secret key), never in clear.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from flask import current_app, has_request_context, request
from flask_login import current_user

from survey.extensions import db
from survey.models import AuditLog

_IP_HASH_CONTEXT = b"survey-ip-v1:"


def hash_ip(ip: str | None) -> str | None:
    """Keyed hash of an IP address, stable for this installation and irreversible without the key."""
    if not ip:
        return None
    key = current_app.config["SECRET_KEY"].encode("utf-8")
    return hmac.new(key, _IP_HASH_CONTEXT + ip.encode("utf-8"), hashlib.sha256).hexdigest()


def _current_username() -> str | None:
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.username
    return None


def _jsonable(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


def record(
    action: str, target: str | None = None, *, username: str | None = None, **detail: Any
) -> AuditLog:
    """Add an audit entry to the current session; the caller's commit stores it.

    `username` defaults to the logged-in user (None for the public side or the CLI);
    `detail` must not carry personal data or passwords.
    """
    ip = request.remote_addr if has_request_context() else None
    entry = AuditLog(
        username=username if username is not None else _current_username(),
        action=action,
        target=None if target is None else str(target)[:200],
        detail=_jsonable(detail),
        ip_hash=hash_ip(ip),
    )
    db.session.add(entry)
    return entry
