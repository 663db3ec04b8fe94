"""Staff sessions end on the server: a cookie captured before logout, an idle timeout, a
password change or an admin's "end all sessions" no longer works anywhere."""

from __future__ import annotations

from sqlalchemy import select

from survey.models import AuditLog, User
from tests.factories import DEFAULT_PASSWORD, login, make_user

NEW_PASSWORD = "Moi-mat-khau-2026"  # nosec B105 (a test password)
WRONG_PASSWORD = "khong-phai-mat-khau-1"  # nosec B105 (a test password)


def _refused(response) -> bool:
    """Whether an admin page sent the browser to the login page instead of answering."""
    return response.status_code == 302 and "/auth/login" in response.headers["Location"]


def _actions(db_session) -> list[str]:
    db_session.expire_all()
    return [e.action for e in db_session.scalars(select(AuditLog).order_by(AuditLog.id))]


def _change_password(client, current: str):
    return client.post("/auth/password", data={
        "current_password": current, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD,
    })


def test_logout_ends_a_copy_of_the_cookie_taken_before_it(client, auth, cookie_thief):
    auth("admin")
    thief = cookie_thief(client)
    assert thief.get("/admin/exports").status_code == 200  # the copy works while the session lives
    assert client.post("/auth/logout").status_code == 302
    assert _refused(thief.get("/admin/exports"))
    assert _refused(client.get("/admin/exports"))


def test_logout_ends_the_accounts_sessions_on_other_devices(app, client, auth):
    user = auth("admin")
    laptop = app.test_client()
    assert login(laptop, user).status_code == 302
    client.post("/auth/logout")
    assert _refused(laptop.get("/admin/"))


def test_password_change_ends_every_copy_but_the_browser_that_made_it(client, auth, cookie_thief, db_session):
    auth("admin")
    thief = cookie_thief(client)
    changed = _change_password(client, DEFAULT_PASSWORD)
    assert changed.status_code == 302 and changed.headers["Location"].endswith("/admin/")
    assert client.get("/admin/").status_code == 200  # this browser carries on
    assert _refused(thief.get("/admin/"))
    assert "password_change" in _actions(db_session)


def test_idle_timeout_ends_a_copy_that_was_kept_busy(app, client, auth, cookie_thief, clock, db_session):
    """The thief keeps a copy alive with requests, so the copy's own stamp is fresh; when the
    owner's session times out, the copy dies with it because the server moved the generation on."""
    auth("admin")
    idle = app.config["SESSION_IDLE_MINUTES"] * 60
    thief = cookie_thief(client)
    clock.advance(idle - 60)
    assert thief.get("/admin/").status_code == 200  # refreshes the stamp in the thief's copy only
    clock.advance(120)  # the owner's last request is now older than the limit; the thief's is not
    expired = client.get("/admin/")
    assert _refused(expired)
    assert "hết hạn" in client.get(expired.headers["Location"]).get_data(as_text=True)
    assert _refused(thief.get("/admin/"))
    assert "session_idle_end" in _actions(db_session)


def test_the_login_responses_own_cookie_expires_after_the_idle_limit(app, client, db_session, cookie_thief, clock):
    app.config["SESSION_IDLE_MINUTES"] = 1
    user = make_user(db_session)
    db_session.commit()
    assert login(client, user).status_code == 302
    fresh = cookie_thief(client)  # exactly the cookie the login response set, nothing after it
    stale = cookie_thief(client)
    clock.advance(50)
    assert fresh.get("/admin/").status_code == 200  # within the minute it works
    clock.advance(20)  # 70 s after the login response for the untouched copy
    assert _refused(stale.get("/admin/"))


def test_replaying_a_dead_cookie_does_not_sign_the_owner_out(app, client, auth, cookie_thief, clock, db_session):
    """An old cookie that has already ended must not move the generation on again."""
    user = auth("admin")
    old = cookie_thief(client)
    client.post("/auth/logout")
    assert login(client, user).status_code == 302
    clock.advance(app.config["SESSION_IDLE_MINUTES"] * 60 + 5)
    generation = db_session.get(User, user.id).session_generation
    assert _refused(old.get("/admin/"))
    db_session.expire_all()
    assert db_session.get(User, user.id).session_generation == generation


def test_admin_ends_every_session_of_a_user(app, client, auth, cookie_thief, db_session):
    analyst = make_user(db_session, "canbo", "analyst")
    db_session.commit()
    their_browser = app.test_client()
    assert login(their_browser, analyst).status_code == 302
    copy = cookie_thief(their_browser)
    admin = auth("admin")
    page = client.get(f"/admin/users/{analyst.id}").get_data(as_text=True)
    assert f"/admin/users/{analyst.id}/sessions/end" in page
    ended = client.post(f"/admin/users/{analyst.id}/sessions/end")
    assert ended.status_code == 302
    assert _refused(their_browser.get("/admin/")) and _refused(copy.get("/admin/"))
    assert client.get("/admin/").status_code == 200  # the admin's own session is untouched
    entry = db_session.scalar(select(AuditLog).where(AuditLog.action == "user_sessions_end"))
    assert entry.target == "canbo" and entry.username == admin.username
    assert login(their_browser, analyst).status_code == 302  # the password still works


def test_admin_password_reset_ends_the_users_sessions(app, client, auth, db_session):
    analyst = make_user(db_session, "phantich", "analyst")
    db_session.commit()
    other = app.test_client()
    assert login(other, analyst).status_code == 302
    auth("admin")
    assert client.post(f"/admin/users/{analyst.id}/reset").status_code == 200
    assert _refused(other.get("/admin/"))


def test_wrong_current_passwords_count_toward_the_lockout(app, client, auth, db_session, cookie_thief):
    user = auth("admin")
    thief = cookie_thief(client)
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit - 1):
        wrong = _change_password(client, WRONG_PASSWORD)
        assert wrong.status_code == 400
        assert "Mật khẩu hiện tại không đúng." in wrong.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(User, user.id).failed_logins == limit - 1

    last = _change_password(client, WRONG_PASSWORD)
    assert _refused(last)
    assert "tài khoản bị khoá" in client.get(last.headers["Location"]).get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(User, user.id).locked_until is not None
    assert _refused(client.get("/admin/")) and _refused(thief.get("/admin/"))
    assert login(app.test_client(), user).status_code == 401  # locked: even the right password
    assert _actions(db_session).count("password_change_failed") == limit


def test_failed_and_good_password_checks_share_one_counter(client, auth, db_session):
    """A good current password clears the failures, as a good login does."""
    user = auth("admin")
    _change_password(client, WRONG_PASSWORD)
    db_session.expire_all()
    assert db_session.get(User, user.id).failed_logins == 1
    assert _change_password(client, DEFAULT_PASSWORD).status_code == 302
    db_session.expire_all()
    assert db_session.get(User, user.id).failed_logins == 0
