"""Staff sign-in: argon2 passwords, temporary lockout, safe redirects, sessions that end."""

import datetime as dt

from sqlalchemy import select

from survey.models import AuditLog, User
from tests.factories import DEFAULT_PASSWORD, login, make_locality, make_user


def _actions(db_session):
    return [e.action for e in db_session.scalars(select(AuditLog).order_by(AuditLog.id))]


def test_login_page_renders_the_form(client):
    page = client.get("/auth/login")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="username"' in html and 'name="password"' in html
    assert "Đăng nhập" in html


def test_good_login_reaches_admin_and_is_audited(client, db_session):
    user = make_user(db_session)
    db_session.commit()
    response = login(client, user)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/")
    assert client.get("/admin/").status_code == 200
    entry = db_session.scalar(select(AuditLog).where(AuditLog.action == "login"))
    assert entry.username == "admin" and entry.target == "admin"
    assert entry.ip_hash and len(entry.ip_hash) == 64 and "127.0.0.1" not in entry.ip_hash
    db_session.refresh(user)
    assert user.last_login_at is not None and user.failed_logins == 0


def test_wrong_password_and_unknown_user_get_the_same_answer(client, db_session):
    make_user(db_session)
    db_session.commit()
    wrong = login(client, "admin", "not-the-password-1")
    unknown = login(client, "nobody", "not-the-password-1")
    assert wrong.status_code == unknown.status_code == 401
    message = "Tên đăng nhập hoặc mật khẩu không đúng, hoặc tài khoản đang tạm khoá"
    assert message in wrong.get_data(as_text=True) and message in unknown.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302
    assert _actions(db_session) == ["login_failed", "login_failed"]


def test_account_locks_after_repeated_failures_then_unlocks(app, client, db_session):
    user = make_user(db_session)
    db_session.commit()
    limit = app.config["LOGIN_MAX_FAILURES"]
    statuses = [login(client, user, "wrong-password-99").status_code for _ in range(limit)]
    assert statuses == [401] * limit
    db_session.refresh(user)
    assert user.locked_until is not None

    locked = login(client, user)  # even the right password is refused while locked
    unknown = login(client, "khong-ton-tai", "wrong-password-99")
    # the locked account answers exactly like an unknown name, so names cannot be probed
    assert locked.status_code == unknown.status_code == 401
    assert locked.get_data(as_text=True).replace(f'value="{user.username}"', "") == \
        unknown.get_data(as_text=True).replace('value="khong-ton-tai"', "")
    assert "tài khoản đang tạm khoá" in locked.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302

    user.locked_until = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)
    db_session.commit()
    assert login(client, user).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_inactive_account_cannot_sign_in(client, db_session):
    user = make_user(db_session)
    user.active = False
    db_session.commit()
    assert login(client, user).status_code == 401


def test_next_parameter_only_allows_local_paths(client, db_session):
    make_user(db_session)
    db_session.commit()
    data = {"username": "admin", "password": DEFAULT_PASSWORD}
    local = client.post("/auth/login?next=/admin/monitor", data=data)
    assert local.headers["Location"] == "/admin/monitor"
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        client.post("/auth/logout")
        away = client.post("/auth/login", query_string={"next": target}, data=data)
        assert away.headers["Location"].endswith("/admin/"), target


def test_logout_needs_post_and_ends_the_session(client, auth):
    auth("admin")
    assert client.get("/auth/logout").status_code == 405
    assert client.post("/auth/logout").status_code == 302
    assert client.get("/admin/").status_code == 302


