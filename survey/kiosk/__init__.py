"""The desk kiosk: a paired tablet at a one-stop desk that keeps taking questionnaires offline.

`/k/<centre>` on a tablet paired by staff (`pairing`) loads the whole questionnaire once
(`definition`) and runs it in the browser (`static/kiosk.js`); completed questionnaires wait on
the tablet, encrypted, until they are sent to `/k/<centre>/submissions` (`submissions`), where
each submission id is stored once. Staff pair and revoke tablets from a centre's page (`staff`).
The citizen form on personal phones (`survey.respond`) is untouched and needs no script.
"""

from __future__ import annotations

from flask import Blueprint

from survey.security import staff_only

bp = Blueprint("kiosk", __name__, url_prefix="/k", template_folder="templates",
               static_folder="static", static_url_path="/static")
staff_bp = staff_only(Blueprint("kiosk_admin", __name__, url_prefix="/admin/kiosk", template_folder="templates"))

from survey.kiosk import staff, views  # noqa: E402,F401 (registers the routes)
