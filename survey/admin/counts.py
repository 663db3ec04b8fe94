"""Administrative counts per centre × field × quarter: the base of the survey weights."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select

from survey.admin import bp, staff
from survey.admin.paging import paginate
from survey.admin.countsfile import CountsFileError, parse_counts, upsert_counts
from survey.audit import record
from survey.extensions import db
from survey.forms.admin import CountsUploadForm
from survey.models import AdminCount, ServiceCentre, UserRole
from survey.auth.scope import centre_criterion, roles_required

PROBLEMS_SHOWN = 200


@bp.route("/counts", methods=["GET", "POST"])
@roles_required(UserRole.ADMIN, UserRole.OFFICER, read_roles=(UserRole.ANALYST,))
def counts():
    """List counts in scope and upload a file of them, all rows or none."""
    user = staff()
    form = CountsUploadForm()
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            rows = parse_counts(db.session, user, form.file.data)
        except CountsFileError as exc:
            problems = exc.problems
        else:
            added, updated = upsert_counts(db.session, rows)
            record("counts_upload", form.file.data.filename or None, rows=len(rows), added=added, updated=updated)
            db.session.commit()
            flash(f"Đã nhận {len(rows)} dòng: thêm mới {added}, cập nhật {updated}.", "success")
            return redirect(url_for("admin.counts"))
    quarter = request.args.get("quarter", "")
    query = (
        select(AdminCount).join(ServiceCentre).where(centre_criterion(user))
        .order_by(AdminCount.quarter.desc(), ServiceCentre.code, AdminCount.id)
    )
    if quarter:
        query = query.where(AdminCount.quarter == quarter)
    page = paginate(db.session, query, quarter=quarter)
    status = 400 if problems else 200
    return render_template(
        "admin/counts.html", form=form, page=page, quarter=quarter,
        problems=problems[:PROBLEMS_SHOWN], more=max(0, len(problems) - PROBLEMS_SHOWN),
    ), status
