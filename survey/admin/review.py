"""The review queue: responses with data-quality flags, included or excluded with a reason.

Only the province admin decides; analysts may read. Officers are the ones citizens rate: they
see neither the queue nor a response (only their locality's flags per day, in the summary).
Every reading is audit-logged, and every decision too, one entry per response, also when the
admin decides several at once.

A response is "Chưa xem xét" (pending) until a decision with a reason is recorded; the
decision itself (Giữ lại / Loại) is a separate column, and a pending response counts as kept.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import String, cast, func, select

from survey import labels
from survey.admin import bp, staff
from survey.admin.forms import BulkReviewForm, ReviewForm
from survey.admin.paging import paginate
from survey.audit import record
from survey.auth.scope import centre_criterion, require_centre_access, roles_required, row_level, visible_centres
from survey.enums import ItemType, values
from survey.extensions import db
from survey.models import Response, ReviewStatus, ServiceCentre, UserRole, Wave
from survey.questionnaire import QuestionnaireDefinition
from survey.questionnaire.versions import questionnaire_of

EVERYONE = (UserRole.ADMIN, UserRole.OFFICER, UserRole.ANALYST)
PENDING = "pending"
STATUSES = (PENDING, ReviewStatus.INCLUDED, ReviewStatus.EXCLUDED)
STATUS_LABELS = {PENDING: "Chưa xem xét", ReviewStatus.INCLUDED: "Đã quyết định: giữ lại",
                 ReviewStatus.EXCLUDED: "Đã quyết định: loại"}
NO_IDS = "Chưa chọn phiếu nào."


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


def flagged(flag: str = "", status: str = "", wave_code: str = "", centre_id: int | None = None):
    """The query of flagged responses in the user's scope, narrowed by the queue's filters."""
    query = (
        select(Response).join(ServiceCentre, ServiceCentre.id == Response.centre_id)
        .where(centre_criterion(staff()), func.json_array_length(Response.quality_flags) > 0)
    )
    if flag in labels.LABELS["flag"]:
        # Flags are stored as a JSON list of known codes; the quoted code matches one element.
        query = query.where(cast(Response.quality_flags, String).like(f'%"{flag}"%'))
    if status == PENDING:
        query = query.where(Response.review_reason.is_(None))
    elif status in values(ReviewStatus):
        query = query.where(Response.review_reason.is_not(None), Response.review_status == status)
    if wave_code:
        query = query.join(Wave, Wave.id == Response.wave_id).where(Wave.code == wave_code)
    if centre_id:
        query = query.where(Response.centre_id == centre_id)
    return query.order_by(Response.review_reason.is_not(None), Response.submitted_at.desc(), Response.id)


@bp.get("/review")
@roles_required(UserRole.ADMIN, UserRole.ANALYST)
@row_level
def review_queue():
    """List flagged responses in scope, pending ones first, a page at a time."""
    filters = {
        "flag": request.args.get("flag", ""),
        "status": request.args.get("status", ""),
        "wave": request.args.get("wave", ""),
        "centre": request.args.get("centre", 0, type=int) or None,
    }
    page = paginate(db.session, flagged(filters["flag"], filters["status"], filters["wave"], filters["centre"]),
                    **filters)
    waves = db.session.scalars(select(Wave.code).order_by(Wave.opens_on.desc())).all()
    return render_template(
        "admin/review.html", page=page, filters=filters, waves=waves, statuses=STATUS_LABELS,
        centres=visible_centres(db.session, staff()), form=BulkReviewForm(),
        can_decide=staff().role == UserRole.ADMIN,
    )


def _decide(response: Response, decision: str, reason: str) -> None:
    old = response.review_status
    response.review_status = decision
    response.review_reason = reason
    record("response_review", str(response.id), old=old, new=decision, reason=reason,
           flags=list(response.quality_flags or []))


@bp.post("/review")
@roles_required(UserRole.ADMIN)
def review_bulk():
    """Include or exclude the chosen responses at once, with one reason for all."""
    form = BulkReviewForm()
    back = url_for("admin.review_queue", **{k: v for k, v in request.args.items()
                                            if k != "page" and not k.startswith("_")})
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return redirect(back)
    ids = []
    for raw in request.form.getlist("ids"):
        try:
            ids.append(uuid.UUID(raw))
        except ValueError:
            abort(400)
    if not ids:
        flash(NO_IDS, "error")
        return redirect(back)
    responses = [_response(response_id) for response_id in ids]
    for response in responses:
        _decide(response, form.decision.data, form.reason.data.strip())
    db.session.commit()
    flash(f"Đã ghi nhận quyết định cho {len(responses)} phiếu.", "success")
    return redirect(back)


@dataclass(frozen=True)
class ShownAnswer:
    question: str
    answer: str
    score: int | None


def answers_by_page(questionnaire: QuestionnaireDefinition, response: Response) -> list[tuple[str, list[ShownAnswer]]]:
    """The response's answers as question text and choice labels, in questionnaire order by page."""
    stored = {answer.item_code: answer for answer in response.answers}
    groups: list[tuple[str, list[ShownAnswer]]] = []
    for page in questionnaire.pages:
        shown = []
        for item in page.items:
            answer = stored.pop(item.code, None)
            if answer is None:
                continue
            text = answer.value or ""
            if item.choices is not None:
                chosen = text.split(" ") if item.type == ItemType.SELECT_MANY else [text]
                text = ", ".join(
                    questionnaire.text(choice.label, "vi") if (choice := item.choices.choice(v)) else v
                    for v in chosen
                )
            shown.append(ShownAnswer(questionnaire.text(item.label, "vi"), text, answer.score))
        if shown:
            groups.append((questionnaire.text(page.title, "vi"), shown))
    if stored:  # answers to items no longer in the definition: shown, never hidden
        groups.append(
            ("Câu hỏi khác", [ShownAnswer(code, a.value or "", a.score) for code, a in sorted(stored.items())])
        )
    return groups


@bp.route("/responses/<uuid:response_id>", methods=["GET", "POST"])
@roles_required(UserRole.ADMIN, read_roles=(UserRole.ANALYST,))
@row_level
def response_detail(response_id: uuid.UUID):
    """Show one response's answers and flags; the admin includes or excludes it with a reason."""
    response = _response(response_id)
    form = ReviewForm(decision=response.review_status)
    if form.validate_on_submit():
        _decide(response, form.decision.data, form.reason.data.strip())
        db.session.commit()
        flash("Đã ghi nhận quyết định xem xét.", "success")
        return redirect(url_for("admin.review_queue"))
    groups = answers_by_page(questionnaire_of(response.wave), response)
    return render_template("admin/response.html", response=response, groups=groups, form=form,
                           can_decide=staff().role == UserRole.ADMIN), 400 if form.errors else 200
