"""Liveness and database health for load balancers and monitoring.

`database` says whether a query runs; `writes` whether the database can take writes (a
read-only file or server, a nearly full disk, or writes that failed in this process in the
last minutes). Either problem answers 503, so a monitor alerts on the status code alone.
"""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from survey.extensions import db
from survey.resilience import write_health

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """Report whether the app can query and write its database."""
    try:
        db.session.execute(text("SELECT 1"))
        writes = write_health()
    except SQLAlchemyError as exc:
        db.session.rollback()
        return jsonify(status="error", database="unreachable", detail=type(exc).__name__), 503
    if writes:
        return jsonify(status="error", database="ok", writes="refused", backend=db.engine.dialect.name, **writes), 503
    return jsonify(status="ok", database="ok", writes="ok", backend=db.engine.dialect.name)
