"""Administrative counts per centre × field × quarter: the base of the survey weights."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from survey.admin import bp, staff
from survey.admin.forms import CountsUploadForm
from survey.admin.paging import paginate
from survey.audit import record
from survey.auth.scope import centre_criterion, roles_required, visible_centre_ids
from survey.counts.parse import CountsFileError, parse_counts, read_quarter, replace_quarters
from survey.counts.template import counts_template
from survey.extensions import db
from survey.models import AdminCount, ServiceCentre, UserRole

PROBLEMS_SHOWN = 200
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/counts", methods=["GET", "POST"])
@roles_required(UserRole.ADMIN, UserRole.OFFICER, read_roles=(UserRole.ANALYST,))
def counts():
    """List counts in scope and upload a file of them, replacing its quarters, all rows or none."""
    user = staff()
    form = CountsUploadForm()
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            rows = parse_counts(db.session, user, form.file.data)
        except CountsFileError as exc:
            problems = exc.problems
        else:
            replaced = replace_quarters(db.session, rows, visible_centre_ids(db.session, user))
            record("counts_upload", form.file.data.filename or None, rows=replaced.added,
                   removed=replaced.removed, quarters=list(replaced.quarters))
            db.session.commit()
            flash(f"Đã nhận {replaced.added} dòng cho quý {', '.join(replaced.quarters)}; "
                  f"thay thế {replaced.removed} dòng số liệu cũ.", "success")
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


@bp.get("/counts/template.xlsx")
@roles_required(UserRole.ADMIN, UserRole.OFFICER)
def counts_template_download():
    """Download an XLSX template listing every centre in scope and every field."""
    user = staff()
    quarter = read_quarter(request.args.get("quarter", "")) or ""
    data = counts_template(db.session, quarter, visible_centre_ids(db.session, user))
    name = f"so-ho-so-{quarter or 'mau'}.xlsx"
    return Response(data, mimetype=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})
