"""Friendly error pages; a failed request's transaction is rolled back before rendering.

Database failures get their own answers: a database that refuses writes (read-only, disk
full) raises the operator alert and answers 503 with a page saying so; a lock held past the
busy timeout answers 503 "try again". Neither is a 500, and neither escapes to the WSGI
server's bare English page, even when the rollback itself fails.
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from survey.resilience import alert_write_refused, discard_session, is_locked, is_write_refused

log = logging.getLogger(__name__)

MESSAGES = {
    400: "Yêu cầu không hợp lệ.",
    403: "Bạn không có quyền xem trang này.",
    404: "Không tìm thấy trang bạn yêu cầu.",
    405: "Phương thức không được hỗ trợ.",
    413: "Tệp tải lên quá lớn.",
    414: "Địa chỉ trang quá dài.",
    429: "Bạn đã gửi quá nhiều yêu cầu. Vui lòng thử lại sau ít phút.",
    500: "Hệ thống đang gặp sự cố. Vui lòng thử lại sau.",
    503: "Hệ thống đang bận. Vui lòng thử lại sau giây lát.",
}
WRITE_REFUSED = "Hệ thống tạm thời không ghi được dữ liệu. Bộ phận kỹ thuật đã được báo; vui lòng thử lại sau."
RETRY_AFTER_SECONDS = 5


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

    @app.errorhandler(SQLAlchemyError)
    def database_error(exc: SQLAlchemyError):
        discard_session()
        if is_write_refused(exc):
            alert_write_refused(exc)
            body, code = render_error(503, WRITE_REFUSED)
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
