"""JSON API for the one-stop software: issue receipt tokens when it prints a giấy hẹn.

Authenticated with `Authorization: Bearer <key>`, keys from SURVEY_API_KEYS (comma-separated).
Requests are rate-limited per key (an unauthenticated caller per address), so neither a leaked
key nor a stranger can flood the database with tokens. A bad field is repeated in the answer
only as a short excerpt; a body with NUL or a lone surrogate is refused by `survey.inputs`.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import Blueprint, current_app, jsonify, request
from flask_limiter.util import get_remote_address
from sqlalchemy import select

from survey.audit import record
from survey.extensions import db, limiter
from survey.inputs import excerpt
from survey.models import ServiceCentre, ServiceField
from survey.respond.receipts import MAX_BATCH, ReceiptError, issue_batch, receipt_url

MAX_CODE = 40  # longer than any centre or field code; a longer value is not looked up
RATE_LIMIT = "120 per minute"
"""Default of RATE_LIMIT_API: a one-stop system asks once per printed batch, a few a minute."""
NOT_AN_OBJECT = ("the body must be a JSON object such as {\"centre\": \"24001\"}, "
                 "in UTF-8 without NUL or lone surrogates")

bp = Blueprint("api", __name__, url_prefix="/api")


def _key() -> str | None:
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    return key if scheme.lower() == "bearer" and key else None


def _authorised() -> bool:
    key = _key()
    return key is not None and any(hmac.compare_digest(key, known) for known in current_app.config["API_KEYS"])


def _rate_key() -> str:
    """A known key's bucket (by its hash, so the limiter's store never holds a key), else the address."""
    if _authorised():
        return "api-key:" + hashlib.sha256(_key().encode()).hexdigest()[:16]
    return "api-address:" + get_remote_address()


def _rate_limit() -> str:
    return current_app.config.get("RATE_LIMIT_API", RATE_LIMIT)


def _problem(status: int, message: str, field: str | None = None):
    return jsonify(error=message, field=field, status=status), status


@bp.post("/receipts")
@limiter.limit(_rate_limit, key_func=_rate_key)
def issue_receipts():
    """Issue single-use receipt tokens for one centre and return their QR URLs."""
    if not _authorised():
        return _problem(401, "missing or invalid API key (Authorization: Bearer <key>)")
    try:
        payload = request.get_json(silent=True)
    except RecursionError:  # nesting deeper than the JSON parser's recursion limit
        payload = None
    if not isinstance(payload, dict):
        return _problem(400, NOT_AN_OBJECT)
    centre_code = payload.get("centre")
    centre = db.session.scalar(select(ServiceCentre).where(ServiceCentre.code == str(centre_code))) \
        if isinstance(centre_code, (str, int)) and len(str(centre_code)) <= MAX_CODE else None
    if centre is None:
        return _problem(400, f"unknown centre {excerpt(str(centre_code))!r}", "centre")
    count = payload.get("count", 1)
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_BATCH:
        return _problem(400, f"count must be a whole number from 1 to {MAX_BATCH}", "count")
    field = None
    if payload.get("field") is not None:
        wanted = payload["field"]
        field = db.session.scalar(select(ServiceField).where(ServiceField.code == str(wanted))) \
            if isinstance(wanted, (str, int)) and len(str(wanted)) <= MAX_CODE else None
        if field is None:
            return _problem(400, f"unknown field {excerpt(str(payload['field']))!r}", "field")
    try:
        tokens = issue_batch(db.session, centre, count, field=field, issued_by="api")
    except ReceiptError as exc:
        return _problem(400, str(exc), "centre")
    record("receipt_batch_issue", centre.code, username="api", count=count,
           field=field.code if field else None)
    db.session.commit()
    base = current_app.config["PUBLIC_BASE_URL"]
    return jsonify(
        centre=centre.code,
        field=field.code if field else None,
        tokens=[{"token": t, "url": receipt_url(base, t)} for t in tokens],
    ), 201
