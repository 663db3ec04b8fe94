"""The citizen's questionnaire: desk QR (`/q/<centre>`), receipt QR (`/r/<token>`), pages, thanks."""

from __future__ import annotations

from flask import Blueprint, Response

from survey.i18n import catalogue
from survey.respond import fragments

bp = Blueprint("respond", __name__, template_folder="templates")


@bp.after_request
def no_store(response: Response) -> Response:
    """Keep citizen pages out of every cache: on a shared desk tablet, Back or the cache must
    not show the previous citizen's answers."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_template_global()
def question_markup(f, item, new=False):
    """One question of a citizen page (survey.respond.fragments)."""
    return fragments.question_markup(f, item, new)


@bp.record_once
def _check_chrome(state) -> None:
    """Stop at start, with the file and key, when a language's chrome file is broken."""
    catalogue()


from survey.respond import api, views  # noqa: E402,F401 (registers the routes)
