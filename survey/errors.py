"""Friendly error pages; a failed request's transaction is rolled back before rendering."""

from __future__ import annotations

import click
from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from survey.extensions import db

MESSAGES = {
    400: "Yêu cầu không hợp lệ.",
    403: "Bạn không có quyền xem trang này.",
    404: "Không tìm thấy trang bạn yêu cầu.",
    405: "Phương thức không được hỗ trợ.",
    413: "Tệp tải lên quá lớn.",
    429: "Bạn đã gửi quá nhiều yêu cầu. Vui lòng thử lại sau ít phút.",
    500: "Hệ thống đang gặp sự cố. Vui lòng thử lại sau.",
}


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def render_error(code: int, message: str | None = None):
    """Render a friendly page (or JSON for the API) for an HTTP error code."""
    text = message or MESSAGES.get(code, MESSAGES[500])
    if _wants_json():
        return jsonify(error=text, status=code), code
    return render_template("error.html", code=code, message=text), code


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
