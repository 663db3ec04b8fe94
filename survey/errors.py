"""Friendly error pages; a failed request's transaction is rolled back before rendering.

The messages live with the citizen chrome (`survey/translations/<language>.yaml`, keys
`error_<code>`), so an error page follows the language the citizen chose (`?lang=`);
staff pages are in Vietnamese. Citizens are addressed as "Ông/Bà" there as everywhere.

Database failures get their own answers: a database that refuses writes (read-only, disk
full) raises the operator alert and answers 503 with a page saying so; a lock held past the
busy timeout answers 503 "try again". Neither is a 500, and neither escapes to the WSGI
server's bare English page, even when the rollback itself fails.
"""

from __future__ import annotations

import logging

import click
from flask import Flask, jsonify, render_template, request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from survey.i18n import chrome, pick_language
from survey.resilience import alert_write_refused, discard_session, is_locked, is_write_refused

log = logging.getLogger(__name__)

KNOWN = (400, 403, 404, 405, 413, 429, 500, 503)
WRITE_REFUSED = "Hệ thống tạm thời không ghi được dữ liệu. Bộ phận kỹ thuật đã được báo; vui lòng thử lại sau."
RETRY_AFTER_SECONDS = 5


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

    @app.errorhandler(SQLAlchemyError)
    def database_error(exc: SQLAlchemyError):
        discard_session()
        if is_write_refused(exc):
            alert_write_refused(exc)
            body, code = render_error(503, WRITE_REFUSED if _language() == "vi" else None)
        elif is_locked(exc):
            log.warning("database locked past the busy timeout on %s %s", request.method, request.path)
            body, code = render_error(503)
        else:
            raise exc  # a bug, not a condition: Flask's 500 path logs it (and tests see it)
        return body, code, {"Retry-After": str(RETRY_AFTER_SECONDS)}

    @app.errorhandler(500)
    def internal_error(exc):
        discard_session()
        return render_error(500)


class BadInput(click.ClickException):
    """A command's input is wrong: one clear line naming what and where, and exit status 2."""

    exit_code = 2
