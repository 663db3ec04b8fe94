"""Spoken questions: recordings of a questionnaire's questions and options (issue 26).

A questionnaire file names a recording per language on an item or a choice
(``audio: {vi: tc1.ogg}``); an administrator uploads the files on the questionnaire's
recordings page (`admin_bp`, ``/admin/questionnaires/<code>/recordings``); the citizen's page
plays each with a plain ``<audio preload="none">`` served by `bp` at ``/media/<sha256>``.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("media", __name__)
admin_bp = Blueprint("media_admin", __name__, url_prefix="/admin/questionnaires", template_folder="templates")

from survey.media import admin, views  # noqa: E402,F401 (registers the routes)
