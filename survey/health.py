"""Liveness and database health for load balancers and monitoring."""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from survey.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """Report whether the app can query its database."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        db.session.rollback()
        return jsonify(status="error", database="unreachable", detail=type(exc).__name__), 503
    return jsonify(status="ok", database="ok", backend=db.engine.dialect.name)
