"""Hostile input on staff pages: control characters in forms and URLs, ids beyond any column."""

import pytest
from sqlalchemy import func, select

from survey.inputs import OUT_OF_RANGE
from survey.models import AuditLog, ReceiptToken, ServiceField
from tests.factories import DEFAULT_PASSWORD, make_centre, make_locality, make_user


def test_nul_in_the_login_user_name_is_stripped_not_a_500(client, db_session):
    """Issue 14: a NUL in the user name answered 500 on PostgreSQL; the form now drops it."""
    make_user(db_session, "admin")
    db_session.commit()
    refused = client.post("/auth/login", data={"username": "ad\x00min", "password": "wrong-password-1"})
    assert refused.status_code == 401
    assert "Tên đăng nhập" in refused.get_data(as_text=True)
    accepted = client.post("/auth/login", data={"username": "ad\x00min", "password": DEFAULT_PASSWORD})
    assert accepted.status_code == 302


def test_huge_integers_in_admin_urls_are_404_or_400(client, auth):
    """Issue 14: /admin/audit?page=99999999999999999999 and /admin/centres/<20 digits> answered 500."""
    auth("admin")
    assert client.get("/admin/audit?page=2147483647").status_code == 200  # the last page
    assert client.get("/admin/audit?page=99999999999999999999").status_code == 400
    for path in ("/admin/centres/99999999999999999999", "/admin/centres/2147483648/poster",
                 "/admin/users/99999999999999999999", "/admin/fields/18446744073709551617"):
        assert client.get(path).status_code == 404, path
    assert client.get("/admin/exports?centre=99999999999999999999").status_code == 400


@pytest.mark.parametrize("centre", ["2147483648", "9223372036854775808", "-2147483649", "1" * 5000])
def test_an_integer_no_column_holds_in_the_query_is_a_400(client, auth, centre):
    """Issue 23: /admin/review?centre=2147483648 answered 500 on PostgreSQL (9223372036854775808 on SQLite)."""
    auth("admin")
    assert client.get(f"/admin/review?centre={centre}").status_code == 400
    assert client.get("/admin/review?centre=2147483647").status_code == 200
    assert client.get("/admin/review?centre=abc").status_code == 200  # not a number: the filter is off


@pytest.mark.parametrize("sort_order", ["2147483648", "9223372036854775808", "-2147483649"])
def test_an_integer_no_column_holds_in_a_form_is_refused_by_the_field(client, auth, db_session, sort_order):
    """Issue 23: POST /admin/fields/new with sort_order=2147483648 answered 500."""
    auth("admin")
    answer = client.post("/admin/fields/new", data={"code": "thue", "name": "Thuế", "sort_order": sort_order})
    assert answer.status_code == 400
    assert OUT_OF_RANGE in answer.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(ServiceField)) == 0
    kept = client.post("/admin/fields/new", data={"code": "thue", "name": "Thuế", "sort_order": "2147483647"})
    assert kept.status_code == 302


API = {"Authorization": "Bearer k"}


@pytest.fixture
def centre(app, db_session):
    app.config["API_KEYS"] = ["k"]
    found = make_centre(db_session, make_locality(db_session, code="22015", name="Xã C"))
    db_session.commit()
    return found


@pytest.mark.parametrize("body", [
    '{"centre": "\\ud800"}',
    '{"centre": "22015\\u0000"}',
    '{"centre": "22015", "note": "\\udfff"}',
    '{"\\ud800": 1, "centre": "22015"}',
    '{"centre": "22015", "count": 99999999999999999999999}',
])
def test_json_text_no_column_stores_is_a_400(client, db_session, centre, body):
    """Issue 23: {"centre": "\\ud800"} answered 500 on both databases, "22015\\u0000" on PostgreSQL."""
    answer = client.post("/api/receipts", data=body, content_type="application/json", headers=API)
    assert answer.status_code == 400
    assert "without NUL or lone surrogates" in answer.get_json()["error"]
    assert db_session.scalar(select(func.count()).select_from(ReceiptToken)) == 0


def test_the_api_repeats_only_an_excerpt_of_a_bad_field(client, centre):
    """Issue 23: a 1 MB centre came back whole in the error."""
    for field in ("centre", "field"):
        body = {"centre": "22015", field: "x" * 1_000_000}
        answer = client.post("/api/receipts", json=body, headers=API)
        assert answer.status_code == 400
        assert len(answer.get_data()) < 300
        assert "x" * 40 + "…" in answer.get_json()["error"]


def test_the_api_is_rate_limited_per_key(app, client, centre):
    app.config["RATE_LIMIT_API"] = "2 per minute"
    for _ in range(2):
        assert client.post("/api/receipts", json={"centre": "22015"}, headers=API).status_code == 201
    limited = client.post("/api/receipts", json={"centre": "22015"}, headers=API)
    assert limited.status_code == 429
    assert limited.get_json()["status"] == 429
    # a stranger's requests are counted against their address, not against the key
    strangers = [client.post("/api/receipts", json={"centre": "22015"},
                             headers={"Authorization": "Bearer guess"}).status_code for _ in range(3)]
    assert strangers == [401, 401, 429]


def test_control_characters_in_a_staff_query_string_are_a_400(client, auth, db_session):
    auth("admin")
    assert client.get("/admin/counts?quarter=2026Q3%00").status_code == 400
    assert client.get("/admin/audit?username=a%00b").status_code == 400
    assert db_session.scalar(select(func.count()).select_from(AuditLog)) >= 1  # the sign-in itself


def test_invisible_and_bidirectional_characters_are_dropped_from_every_form_field(client, auth, db_session):
    """Issue 23: a right-to-left override or a zero-width space in a name was stored verbatim."""
    auth("admin")
    name = "Thu\u200bế \u202eíhp\u202c và lệ\u2066 phí"
    answer = client.post("/admin/fields/new", data={"code": "thue", "name": name})
    assert answer.status_code == 302
    assert db_session.scalar(select(ServiceField.name)) == "Thuế íhp và lệ phí"
