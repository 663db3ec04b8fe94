"""Security headers on every response, HSTS only over HTTPS, CSRF on every form, no inline code."""

import re
from pathlib import Path

import pytest

from survey import create_app
from survey.extensions import db
from survey.security import CONTENT_SECURITY_POLICY
from tests.conftest import _test_config
from tests.factories import DEFAULT_PASSWORD, make_user

SURVEY = Path(__file__).resolve().parents[2] / "survey"
"""Templates live in survey/templates/ (shared) and in each feature's templates/ folder."""


def _assert_headers(response):
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in ("same-origin", "strict-origin-when-cross-origin")


@pytest.mark.parametrize("path", ["/healthz", "/auth/login", "/admin/", "/no-such-page", "/static/site.css"])
def test_security_headers_on_every_response(client, path):
    with client.get(path) as response:  # closes the static file handle
        _assert_headers(response)
        assert "Strict-Transport-Security" not in response.headers


def test_admin_pages_are_not_cached(client, auth):
    auth("admin")
    response = client.get("/admin/monitor")
    _assert_headers(response)
    assert response.headers["Cache-Control"] == "no-store"


def test_hsts_and_secure_cookies_when_served_over_https(database_url, db_session):
    app = create_app({**_test_config(database_url), "SESSION_COOKIE_SECURE": True})
    with app.app_context():
        make_user(db_session)
        db_session.commit()
        client = app.test_client()
        response = client.post("/auth/login", data={"username": "admin", "password": DEFAULT_PASSWORD},
                               base_url="https://localhost")
        db.session.remove()
        db.engine.dispose()  # this app's own pool; PostgreSQL connections must not leak
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_session_cookie_is_httponly_and_lax_over_http(client, db_session):
    make_user(db_session)
    db_session.commit()
    response = client.post("/auth/login", data={"username": "admin", "password": DEFAULT_PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


@pytest.fixture
def csrf_app(database_url):
    app = create_app({**_test_config(database_url), "WTF_CSRF_ENABLED": True})
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def test_csrf_is_enforced_on_login_and_admin_forms(app, csrf_app, db_session):
    make_user(db_session)
    db_session.commit()
    client = csrf_app.test_client()
    refused = client.post("/auth/login", data={"username": "admin", "password": DEFAULT_PASSWORD})
    assert refused.status_code == 400
    assert client.get("/admin/").status_code == 302  # not signed in

    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    accepted = client.post("/auth/login", data={"username": "admin", "password": DEFAULT_PASSWORD, "csrf_token": token})
    assert accepted.status_code == 302

    assert client.post("/admin/centres/new", data={"code": "x", "name": "X", "locality_id": 0}).status_code == 400
    assert client.post("/auth/logout").status_code == 400
    assert client.get("/admin/").status_code == 200  # still signed in: the logout was refused


# Documents written to files for printing or mailing (not served under the CSP as they stand)
# must open on their own, so they carry their stylesheet inline; when the app serves one, it
# links the stylesheet instead (`stylesheet=`), and the inline branch is not rendered.
STANDALONE_DOCUMENTS = {"leaders/letters.html", "reports/document.html"}


def test_templates_have_no_inline_script_or_style():
    offenders = []
    folders = [folder for folder in SURVEY.rglob("templates") if folder.is_dir()]
    assert len(folders) > 1
    for root, path in ((folder, path) for folder in folders for path in folder.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        if path.relative_to(root).as_posix() in STANDALONE_DOCUMENTS:
            text = re.sub(r"<style>.*?</style>", "", text, flags=re.S)
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text, re.I):
            offenders.append(f"{path.name}: inline <script>")
        if re.search(r"<style\b|\sstyle\s*=", text, re.I):
            offenders.append(f"{path.name}: inline style")
        if re.search(r"\son[a-z]+\s*=", text, re.I):
            offenders.append(f"{path.name}: inline event handler")
        if "javascript:" in text.lower():
            offenders.append(f"{path.name}: javascript: URL")
    assert offenders == []


def test_request_size_is_limited(app, client, auth):
    auth("admin")
    big = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post("/admin/counts", data=big, content_type="application/octet-stream")
    assert response.status_code == 413
