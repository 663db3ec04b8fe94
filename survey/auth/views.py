"""Login, logout and password change views."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from survey.audit import record
from survey.auth import bp
from survey.auth.forms import ChangePasswordForm, LoginForm
from survey.auth.lockout import (
    LOGIN_FAILED,
    address_throttled,
    register_failure,
    register_success,
    reserve_attempt,
)
from survey.auth.sessions import end_sessions
from survey.extensions import db
from survey.models import User
from survey.passwords import dummy_hash, hash_password, verify_password

# One answer for a wrong password, an unknown name and a locked account, so the lockout does
# not reveal which usernames exist.
LOGIN_REFUSED = (
    "Tên đăng nhập hoặc mật khẩu không đúng, hoặc tài khoản đang tạm khoá: sau {failures} lần "
    "nhập sai liên tiếp, tài khoản bị khoá {minutes} phút."
)
# From a throttled address: the same words for a wrong password, an unknown name and a locked account.
TOO_MANY_ATTEMPTS = (
    "Có quá nhiều lần đăng nhập sai từ địa chỉ này. Tên đăng nhập hoặc mật khẩu không đúng, hoặc tài "
    "khoản đang tạm khoá. Trong lúc này, chỉ một lần nhập sai mật khẩu từ địa chỉ này cũng khoá tài "
    "khoản {minutes} phút: vui lòng nhập cẩn thận."
)
LOGGED_OUT = "Bạn đã đăng xuất trên mọi thiết bị."
PASSWORD_CHANGED = "Đã đổi mật khẩu."  # nosec B105
WRONG_CURRENT_PASSWORD = "Mật khẩu hiện tại không đúng."  # nosec B105
LOCKED_WHILE_CHANGING = (
    "Nhập sai mật khẩu hiện tại quá nhiều lần: tài khoản bị khoá {minutes} phút và mọi phiên "
    "làm việc của tài khoản đã kết thúc."
)
CHANGE_FAILED_ACTION = "password_change_failed"


def safe_next(target: str | None) -> str:
    """A local path to continue to after login; anything else goes to the admin home."""
    if target:
        parts = urlsplit(target)
        local = not parts.scheme and not parts.netloc and target.startswith("/")
        if local and not target.startswith("//") and "\\" not in target:
            return target
    return url_for("admin.home")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign a staff member in, counting failures towards a temporary lockout."""
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 200 if request.method == "GET" else 400
    # A throttled address still reaches the password check (survey.auth.lockout): the right
    # password of an unlocked account signs in, a wrong one locks that account at once.
    throttled = address_throttled(db.session, request.remote_addr)
    username = form.username.data.strip()
    user = db.session.scalar(select(User).where(User.username == username))
    attempt = reserve_attempt(db.session, user) if user is not None else 0
    db.session.commit()  # parallel attempts must see this one counted before any password check
    # A locked account is checked against the dummy hash: its answer takes as long as any other.
    checked_hash = user.password_hash if user is not None and attempt is not None else dummy_hash()
    password_ok = verify_password(checked_hash, form.password.data)
    if attempt is None or user is None or not password_ok or not user.active:
        locked = attempt is None or (password_ok is False and user is not None
                                     and register_failure(db.session, user, attempt, last_chance=throttled))
        record(LOGIN_FAILED, username, username=username, reason="locked" if locked else "bad_credentials")
        db.session.commit()
        minutes = current_app.config["LOGIN_LOCKOUT_MINUTES"]
        if throttled:
            form.form_errors.append(TOO_MANY_ATTEMPTS.format(minutes=minutes))
            return render_template("auth/login.html", form=form), 429
        form.form_errors.append(LOGIN_REFUSED.format(failures=current_app.config["LOGIN_MAX_FAILURES"],
                                                     minutes=minutes))
        return render_template("auth/login.html", form=form), 401
    register_success(user)
    login_user(user)
    record("login", username, username=username)
    db.session.commit()
    return redirect(safe_next(request.args.get("next")))


@bp.post("/logout")
@login_required
def logout():
    """Sign the current user out on every device, copies of this session's cookie included."""
    user = current_user._get_current_object()
    end_sessions(user)
    record("logout", user.username)
    db.session.commit()
    logout_user()
    flash(LOGGED_OUT, "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change the signed-in user's own password; wrong current passwords count toward the lockout."""
    user = current_user._get_current_object()
    form = ChangePasswordForm(user.username)
    if not form.validate_on_submit():
        return render_template("auth/password.html", form=form)
    attempt = reserve_attempt(db.session, user)
    db.session.commit()  # counted before the check, as at login, so parallel guesses cannot outrun it
    if attempt is not None and verify_password(user.password_hash, form.current_password.data):
        user.failed_logins, user.locked_until = 0, None
        user.password_hash = hash_password(form.new_password.data)
        user.must_change_password = False
        end_sessions(user)  # every other session, and every copy of this one's cookie
        record("password_change", user.username)
        db.session.commit()
        login_user(user)  # this browser continues under the new generation
        flash(PASSWORD_CHANGED, "success")
        return redirect(url_for("admin.home"))
    locked = attempt is None or register_failure(db.session, user, attempt)
    record(CHANGE_FAILED_ACTION, user.username, reason="locked" if locked else "bad_credentials")
    if locked:
        # Whoever holds this session cannot keep guessing the password, nor keep the session.
        end_sessions(user)
        db.session.commit()
        logout_user()
        flash(LOCKED_WHILE_CHANGING.format(minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"]), "warning")
        return redirect(url_for("auth.login"))
    db.session.commit()
    form.current_password.errors.append(WRONG_CURRENT_PASSWORD)
    return render_template("auth/password.html", form=form), 400
