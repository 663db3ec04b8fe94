"""The citizen's questionnaire: desk QR (`/q/<centre>`), receipt QR (`/r/<token>`), pages, thanks."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("respond", __name__)

from survey.respond import views  # noqa: E402,F401 (registers the routes)
