"""Security on every response: strict headers, HSTS over HTTPS, and the staff idle timeout.

The Content-Security-Policy forbids inline scripts and inline styles, so templates use
only files under /static and never a `style=` attribute or an `on...=` handler.
"""

from __future__ import annotations

import time

from flask import Flask, Response, flash, session

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
HSTS = "max-age=31536000; includeSubDomains"
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
DEFAULT_IDLE_MINUTES = 30
LAST_SEEN_KEY = "last_seen"
IDLE_MESSAGE = "Phiên làm việc đã hết hạn do không hoạt động. Vui lòng đăng nhập lại."


def add_security_headers(response: Response, https: bool) -> Response:
    """Set the security headers, keeping any stricter value a view already chose."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if https:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def expire_idle_session(idle_seconds: int, now: float | None = None) -> bool:
    """Clear a logged-in session idle for longer than `idle_seconds`; say whether it was."""
    if "_user_id" not in session:
        return False
    now = time.time() if now is None else now
    last_seen = session.get(LAST_SEEN_KEY)
    if isinstance(last_seen, (int, float)) and now - last_seen > idle_seconds:
        session.clear()
        flash(IDLE_MESSAGE, "warning")
        return True
    session[LAST_SEEN_KEY] = int(now)
    return False


def init_app(app: Flask) -> None:
    """Install the headers and the idle timeout on `app`."""
    app.config.setdefault("SESSION_IDLE_MINUTES", DEFAULT_IDLE_MINUTES)

    @app.before_request
    def _idle_timeout() -> None:
        expire_idle_session(int(float(app.config["SESSION_IDLE_MINUTES"]) * 60))

    @app.after_request
    def _headers(response: Response) -> Response:
        return add_security_headers(response, https=bool(app.config["SESSION_COOKIE_SECURE"]))
