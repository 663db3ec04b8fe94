"""Login, logout and password change views."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from survey.audit import record
from survey.auth import bp
from survey.db import utcnow
from survey.auth.lockout import (
    LOGIN_FAILED,
    address_throttled,
    register_failure,
    register_success,
    reserve_attempt,
)
from survey.extensions import db
from survey.forms.auth import ChangePasswordForm, LoginForm
from survey.models import User
from survey.passwords import hash_password, verify_password

BAD_CREDENTIALS = "Tên đăng nhập hoặc mật khẩu không đúng."
ACCOUNT_LOCKED = (
    "Tài khoản tạm thời bị khoá do nhập sai mật khẩu nhiều lần. Vui lòng thử lại sau {minutes} phút."
)
TOO_MANY_ATTEMPTS = "Có quá nhiều lần đăng nhập sai từ địa chỉ này. Vui lòng thử lại sau."
LOGGED_OUT = "Bạn đã đăng xuất."
PASSWORD_CHANGED = "Đã đổi mật khẩu."  # nosec B105
WRONG_CURRENT_PASSWORD = "Mật khẩu hiện tại không đúng."  # nosec B105

# Verified against when the username is unknown, so timing does not reveal which names exist.
_DUMMY_HASH = hash_password("not-a-real-password-0")


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
    if address_throttled(db.session, request.remote_addr):
        form.form_errors.append(TOO_MANY_ATTEMPTS)
        return render_template("auth/login.html", form=form), 429
    username = form.username.data.strip()
    user = db.session.scalar(select(User).where(User.username == username))
    attempt = reserve_attempt(db.session, user) if user is not None else 0
    if attempt is None:
        record(LOGIN_FAILED, username, username=username, reason="locked")
        db.session.commit()
        db.session.refresh(user)
        form.form_errors.append(ACCOUNT_LOCKED.format(minutes=_minutes_left(user)))
        return render_template("auth/login.html", form=form), 429
    db.session.commit()  # parallel attempts must see this one counted before any password check
    password_ok = verify_password(user.password_hash if user else _DUMMY_HASH, form.password.data)
    if user is None or not password_ok or not user.active:
        locked = user is not None and password_ok is False and register_failure(db.session, user, attempt)
        record(LOGIN_FAILED, username, username=username, reason="locked" if locked else "bad_credentials")
        db.session.commit()
        message = ACCOUNT_LOCKED.format(minutes=_minutes_left(user)) if locked else BAD_CREDENTIALS
        form.form_errors.append(message)
        return render_template("auth/login.html", form=form), 401
    register_success(user)
    login_user(user)
    record("login", username, username=username)
    db.session.commit()
    return redirect(safe_next(request.args.get("next")))


def _minutes_left(user: User | None) -> int:
    if user is None or user.locked_until is None:
        return 0
    return max(1, int((user.locked_until - utcnow()).total_seconds() // 60) + 1)


@bp.post("/logout")
@login_required
def logout():
    """Sign the current user out."""
    record("logout", current_user.username)
    db.session.commit()
    logout_user()
    flash(LOGGED_OUT, "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change the signed-in user's own password."""
    form = ChangePasswordForm(current_user.username)
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current_password.data):
            form.current_password.errors.append(WRONG_CURRENT_PASSWORD)
        else:
            current_user.password_hash = hash_password(form.new_password.data)
            record("password_change", current_user.username)
            db.session.commit()
            login_user(current_user._get_current_object())  # the session id carries the hash
            flash(PASSWORD_CHANGED, "success")
            return redirect(url_for("admin.home"))
    return render_template("auth/password.html", form=form)
