"""The audit log viewer, for the province admin only."""

from __future__ import annotations

from flask import render_template, request
from sqlalchemy import func, select

from survey.admin import bp
from survey.extensions import db
from survey.models import AuditLog, UserRole
from survey.auth.scope import roles_required

PAGE_SIZE = 100


@bp.get("/audit")
@roles_required(UserRole.ADMIN)
def audit_log():
    """List audit entries, newest first, filtered by action or username."""
    action = request.args.get("action", "").strip()
    username = request.args.get("username", "").strip()
    requested = request.args.get("page", 1, type=int) or 1
    query = select(AuditLog)
    if action:
        query = query.where(AuditLog.action == action)
    if username:
        query = query.where(AuditLog.username == username)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    # A page past the last (99999999999999999999 included) shows the last, not an overflow.
    page = min(max(requested, 1), max(1, -(-total // PAGE_SIZE)))
    entries = db.session.scalars(
        query.order_by(AuditLog.at.desc(), AuditLog.id.desc()).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    ).all()
    actions = db.session.scalars(select(AuditLog.action).distinct().order_by(AuditLog.action)).all()
    return render_template(
        "admin/audit.html", entries=entries, action=action, username=username, actions=actions,
        page=page, pages=max(1, -(-total // PAGE_SIZE)), total=total,
    )
