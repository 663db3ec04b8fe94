"""Hypothesis fuzzing of every POST route an anonymous caller can reach, and the citizen GETs.

Each generated request must get a 4xx or the page re-shown (200/3xx), never a 5xx, and must
store nothing. Bodies: raw bytes under any content type (invalid UTF-8 included), form fields
with control characters, unknown and repeated item codes, out-of-range values, any action,
missing, forged or replayed CSRF tokens and page states, forged receipt tokens and API keys.

CI runs SURVEY_FUZZ_EXAMPLES examples per test (default 30); `bench/fuzz.sh` runs thousands.
"""

import os
import re
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from survey.models import AuditLog, ReceiptToken, Response, ResponseDraft
from tests.survey.respond.conftest import QUESTIONNAIRE

EXAMPLES = int(os.environ.get("SURVEY_FUZZ_EXAMPLES", "30"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=os.environ.get("CI") == "true",
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
STATE = re.compile(r'name="state" type="hidden" value="([^"]*)"')
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]*)"')
PUBLIC_POSTS = ("/s", "/l/", "/api/receipts", "/auth/login", "/auth/logout", "/auth/password",
                "/admin/counts",
                "/admin/centres/new", "/admin/centres/1", "/admin/centres/1/active", "/admin/fields/new",
                "/admin/questionnaires", "/admin/receipts", "/admin/users/new", "/admin/users/1/reset",
                "/admin/waves/new", "/admin/waves/1/open",
                "/admin/responses/00000000-0000-0000-0000-000000000000")
CONTENT_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data; boundary=xyz",
                 "multipart/form-data", "application/json", "text/plain", "application/octet-stream"]

hostile_text = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=10),  # control characters, NUL
    st.sampled_from(["", "0", "-1", "6", "99999999999999999999", "1e309", "NaN", "<script>", "'; DROP TABLE x;--",
                     "\x00", "4\x00", "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace")]),
)
field_names = st.one_of(st.sampled_from(sorted(QUESTIONNAIRE.items_by_code) + ["state", "csrf_token", "action"]),
                        st.text(max_size=20))
actions = st.one_of(st.sampled_from(["next", "back", "submit", "optional", "lang:en", "lang:xx", "lang:"]),
                    hostile_text)


def _totals(db_session) -> tuple[int, ...]:
    db_session.expire_all()
    return tuple(db_session.scalar(select(func.count()).select_from(m)) for m in (Response, ReceiptToken))


@pytest.fixture
def opened(app, client, desk):
    """A real first page: its signed state and CSRF token, to replay and tamper with."""
    app.config.update(WTF_CSRF_ENABLED=True, API_KEYS=["real-key"])
    html = client.get(f"/q/{desk[1].code}").get_data(as_text=True)
    return STATE.search(html).group(1), CSRF.search(html).group(1)


@FUZZ
@given(path=st.sampled_from(PUBLIC_POSTS), body=st.binary(max_size=3000), content_type=st.sampled_from(CONTENT_TYPES))
def test_raw_bodies_to_every_post_route(client, db_session, opened, path, body, content_type):
    before = _totals(db_session)
    response = client.post(path, data=body, content_type=content_type,
                           headers={"Authorization": "Bearer forged"})
    assert response.status_code < 500, (path, body[:200])
    assert _totals(db_session) == before


@FUZZ
@given(
    fields=st.lists(st.tuples(field_names, hostile_text), max_size=25),
    action=actions,
    keep_state=st.booleans(),
    csrf=st.sampled_from(["real", "missing", "forged"]),
)
def test_citizen_page_posts(client, db_session, opened, fields, action, keep_state, csrf):
    """Unknown, repeated and out-of-range answers, any action, replayed or forged state and token."""
    state, token = opened
    data = [("action", action)] + fields
    if keep_state:
        data.append(("state", state))
    if csrf != "missing":
        data.append(("csrf_token", token if csrf == "real" else token[::-1]))
    before = _totals(db_session)
    response = client.post("/s", data=_multidict(data))
    assert response.status_code < 500
    if response.status_code == 200:
        assert 'name="state"' in response.get_data(as_text=True) or "<h1>" in response.get_data(as_text=True)
    assert _totals(db_session) == before  # page one alone can never complete a questionnaire


@FUZZ
@given(fields=st.lists(st.tuples(st.sampled_from(["username", "password", "csrf_token", "next"]), hostile_text),
                       max_size=8))
def test_login_posts(client, db_session, opened, fields):
    before = db_session.scalar(select(func.count()).select_from(AuditLog))
    response = client.post("/auth/login", data=_multidict(fields))
    assert response.status_code in (200, 302, 400, 401, 429)
    assert db_session.scalar(select(func.count()).select_from(AuditLog)) >= before


@FUZZ
@given(payload=st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), hostile_text),
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.sampled_from(["centre", "count", "field"]) | st.text(max_size=5),
                                               children, max_size=4)),
    max_leaves=20), key=st.sampled_from(["real-key", "forged", ""]))
def test_api_receipt_requests(client, db_session, opened, payload, key):
    import json

    before = _totals(db_session)
    response = client.post("/api/receipts", data=json.dumps(payload), content_type="application/json",
                           headers={"Authorization": f"Bearer {key}"})
    assert response.status_code in (400, 401)  # no generated centre code exists
    assert response.is_json
    assert _totals(db_session) == before


@FUZZ
@given(token=hostile_text, prefix=st.sampled_from(["/r/", "/q/", "/l/"]), lang=hostile_text)
def test_forged_receipt_and_desk_codes(client, db_session, opened, token, prefix, lang):
    response = client.get(prefix + quote(token or "x", safe="") + "?lang=" + quote(lang, safe=""))
    assert response.status_code in (200, 308, 400, 404, 405)  # 308: werkzeug merges a decoded "//"
    db_session.expire_all()
    assert db_session.scalar(select(func.count()).select_from(ResponseDraft)) == 0


def _multidict(pairs):
    from werkzeug.datastructures import MultiDict

    return MultiDict(pairs)
