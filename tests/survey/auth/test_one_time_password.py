"""One-time passwords (from `users create|reset` and the admin users page) are changed at first
login: until then every staff page sends the account to the password change page.

Attacker: whoever read the one-time password on its way to the user (a shared screen, a chat
message). Once the user has signed in, that password no longer opens anything.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from survey.auth import MUST_CHANGE_PASSWORD
from survey.models import User
from tests.factories import login, make_locality

NEW_PASSWORD = "Mat-khau-rieng-2026"  # nosec B105 (a test password)
STAFF_PAGES = ("/admin/", "/admin/users", "/admin/monitor", "/admin/leaders/", "/admin/reports/")


def _account(db_session, username: str) -> User:
    db_session.expire_all()
    return db_session.scalar(select(User).where(User.username == username))


def _sent_to_change_page(response) -> bool:
    return response.status_code == 302 and response.headers["Location"].endswith("/auth/password")


def _change(client, current: str):
    return client.post("/auth/password", data={
        "current_password": current, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})


def test_an_account_created_on_the_command_line_changes_its_password_before_anything_else(
        app, runner, db_session):
    created = runner.invoke(args=["users", "create", "quantri", "--role", "admin"])
    assert created.exit_code == 0, created.output
    password = created.output.split("Mật khẩu: ")[1].split()[0]
    assert _account(db_session, "quantri").must_change_password is True

    client = app.test_client()
    signed_in = login(client, "quantri", password)
    assert signed_in.status_code == 302
    for path in STAFF_PAGES:
        assert _sent_to_change_page(client.get(path)), path
    page = client.get("/admin/users", follow_redirects=True)
    assert page.request.path == "/auth/password"
    assert MUST_CHANGE_PASSWORD in page.get_data(as_text=True)

    assert _change(client, password).status_code == 302
    assert _account(db_session, "quantri").must_change_password is False
    for path in ("/admin/", "/admin/users"):
        assert client.get(path).status_code == 200, path
    assert login(app.test_client(), "quantri", password).status_code == 401


def test_the_change_page_and_logout_stay_open(app, runner, db_session):
    created = runner.invoke(args=["users", "create", "phantich", "--role", "analyst"])
    password = created.output.split("Mật khẩu: ")[1].split()[0]
    client = app.test_client()
    login(client, "phantich", password)
    assert client.get("/auth/password").status_code == 200
    logged_out = client.post("/auth/logout")
    assert logged_out.status_code == 302 and "/auth/login" in logged_out.headers["Location"]
    assert _account(db_session, "phantich").must_change_password is True


def test_a_reset_on_the_command_line_sets_the_change_again(app, runner, db_session):
    make_locality(db_session, code="24001")
    db_session.commit()
    created = runner.invoke(args=["users", "create", "canbo", "--role", "officer", "--locality", "24001"])
    client = app.test_client()
    login(client, "canbo", created.output.split("Mật khẩu: ")[1].split()[0])
    _change(client, created.output.split("Mật khẩu: ")[1].split()[0])
    assert _account(db_session, "canbo").must_change_password is False

    reset = runner.invoke(args=["users", "reset", "canbo"])
    assert reset.exit_code == 0, reset.output
    new_password = reset.output.split("Mật khẩu: ")[1].split()[0]
    assert _account(db_session, "canbo").must_change_password is True
    again = app.test_client()
    assert login(again, "canbo", new_password).status_code == 302
    assert _sent_to_change_page(again.get("/admin/"))


def test_an_account_created_and_reset_on_the_admin_page_must_change_its_password(
        app, client, auth, db_session):
    auth("admin")
    created = client.post("/admin/users/new", data={"username": "thongke", "role": "analyst",
                                                    "locality_id": "0", "active": "y"})
    assert created.status_code == 200
    password = re.search(r"<code>(\S+)</code>", created.get_data(as_text=True)).group(1)
    user = _account(db_session, "thongke")
    assert user.must_change_password is True

    other = app.test_client()
    login(other, "thongke", password)
    assert _sent_to_change_page(other.get("/admin/"))
    assert _change(other, password).status_code == 302
    assert other.get("/admin/").status_code == 200
    assert _account(db_session, "thongke").must_change_password is False

    reset = client.post(f"/admin/users/{user.id}/reset")
    assert reset.status_code == 200
    assert _account(db_session, "thongke").must_change_password is True
    new_password = re.search(r"<code>(\S+)</code>", reset.get_data(as_text=True)).group(1)
    third = app.test_client()
    login(third, "thongke", new_password)
    assert _sent_to_change_page(third.get("/admin/users"))


def test_accounts_made_by_the_test_factory_are_not_held_at_the_change_page(client, auth):
    user = auth("admin")
    assert user.must_change_password is False
    assert client.get("/admin/").status_code == 200


def test_the_seeded_admin_account_must_change_its_password(db_session):
    from survey.setup.seed import seed_admin

    assert seed_admin(db_session, "quantri-tinh") is not None
    db_session.flush()
    assert _account(db_session, "quantri-tinh").must_change_password is True
