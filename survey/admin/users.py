"""Staff accounts: list, create, edit role/locality/status, reset a password."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from sqlalchemy import select

from survey.admin import bp, staff
from survey.admin.forms import ConfirmForm, UserForm
from survey.audit import record
from survey.auth.scope import roles_required
from survey.auth.sessions import end_sessions
from survey.clock import utcnow
from survey.extensions import db
from survey.forms import choice_list
from survey.models import Locality, User, UserRole
from survey.passwords import generate_password, hash_password

USERNAME_TAKEN = "Tên đăng nhập này đã có."
SESSIONS_ENDED = "Đã kết thúc mọi phiên đăng nhập của {username}: tài khoản phải đăng nhập lại trên mọi thiết bị."
SELF_LOCKOUT = "Bạn không thể tự bỏ quyền quản trị hoặc tự khoá tài khoản của mình."


def _locality_choices() -> list[tuple[int, str]]:
    rows = db.session.scalars(select(Locality).order_by(Locality.name))
    return [(0, "— Không gắn xã/phường —")] + [(loc.id, f"{loc.name} ({loc.code})") for loc in rows]


@bp.get("/users")
@roles_required(UserRole.ADMIN)
def users():
    """List the staff accounts."""
    rows = db.session.scalars(select(User).order_by(User.role, User.username)).all()
    return render_template("admin/users.html", users=rows, confirm=ConfirmForm(), now_utc=utcnow())

END_SESSIONS_ACTION = {
    "heading": "Phiên đăng nhập",
    "hint": "Kết thúc mọi phiên đăng nhập của tài khoản này trên mọi thiết bị (kể cả bản sao cookie "
            "bị lộ); mật khẩu giữ nguyên, người dùng đăng nhập lại.",
    "label": "Kết thúc mọi phiên đăng nhập",
}


@bp.route("/users/new", methods=["GET", "POST"], defaults={"user_id": None})
@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required(UserRole.ADMIN)
def user_edit(user_id: int | None):
    """Create a staff account or change its role, locality and status."""
    user = db.get_or_404(User, user_id) if user_id is not None else None
    form = UserForm(obj=user)
    form.locality_id.choices = choice_list(_locality_choices())
    if user is not None:
        form.username.render_kw = {"readonly": True}
    if form.validate_on_submit():
        role = form.role.data
        locality_id = form.locality_id.data if role == UserRole.OFFICER else None
        if user is None and db.session.scalar(select(User).where(User.username == form.username.data)):
            form.username.errors.append(USERNAME_TAKEN)
        elif user is not None and user.id == staff().id and (role != UserRole.ADMIN or not form.active.data):
            form.form_errors.append(SELF_LOCKOUT)
        else:
            password = None
            if user is None:
                password = generate_password()
                user = User(username=form.username.data, password_hash=hash_password(password), role=role,
                            must_change_password=True)
                db.session.add(user)
            user.role, user.locality_id, user.active = role, locality_id, form.active.data
            db.session.flush()
            record("user_create" if password else "user_update", user.username,
                   role=role, locality_id=locality_id, active=user.active)
            db.session.commit()
            if password:
                return render_template("admin/user_password.html", user=user, password=password)
            flash(f"Đã lưu tài khoản {user.username}.", "success")
            return redirect(url_for("admin.users"))
    title = f"Tài khoản {user.username}" if user else "Thêm tài khoản"
    actions = [] if user is None else [END_SESSIONS_ACTION | {
        "url": url_for("admin.user_end_sessions", user_id=user.id)}]
    return render_template("admin/form.html", form=form, title=title, back="admin.users",
                           back_text="Danh sách tài khoản", actions=actions)


def _confirmed_user(user_id: int) -> User:
    """The account an admin's confirmed button acts on: 404 if unknown, 400 without the form's token."""
    user = db.get_or_404(User, user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return user


@bp.post("/users/<int:user_id>/reset")
@roles_required(UserRole.ADMIN)
def user_reset(user_id: int):
    """Give an account a new one-time password, end its sessions and lift any lockout."""
    user = _confirmed_user(user_id)
    password = generate_password()
    user.password_hash = hash_password(password)
    user.failed_logins, user.locked_until = 0, None
    user.must_change_password = True
    end_sessions(user)
    record("user_password_reset", user.username)
    db.session.commit()
    return render_template("admin/user_password.html", user=user, password=password)


@bp.post("/users/<int:user_id>/sessions/end")
@roles_required(UserRole.ADMIN)
def user_end_sessions(user_id: int):
    """End every session of an account, on every device, without changing its password."""
    user = _confirmed_user(user_id)
    end_sessions(user)
    record("user_sessions_end", user.username)
    db.session.commit()
    if user.id == staff().id:
        return redirect(url_for("auth.login"))  # the admin ended their own session too
    flash(SESSIONS_ENDED.format(username=user.username), "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))
