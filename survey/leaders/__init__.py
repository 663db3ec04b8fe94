"""The leaders' survey for the PAR Index: roster, single-use invitations, the `/l/<token>` flow,
progress and the 22-point score.

`bp` serves leaders (`/l/<token>`); `admin_bp` serves Sở Nội vụ staff (`/admin/leaders/…`).
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("leaders", __name__)
admin_bp = Blueprint("leaders_admin", __name__, url_prefix="/admin/leaders")

from survey.leaders import admin, views  # noqa: E402,F401 (registers the routes)
