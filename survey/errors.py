"""Friendly error pages; a failed request's transaction is rolled back before rendering.

The messages live with the citizen chrome (`survey/translations/<language>.yaml`, keys
`error_<code>`), so an error page follows the language the citizen chose (`?lang=`);
staff pages are in Vietnamese. Citizens are addressed as "Ông/Bà" there as everywhere.
"""

from __future__ import annotations

import click
from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from survey.extensions import db
from survey.i18n import chrome, pick_language

KNOWN = (400, 403, 404, 405, 413, 429, 500)


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _language() -> str:
    if request.path.startswith("/admin") or request.path.startswith("/auth"):
        return "vi"
    return pick_language(request.args.get("lang"))


def render_error(code: int, message: str | None = None):
    """Render a friendly page (or JSON for the API) for an HTTP error code."""
    language = _language()
    text = chrome(language)
    message = message or text[f"error_{code if code in KNOWN else 500}"]
    if _wants_json():
        return jsonify(error=message, status=code), code
    return render_template(
        "error.html", code=code, message=message, page_lang=language,
        title=text["error_title"].format(code=code), home=text["error_home"],
    ), code


def register(app: Flask) -> None:
    """Install the error handlers on the app."""

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        return render_error(exc.code or 500)

    @app.errorhandler(500)
    def internal_error(exc):
        db.session.rollback()
        return render_error(500)


class BadInput(click.ClickException):
    """A command's input is wrong: one clear line naming what and where, and exit status 2."""

    exit_code = 2
