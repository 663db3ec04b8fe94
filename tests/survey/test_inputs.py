"""Hostile input on staff pages: control characters in forms and URLs, ids beyond any column."""

from sqlalchemy import func, select

from survey.models import AuditLog
from tests.factories import DEFAULT_PASSWORD, make_user


def test_nul_in_the_login_user_name_is_stripped_not_a_500(client, db_session):
    """Issue 14: a NUL in the user name answered 500 on PostgreSQL; the form now drops it."""
    make_user(db_session, "admin")
    db_session.commit()
    refused = client.post("/auth/login", data={"username": "ad\x00min", "password": "wrong-password-1"})
    assert refused.status_code == 401
    assert "Tên đăng nhập" in refused.get_data(as_text=True)
    accepted = client.post("/auth/login", data={"username": "ad\x00min", "password": DEFAULT_PASSWORD})
    assert accepted.status_code == 302


def test_huge_integers_in_admin_urls_are_404_or_the_last_page(client, auth):
    """Issue 14: /admin/audit?page=99999999999999999999 and /admin/centres/<20 digits> answered 500."""
    auth("admin")
    audit = client.get("/admin/audit?page=99999999999999999999")
    assert audit.status_code == 200
    for path in ("/admin/centres/99999999999999999999", "/admin/centres/2147483648/poster",
                 "/admin/users/99999999999999999999", "/admin/fields/18446744073709551617"):
        assert client.get(path).status_code == 404, path
    assert client.get("/admin/exports?centre=99999999999999999999").status_code == 404


def test_control_characters_in_a_staff_query_string_are_a_400(client, auth, db_session):
    auth("admin")
    assert client.get("/admin/counts?quarter=2026Q3%00").status_code == 400
    assert client.get("/admin/audit?username=a%00b").status_code == 400
    assert db_session.scalar(select(func.count()).select_from(AuditLog)) >= 1  # the sign-in itself
