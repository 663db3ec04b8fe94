"""The staff side: management pages for centres, fields, waves, questionnaires, users,
receipts, counts, the live monitor, the review queue, exports and the audit log.

Every route of this blueprint requires a signed-in account; each view then checks the
role and, for officers, the locality scope (see `survey.auth.scope`).
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, render_template
from flask_login import current_user

from survey import labels
from survey.clock import to_local
from survey.models import User, UserRole
from survey.privacy.timebands import local_date, time_band
from survey.security import staff_only

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")
bp.record_once(lambda state: labels.register(state.app))
staff_only(bp)


def staff() -> User:
    """The signed-in account as a model instance."""
    return current_user._get_current_object()


@bp.app_template_filter("local")
def local_time(value: dt.datetime | None) -> str:
    """Format a UTC timestamp in the province's time zone, day first as Vietnamese readers expect."""
    if value is None:
        return ""
    return to_local(value).strftime("%d/%m/%Y %H:%M")


@bp.app_template_filter("submitted")
def submitted_time(value: dt.datetime | None) -> str:
    """When a response was sent, as precisely as the viewer may know it: the minute for the
    province admin (review needs it), the local date and time band for everyone else."""
    if value is None:
        return ""
    if getattr(current_user, "role", None) == UserRole.ADMIN:
        return local_time(value)
    zone = current_app.config["TIMEZONE"]
    return f"{local_date(value, zone).strftime('%d/%m/%Y')}, {time_band(value, zone)} giờ"


@bp.get("/")
def home():
    """Show the pages this account may use."""
    return render_template("admin/home.html")


from survey.admin import (  # noqa: E402,F401 (registers the routes)
    auditlog,
    boundaries,
    counts,
    digests,
    exports,
    monitor,
    places,
    questionnaires,
    receipts,
    review,
    summary,
    users,
    waves,
)
