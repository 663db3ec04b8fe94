"""The leaders' survey for the PAR Index: roster, single-use invitations, the `/l/<token>` flow,
progress and the 22-point score.

`bp` serves leaders (the landing page `/l/<token>`, then `/l/`); `admin_bp` serves Sở Nội vụ
staff (`/admin/leaders/…`). docs/security.md states the anonymity these keep, and against whom.
"""

from __future__ import annotations

from flask import Blueprint

from survey.leaders.charts import chart_notes

bp = Blueprint("leaders", __name__, template_folder="templates")
admin_bp = Blueprint("leaders_admin", __name__, url_prefix="/admin/leaders")
# The sentences under the PAR report's charts (reports/_par_body.html); matplotlib is not loaded by them.
admin_bp.add_app_template_filter(chart_notes, "par_chart_notes")


@bp.record_once
def _redact_tokens_from_werkzeug_log(state) -> None:
    from survey.leaders.access_log import redact_werkzeug_log

    redact_werkzeug_log()


from survey.leaders import admin, views  # noqa: E402,F401 (registers the routes)
