"""Pages under /admin/reports/: the waves with their reports, one report filtered by role,
and its files to download."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from analysis.design import DesignError
from survey.auth.scope import roles_required, sees_everything
from survey.extensions import db
from survey.models import ServiceCentre, UserRole, Wave
from survey.reports import render, store, wording
from survey.reports.data import report_for_wave
from survey.security import staff_only

bp = Blueprint("reports", __name__, url_prefix="/admin/reports")
VIEWERS = (UserRole.ADMIN, UserRole.ANALYST, UserRole.OFFICER)
MEDIA = {"html": "text/html; charset=utf-8", "json": "application/json",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}

bp.add_app_template_filter(wording.percent, "pct")
bp.add_app_template_filter(wording.decimal, "dec")
bp.add_app_template_filter(wording.p_value, "pval")
bp.add_app_template_filter(wording.points, "points")
bp.add_app_template_filter(wording.built_when, "built_when")
bp.add_app_template_filter(wording.interim_line, "interim_line")


staff_only(bp)


@bp.get("/report.css")
def stylesheet() -> Response:
    """Serve the report's stylesheet, the one the downloadable HTML carries inline (CSP: no inline styles)."""
    return Response(render_template("reports/_style.css"), mimetype="text/css")


def _visible(document: dict) -> dict:
    """The report as the signed-in account may see it: officers get the province and their locality."""
    user = current_user._get_current_object()
    if sees_everything(user):
        return document
    locality = user.locality.code if user.locality else None
    centres = set(db.session.scalars(select(ServiceCentre.code).where(
        ServiceCentre.locality_id == user.locality_id))) if user.locality_id else set()
    return render.restrict(document, {locality} if locality else set(), centres)


def _charts_for(document: dict, charts: dict[str, bytes]) -> dict[str, bytes]:
    """An officer's copy leaves out the chart that shows every locality."""
    return {k: v for k, v in charts.items() if not (document.get("restricted") and k == "forest")}


def _stored_or_404(wave_code: str):
    wave = db.session.scalar(select(Wave).where(Wave.code == wave_code))
    if wave is None:
        abort(404)
    stored = store.load(wave_code)
    return wave, stored


@bp.get("/")
@roles_required(*VIEWERS)
def index():
    """List the waves and whether each has a report."""
    waves = db.session.scalars(select(Wave).order_by(Wave.opens_on.desc())).all()
    return render_template("reports/index.html", waves=waves, stored=store.stored_waves(),
                           can_build=sees_everything(current_user))


@bp.post("/<wave_code>/build")
@roles_required(UserRole.ADMIN, UserRole.ANALYST)
def build(wave_code: str):
    """Build (or rebuild) a wave's report with the default settings and keep it."""
    wave = db.session.scalar(select(Wave).where(Wave.code == wave_code))
    if wave is None:
        abort(404)
    try:
        report = report_for_wave(db.session, wave)
    except DesignError as exc:
        flash(f"Chưa lập được báo cáo đợt {wave.code}: {exc}", "error")
        return redirect(url_for("reports.index"))
    store.save(report.as_dict(), report.charts)
    flash(f"Đã lập báo cáo đợt {wave.code}.", "success")
    return redirect(url_for("reports.show", wave_code=wave.code))


@bp.get("/<wave_code>")
@roles_required(*VIEWERS)
def show(wave_code: str):
    """Show a wave's report, filtered to what the account may see, with its files."""
    wave, stored = _stored_or_404(wave_code)
    if stored is None:
        return render_template("reports/show.html", wave=wave, r=None, is_demo=wave.is_demo)
    document = _visible(stored[0])
    charts = _charts_for(document, stored[1])
    return render_template("reports/show.html", wave=wave, is_demo=wave.is_demo or document["demo"],
                           formats=tuple(MEDIA),
                           **render.body_context(document, charts))


@bp.get("/<wave_code>/report.<fmt>")
@roles_required(*VIEWERS)
def download(wave_code: str, fmt: str):
    """Download the report (filtered like the page) as HTML, XLSX or JSON."""
    if fmt not in MEDIA:
        abort(404)
    _, stored = _stored_or_404(wave_code)
    if stored is None:
        abort(404)
    document = _visible(stored[0])
    charts = _charts_for(document, stored[1])
    body = {"json": lambda: render.to_json(document), "html": lambda: render.to_html(document, charts),
            "xlsx": lambda: render.to_xlsx(document, charts)}[fmt]()
    name = f"bao-cao-sipas-{wave_code}.{fmt}"
    return Response(body, mimetype=MEDIA[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})

