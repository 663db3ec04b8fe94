"""The audit log viewer, for the province admin only."""

from __future__ import annotations

from flask import render_template, request
from sqlalchemy import select

from survey.admin import bp
from survey.admin.paging import paginate
from survey.auth.scope import roles_required
from survey.extensions import db
from survey.models import AuditLog, UserRole

PAGE_SIZE = 100


@bp.get("/audit")
@roles_required(UserRole.ADMIN)
def audit_log():
    """List audit entries, newest first, filtered by action or username."""
    action = request.args.get("action", "").strip()
    username = request.args.get("username", "").strip()
    query = select(AuditLog)
    if action:
        query = query.where(AuditLog.action == action)
    if username:
        query = query.where(AuditLog.username == username)
    page = paginate(db.session, query.order_by(AuditLog.at.desc(), AuditLog.id.desc()), PAGE_SIZE,
                    action=action, username=username)
    actions = db.session.scalars(select(AuditLog.action).distinct().order_by(AuditLog.action)).all()
    return render_template("admin/audit.html", page=page, action=action, username=username, actions=actions)