def test_change_password_checks_the_current_one_and_strength(app, client, db_session, auth):
    user = auth("officer", make_locality(db_session))
    weak = client.post(
        "/auth/password", data={"current_password": DEFAULT_PASSWORD, "new_password": "short", "confirm": "short"}
    )
    assert "ít nhất 10 ký tự" in weak.get_data(as_text=True)
    wrong = client.post(
        "/auth/password",
        data={"current_password": "bad", "new_password": "Moi-mat-khau-2026", "confirm": "Moi-mat-khau-2026"},
    )
    assert "Mật khẩu hiện tại không đúng." in wrong.get_data(as_text=True)

    other = app.test_client()  # a second session of the same account
    assert login(other, user).status_code == 302
    done = client.post(
        "/auth/password",
        data={
            "current_password": DEFAULT_PASSWORD, "new_password": "Moi-mat-khau-2026", "confirm": "Moi-mat-khau-2026"
        },
    )
    assert done.status_code == 302
    assert client.get("/admin/").status_code == 200  # this session continues
    assert other.get("/admin/").status_code == 302  # the other one has ended
    assert login(app.test_client(), user, "Moi-mat-khau-2026").status_code == 302
    assert "password_change" in _actions(db_session)


def test_idle_session_expires(app, client, auth):
    auth("admin")
    assert client.get("/admin/").status_code == 200
    with client.session_transaction() as session:
        session["last_seen"] -= app.config["SESSION_IDLE_MINUTES"] * 60 + 5
    expired = client.get("/admin/")
    assert expired.status_code == 302 and "/auth/login" in expired.headers["Location"]
    assert "hết hạn" in client.get(expired.headers["Location"]).get_data(as_text=True)


def test_cli_creates_and_resets_accounts(runner, db_session):
    make_locality(db_session, code="24001")
    db_session.commit()
    created = runner.invoke(args=["users", "create", "canbo", "--role", "officer", "--locality", "24001"])
    assert created.exit_code == 0, created.output
    password = created.output.split("Mật khẩu: ")[1].split()[0]
    user = db_session.scalar(select(User).where(User.username == "canbo"))
    assert user.role == "officer" and user.locality.code == "24001"

    missing = runner.invoke(args=["users", "create", "x", "--role", "officer"])
    assert missing.exit_code == 2 and "tài khoản cán bộ xã/phường cần --locality" in missing.output
    duplicate = runner.invoke(args=["users", "create", "canbo", "--role", "analyst"])
    assert duplicate.exit_code == 2 and "tài khoản 'canbo' đã có" in duplicate.output

    user.locked_until = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)
    db_session.commit()
    reset = runner.invoke(args=["users", "reset", "canbo"])
    assert reset.exit_code == 0, reset.output
    assert "Đã cấp mật khẩu mới cho canbo." in reset.output
    new_password = reset.output.split("Mật khẩu: ")[1].split()[0]
    assert new_password != password
    db_session.expire_all()
    assert db_session.get(User, user.id).locked_until is None
    assert runner.invoke(args=["users", "reset", "ghost"]).exit_code == 2
    assert "canbo\tofficer\t24001\tđang hoạt động" in runner.invoke(args=["users", "list"]).output


def test_parallel_guesses_check_at_most_the_allowed_number_of_passwords(app, live_server, db_session):
    """Guesses sent at once must not overwrite each other's count (each is one UPDATE)."""
    import urllib.error
    import urllib.parse
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    user = make_user(db_session)
    db_session.commit()
    limit = app.config["LOGIN_MAX_FAILURES"]
    body = urllib.parse.urlencode({"username": user.username, "password": "wrong-password-99"}).encode()

    def guess(_):
        try:
            return urllib.request.urlopen(f"{live_server}/auth/login", data=body, timeout=30).status
        except urllib.error.HTTPError as refused:
            return refused.code

    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(guess, range(24)))
    assert statuses == [401] * 24
    db_session.expire_all()
    reasons = [entry.detail["reason"] for entry in db_session.scalars(select(AuditLog))]
    checked = reasons.count("bad_credentials")  # attempts whose password was verified
    assert 1 <= checked <= limit and reasons.count("locked") == 24 - checked, reasons
    assert db_session.get(type(user), user.id).locked_until is not None
