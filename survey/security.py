"""Security on every response: strict headers, HSTS over HTTPS, and a warning for an
unconfigured reverse proxy; and `staff_only`, which closes a staff blueprint to anyone not
signed in and to caches. (The staff idle timeout lives with the sessions, in
`survey.auth.sessions`.)

The Content-Security-Policy forbids inline scripts and inline styles, so templates use
only files under /static and never a `style=` attribute or an `on...=` handler.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, request
from flask_login import login_required

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
UNTRUSTED_PROXY_WARNING = (
    "Requests arrive with X-Forwarded-For but SURVEY_PROXY_COUNT is 0: the app sees every "
    "client as the proxy's address %s, so the per-address login ceiling (30 failures in 15 "
    "minutes) and the citizens' per-address rate limit count the whole office as one client, "
    "and one guesser can lock every staff member out. Set SURVEY_PROXY_COUNT to the number of "
    "proxies in front of the app (nginx alone: 1) and restart."
)


def add_security_headers(response: Response, https: bool) -> Response:
    """Set the security headers, keeping any stricter value a view already chose."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if https:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def staff_only(bp: Blueprint) -> Blueprint:
    """Let only signed-in staff reach any page of `bp`, and keep its pages out of shared
    caches and the browser's back-button cache (``Cache-Control: no-store``)."""

    @bp.before_request
    @login_required
    def require_login() -> None:
        """Nothing more to do: `login_required` has turned away anyone not signed in."""

    @bp.after_request
    def no_store(response: Response) -> Response:
        response.headers["Cache-Control"] = "no-store"
        return response

    return bp


def init_app(app: Flask) -> None:
    """Install the headers, and in production the warning about an unconfigured proxy."""

    @app.after_request
    def _headers(response: Response) -> Response:
        return add_security_headers(response, https=bool(app.config["SESSION_COOKIE_SECURE"]))

    if app.config["SESSION_COOKIE_SECURE"] and not app.config["PROXY_COUNT"]:
        warned = False

        @app.before_request
        def _warn_untrusted_proxy() -> None:
            nonlocal warned
            if not warned and "X-Forwarded-For" in request.headers:
                warned = True  # once per worker process: a clear line, not a flood
                app.logger.warning(UNTRUSTED_PROXY_WARNING, request.remote_addr)
