"""The communes' boundaries (ranh giới xã, phường) for the report's map: upload and status."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import func, select
from werkzeug.exceptions import RequestEntityTooLarge

from survey.admin import bp
from survey.admin.forms import BoundariesUploadForm
from survey.audit import record
from survey.auth.scope import roles_required
from survey.extensions import db
from survey.models import LocalityBoundary, UserRole
from survey.reports import geometry
from survey.uploads.limits import megabytes, number

PROBLEMS_SHOWN = 200
FORM_OVERHEAD = 64 * 1024  # the multipart envelope and the other fields around the file


@bp.route("/boundaries", methods=["GET", "POST"])
@roles_required(UserRole.ADMIN, read_roles=(UserRole.ANALYST,))
def boundaries():
    """Show the stored boundaries and replace them with an uploaded GeoJSON file, all or nothing."""
    # The file may be larger than the app's usual upload bound; its own bound is checked below.
    request.max_content_length = geometry.MAX_BYTES + FORM_OVERHEAD
    problems: list[str] = []
    try:
        form = BoundariesUploadForm()
    except RequestEntityTooLarge:  # say which bound, not only "too large"
        form = BoundariesUploadForm(formdata=None)
        problems = [geometry.TOO_LARGE.format(size=megabytes(request.content_length or 0),
                                              limit=megabytes(geometry.MAX_BYTES))]
    if not problems and form.validate_on_submit():
        upload = form.file.data
        try:
            checked = geometry.read_boundaries(upload.read(geometry.MAX_BYTES + 1),
                                               geometry.locality_names(db.session),
                                               form.code_property.data or None)
        except geometry.GeometryError as exc:
            problems = exc.problems
        else:
            name = upload.filename or "geojson"
            count = geometry.replace_boundaries(db.session, checked, name)
            record("geometry_upload", name, communes=count, vertices=checked.vertices)
            db.session.commit()
            flash(f"Đã nhập ranh giới của {count} xã, phường ({number(checked.vertices)} đỉnh); "
                  "báo cáo lập từ nay có bản đồ.", "success")
            return redirect(url_for("admin.boundaries"))
    count, vertices, source, imported_at = db.session.execute(
        select(func.count(), func.sum(LocalityBoundary.vertices), func.max(LocalityBoundary.source),
               func.max(LocalityBoundary.imported_at))).one()
    stored = {"count": count, "vertices": number(vertices or 0), "source": source, "imported_at": imported_at}
    return render_template(
        "admin/boundaries.html", form=form, stored=stored, communes=len(geometry.locality_names(db.session)),
        max_size=megabytes(geometry.MAX_BYTES), max_vertices=number(geometry.MAX_VERTICES),
        problems=problems[:PROBLEMS_SHOWN], more=max(0, len(problems) - PROBLEMS_SHOWN),
    ), 400 if problems else 200
