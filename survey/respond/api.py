"""JSON API for the one-stop software: issue receipt tokens when it prints a giấy hẹn.

Authenticated with `Authorization: Bearer <key>`, keys from SURVEY_API_KEYS (comma-separated).
"""

from __future__ import annotations

import hmac

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import select

from survey.audit import record
from survey.extensions import db
from survey.models import ServiceCentre, ServiceField
from survey.respond.receipts import MAX_BATCH, ReceiptError, issue_batch, receipt_url

bp = Blueprint("api", __name__, url_prefix="/api")


def _authorised() -> bool:
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key:
        return False
    return any(hmac.compare_digest(key, known) for known in current_app.config["API_KEYS"])


def _problem(status: int, message: str, field: str | None = None):
    return jsonify(error=message, field=field, status=status), status


@bp.post("/receipts")
def issue_receipts():
    """Issue single-use receipt tokens for one centre and return their QR URLs."""
    if not _authorised():
        return _problem(401, "missing or invalid API key (Authorization: Bearer <key>)")
    try:
        payload = request.get_json(silent=True)
    except RecursionError:  # nesting deeper than the JSON parser's recursion limit
        payload = None
    if not isinstance(payload, dict):
        return _problem(400, "the body must be a JSON object such as {\"centre\": \"24001\"}")
    centre_code = payload.get("centre")
    centre = db.session.scalar(select(ServiceCentre).where(ServiceCentre.code == str(centre_code)))
    if centre is None:
        return _problem(400, f"unknown centre {centre_code!r}", "centre")
    count = payload.get("count", 1)
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_BATCH:
        return _problem(400, f"count must be a whole number from 1 to {MAX_BATCH}", "count")
    field = None
    if payload.get("field") is not None:
        field = db.session.scalar(select(ServiceField).where(ServiceField.code == str(payload["field"])))
        if field is None:
            return _problem(400, f"unknown field {payload['field']!r}", "field")
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
