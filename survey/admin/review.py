"""The review queue: responses with data-quality flags, included or excluded with a reason.

Only the province admin decides; analysts may read. Officers are the ones citizens rate: they
see neither the queue nor a response (only their locality's flags per day, in the summary).
Every decision and every reading is audit-logged.
"""

from __future__ import annotations

import uuid

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from survey.admin import bp, staff
from survey.audit import record
from survey.extensions import db
from survey.forms.admin import ReviewForm
from survey.models import Response, ReviewStatus, ServiceCentre, UserRole, Wave
from survey.auth.scope import centre_criterion, require_centre_access, roles_required, row_level

QUEUE_SHOWN = 300


def _response(response_id: uuid.UUID) -> Response:
    """The response if it belongs to a centre in the user's scope, else 404."""
    response = db.session.get(Response, response_id)
    if response is None:
        abort(404)
    if response.centre_id is None:
        if staff().role == UserRole.OFFICER:
            abort(404)
        return response
    require_centre_access(staff(), response.centre)
    return response


@bp.get("/review")
@roles_required(UserRole.ADMIN, UserRole.ANALYST)
@row_level
def review_queue():
    """List flagged responses in scope, undecided-looking ones first."""
    status = request.args.get("status", "")
    wave_code = request.args.get("wave", "")
    query = (
        select(Response).join(ServiceCentre, ServiceCentre.id == Response.centre_id)
        .where(centre_criterion(staff()), func.json_array_length(Response.quality_flags) > 0)
        .order_by(Response.review_reason.is_not(None), Response.submitted_at.desc())
        .limit(QUEUE_SHOWN)
    )
    if status in ReviewStatus.ALL:
        query = query.where(Response.review_status == status)
    if wave_code:
        query = query.join(Wave, Wave.id == Response.wave_id).where(Wave.code == wave_code)
    responses = db.session.scalars(query).all()
    waves = db.session.scalars(select(Wave.code).order_by(Wave.opens_on.desc())).all()
    return render_template("admin/review.html", responses=responses, status=status, wave_code=wave_code,
                           waves=waves, statuses=ReviewStatus.ALL)


@bp.route("/responses/<uuid:response_id>", methods=["GET", "POST"])
@roles_required(UserRole.ADMIN, read_roles=(UserRole.ANALYST,))
@row_level
def response_detail(response_id: uuid.UUID):
    """Show one response's answers and flags; the admin includes or excludes it with a reason."""
    response = _response(response_id)
    form = ReviewForm(decision=response.review_status)
    if form.validate_on_submit():
        old = response.review_status
        response.review_status = form.decision.data
        response.review_reason = form.reason.data.strip()
        record("response_review", str(response.id), old=old, new=response.review_status,
               reason=response.review_reason, flags=list(response.quality_flags or []))
        db.session.commit()
        flash("Đã ghi nhận quyết định xem xét.", "success")
        return redirect(url_for("admin.review_queue"))
    answers = sorted(response.answers, key=lambda a: a.item_code)
    return render_template("admin/response.html", response=response, answers=answers, form=form,
                           can_decide=staff().role == UserRole.ADMIN), 400 if form.errors else 200
