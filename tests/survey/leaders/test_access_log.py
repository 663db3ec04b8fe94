"""The access log of a real gunicorn run, with the project's gunicorn.conf.py, holds no link token.

The attacker of docs/security.md reads the server's access log. A leader opens the link (a
preview bot before them), presses "Bắt đầu", answers every page and submits; the test then
reads the log gunicorn wrote and finds the requests, each `/l/<token>` written `/l/[redacted]`,
and the token nowhere: not in a request line, a path, a query or a Referer.
"""

from __future__ import annotations

import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import pytest

from tests.factories import gunicorn_server, make_invitations
from tests.survey.leaders.conftest import LEADERS, page_answers


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


# One browser: its cookies (the draft key's browser half) kept from request to request.
_BROWSER = urllib.request.build_opener(_NoRedirect, urllib.request.HTTPCookieProcessor(CookieJar()))


def _request(base: str, path: str, data: dict | None = None, method: str | None = None,
             headers: dict | None = None) -> int:
    body = None if data is None else urllib.parse.urlencode(data).encode()
    request = urllib.request.Request(base + path, data=body, method=method, headers=headers or {})
    opener = _BROWSER
    try:
        with opener.open(request, timeout=30) as reply:
            reply.read()
            return reply.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture
def gunicorn(database_url, tmp_path, app):
    """The app under gunicorn with gunicorn.conf.py, its access log written to a file."""
    log = tmp_path / "access.log"
    with gunicorn_server(DATABASE_URL=database_url, ACCESS_LOG=str(log)) as (server, base):
        yield base, log, server


@pytest.mark.commits
@pytest.mark.slow
def test_a_leader_answering_through_gunicorn_leaves_no_token_in_its_access_log(gunicorn, db_session, leader_wave):
    base, log, server = gunicorn
    [token] = make_invitations(db_session, leader_wave, {"lanh_dao_xa": 1})
    db_session.commit()
    link = f"/l/{token}"
    assert _request(base, link, method="HEAD", headers={"User-Agent": "Zalo"}) == 200
    assert _request(base, link + "?utm_source=zalo", headers={"Referer": f"https://khaosat.example{link}"}) == 200
    assert _request(base, "/l/", {"token": token, "action": "start"},
                    headers={"Referer": f"https://khaosat.example{link}"}) == 200
    last = len(LEADERS.pages) - 1
    for number in range(last + 1):
        status = _request(base, "/l/", {"token": token, "page": number,
                                        "action": "submit" if number == last else "next",
                                        **page_answers(number)})
        assert status == (303 if number == last else 200)
    assert _request(base, "/l/cam-on") == 200
    server.terminate()
    assert server.wait(timeout=30) == 0
    written = log.read_text(encoding="utf-8")
    lines = written.splitlines()
    assert len(lines) == 4 + len(LEADERS.pages)  # every request was logged
    assert token not in written and token[:8] not in written
    assert sum('"HEAD /l/[redacted] HTTP/1.1" 200' in line for line in lines) == 1
    assert sum('"GET /l/[redacted]?utm_source=zalo HTTP/1.1" 200' in line for line in lines) == 1
    assert sum('"POST /l/ HTTP/1.1"' in line for line in lines) == 1 + len(LEADERS.pages)
    assert sum("https://khaosat.example/l/[redacted]" in line for line in lines) == 2


def test_werkzeug_request_lines_are_redacted_too(app, caplog):
    """`make run` serves with Werkzeug, whose request log the leaders' blueprint filters."""
    import logging

    token = "AbCdEfGhIjKlMnOpQrStUv"
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        logging.getLogger("werkzeug").info('127.0.0.1 - - "%s %s HTTP/1.1" %s -', "GET", f"/l/{token}?x=1", 200)
        logging.getLogger("werkzeug").info('127.0.0.1 - - "%s %s HTTP/1.1" %s -', "GET", "/l/cam-on", 200)
    assert token not in caplog.text
    assert '"GET /l/[redacted]?x=1 HTTP/1.1" 200' in caplog.text and '"GET /l/cam-on HTTP/1.1"' in caplog.text
