"""Exports limited to the viewer's scope, each one audit-logged.

Admins and analysts download responses, one row each. A locality officer downloads aggregate
tables instead (`survey.privacy.aggregates`): the locality's estimates and its counts and
flags per day, cells under 5 responses suppressed — never a response.
"""

from __future__ import annotations

import io

from flask import Response, abort, render_template, request
from sqlalchemy import select

from survey.admin import bp, staff
from survey.admin.forms import NO_CHOICE, ExportForm
from survey.admin.summary import locality_summary
from survey.audit import record
from survey.auth.scope import require_centre_access, roles_required, sees_rows, visible_centre_ids, visible_centres
from survey.exports.workbook import MEDIA_TYPES
from survey.extensions import db
from survey.forms import choice_list
from survey.inputs import MAX_ID
from survey.models import ServiceCentre, UserRole, Wave
from survey.privacy.aggregates import summary_tables
from survey.questionnaire import from_dict
from survey.spreadsheets import defuse_frame


@bp.get("/exports")
@roles_required(UserRole.ADMIN, UserRole.OFFICER, UserRole.ANALYST)
def exports():
    """Choose a wave and format, and download the responses in scope."""
    user = staff()
    form = ExportForm(request.args)
    waves = db.session.scalars(select(Wave).order_by(Wave.opens_on.desc())).all()
    form.wave.choices = choice_list([(w.code, f"{w.code} ({w.questionnaire_version.label})") for w in waves])
    centres = visible_centres(db.session, user)
    form.centre.choices = choice_list(
        [(NO_CHOICE, "— Tất cả trung tâm trong phạm vi —")] + [(c.id, f"{c.name} ({c.code})") for c in centres]
    )
    requested_centre = request.args.get("centre", type=int)
    if requested_centre and not 0 < requested_centre <= MAX_ID:
        abort(404)
    if requested_centre:  # an out-of-scope centre is not found, whatever the form says
        require_centre_access(user, db.session.get(ServiceCentre, requested_centre))
    if not request.args or not form.validate():
        return render_template("admin/exports.html", form=form), 400 if request.args and form.errors else 200
    wave = db.session.scalar(select(Wave).where(Wave.code == form.wave.data))
    if not sees_rows(user):
        return _aggregate_export(user, wave, form.centre.data, form.format.data)
    if form.centre.data:
        centre = require_centre_access(user, db.session.get(ServiceCentre, form.centre.data))
        centre_ids, scope_label = [centre.id], centre.code
    else:
        centre_ids = visible_centre_ids(db.session, user)
        scope_label = "all" if centre_ids is None else f"locality:{user.locality_id}"
    # The frame and its writers (pandas) load with the first download, not with the app.
    from survey.exports.frame import export_frame
    from survey.exports.workbook import write_export

    frame, report = export_frame(db.session, wave, centre_ids=centre_ids)
    fmt = form.format.data
    buffer = io.BytesIO()
    write_export(frame, buffer, fmt, report=report, questionnaire=from_dict(wave.questionnaire_version.definition))
    record("export_responses", wave.code, format=fmt, scope=scope_label, rows=len(frame))
    db.session.commit()
    filename = f"responses-{wave.code}-{scope_label.replace(':', '-')}.{fmt}"
    return Response(buffer.getvalue(), mimetype=MEDIA_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _aggregate_export(user, wave: Wave, centre_id: int | None, fmt: str) -> Response:
    """An officer's export: the locality's aggregate tables (XLSX: two sheets; CSV: the estimates)."""
    import pandas as pd

    from survey.exports.workbook import write_export

    centre_ids = None
    scope_label = f"locality:{user.locality.code}"
    if centre_id:
        centre = require_centre_access(user, db.session.get(ServiceCentre, centre_id))
        centre_ids, scope_label = [centre.id], centre.code
    tables = summary_tables(locality_summary(user, user.locality, wave, centre_ids), user.locality.code)
    buffer = io.BytesIO()
    if fmt == "xlsx":
        with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
            for name, table in tables.items():
                defuse_frame(table).to_excel(writer, index=False, sheet_name=name)
    else:  # the estimates table, as CSV or Parquet
        write_export(tables["estimates"], buffer, fmt)
    record("export_aggregates", wave.code, format=fmt, scope=scope_label)
    db.session.commit()
    filename = f"tong-hop-{wave.code}-{scope_label.replace(':', '-')}.{fmt}"
    return Response(buffer.getvalue(), mimetype=MEDIA_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
