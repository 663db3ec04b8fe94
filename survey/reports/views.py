"""Pages under /admin/reports/: the waves with their reports, one report filtered by role,
and its files to download."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from survey.auth.scope import roles_required, sees_everything
from survey.extensions import db
from survey.models import ServiceCentre, UserRole, Wave
from survey.reports import jobs, render, store, wording
from survey.reports.kinds import kind_of_document
from survey.security import staff_only

bp = Blueprint("reports", __name__, url_prefix="/admin/reports", template_folder="templates")
# Seconds between reloads of a report's page while its build is under way (a meta refresh: no script).
REFRESH_SECONDS = 3
VIEWERS = (UserRole.ADMIN, UserRole.ANALYST, UserRole.OFFICER)
MEDIA = {"html": "text/html; charset=utf-8", "json": "application/json",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}

bp.add_app_template_filter(wording.percent, "pct")
bp.add_app_template_filter(wording.decimal, "dec")
bp.add_app_template_filter(wording.p_value, "pval")
bp.add_app_template_filter(wording.points, "points")
bp.add_app_template_filter(wording.built_when, "built_when")
bp.add_app_template_filter(wording.exclusion_text, "exclusion_text")
bp.add_app_template_filter(wording.interim_line, "interim_line")


staff_only(bp)


@bp.get("/report.css")
def stylesheet() -> Response:
    """Serve the report's stylesheet, the one the downloadable HTML carries inline (CSP: no inline styles)."""
    return Response(render_template("reports/_style.css"), mimetype="text/css")


def _visible(document: dict) -> dict:
    """The report as the signed-in account may see it: officers get the province and their
    locality, and no report of a kind that is not theirs (the leaders' PAR score)."""
    user = current_user._get_current_object()
    if sees_everything(user):
        return document
    if not kind_of_document(document).officers_see:
        abort(404)
    locality = user.locality.code if user.locality else None
    centres = set(db.session.scalars(select(ServiceCentre.code).where(
        ServiceCentre.locality_id == user.locality_id))) if user.locality_id else set()
    return render.restrict(document, {locality} if locality else set(), centres)


def _charts_for(document: dict, charts: dict[str, bytes]) -> dict[str, bytes]:
    """An officer's copy leaves out the charts that show every locality (the forest plot, the map)."""
    return {k: v for k, v in charts.items()
            if not (document.get("restricted") and k in ("forest", "map"))}


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
    builds = {code: jobs.progress_of(state) for code, state in store.builds().items()}
    return render_template("reports/index.html", waves=waves, stored=store.stored_waves(), builds=builds,
                           can_build=sees_everything(current_user))


@bp.post("/<wave_code>/build")
@roles_required(UserRole.ADMIN, UserRole.ANALYST)
def build(wave_code: str):
    """Start building a wave's report in the background, or join the build already under way."""
    wave = db.session.scalar(select(Wave).where(Wave.code == wave_code))
    if wave is None:
        abort(404)
    state, new = jobs.request(wave.code)
    progress = jobs.progress_of(state)
    if progress.status == jobs.BuildStatus.DONE:  # immediate mode: built already
        flash(f"Đã lập báo cáo đợt {wave.code}.", "success")
    elif progress.status == jobs.BuildStatus.FAILED:
        flash(f"Chưa lập được báo cáo đợt {wave.code}: {progress.error}", "error")
    elif new:
        flash(f"Đã bắt đầu lập báo cáo đợt {wave.code}. Trang này cho biết tiến độ và hiện báo cáo khi xong.",
              "success")
    else:
        flash(f"Báo cáo đợt {wave.code} đang được lập (yêu cầu lúc {progress.requested}); "
              "không lập thêm bản nào, kết quả sẽ hiện ở đây.", "warning")
    return redirect(url_for("reports.show", wave_code=wave.code), 303)


@bp.get("/<wave_code>")
@roles_required(*VIEWERS)
def show(wave_code: str):
    """Show a wave's report, filtered to what the account may see, with its files."""
    wave, stored = _stored_or_404(wave_code)
    building = {"build": jobs.progress_of(store.read_build(wave.code)), "refresh_seconds": REFRESH_SECONDS,
                "can_build": sees_everything(current_user)}
    if stored is None:
        return render_template("reports/show.html", wave=wave, r=None, is_demo=wave.is_demo, **building)
    document = _visible(stored[0])
    charts = _charts_for(document, stored[1])
    return render_template("reports/show.html", wave=wave, is_demo=wave.is_demo or document["demo"],
                           formats=tuple(MEDIA), **building, body_template=kind_of_document(document).body_template,
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
    kind = kind_of_document(document)
    body = {"json": lambda: render.to_json(document), "html": lambda: kind.to_html(document, charts),
            "xlsx": lambda: kind.to_xlsx(document, charts)}[fmt]()
    name = f"bao-cao-{wave_code}.{fmt}"
    return Response(body, mimetype=MEDIA[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})

