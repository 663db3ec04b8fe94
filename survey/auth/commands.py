"""`flask --app wsgi users create|reset|list`: staff accounts from the command line."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from survey.audit import record
from survey.auth.sessions import end_sessions
from survey.enums import values
from survey.extensions import db
from survey.labels import label
from survey.models import Locality, User, UserRole
from survey.passwords import generate_password, hash_password

users_group = AppGroup("users", help="Tạo tài khoản cán bộ và cấp lại mật khẩu.")


@users_group.command("create", help="Tạo tài khoản và in mật khẩu dùng một lần của tài khoản đó.")
@click.argument("username")
@click.option("--role", type=click.Choice(values(UserRole)), required=True,
              help=f"Một trong: {', '.join(UserRole)}.")
@click.option("--locality", "locality_code", help="Mã chính thức của xã/phường nơi cán bộ làm việc, ví dụ 24001.")
def create_user(username: str, role: str, locality_code: str | None) -> None:
    """Create an account and print its one-time password."""
    if db.session.scalar(select(User).where(User.username == username)) is not None:
        raise click.BadParameter(f"tài khoản {username!r} đã có; muốn cấp mật khẩu mới thì dùng `users reset`",
                                 param_hint="USERNAME")
    locality = None
    if role == UserRole.OFFICER:
        if not locality_code:
            raise click.BadParameter("tài khoản cán bộ xã/phường cần --locality MÃ_XÃ", param_hint="--locality")
        locality = db.session.scalar(select(Locality).where(Locality.code == locality_code))
        if locality is None:
            raise click.BadParameter(f"không có xã, phường nào mã {locality_code!r}", param_hint="--locality")
    password = generate_password()
    db.session.add(User(username=username, password_hash=hash_password(password), role=role, locality=locality,
                        must_change_password=True))
    record("user_create", username, username="cli", role=role, locality=locality_code)
    db.session.commit()
    click.echo(f"Đã tạo tài khoản {username} ({label(role, 'role')}). Mật khẩu: {password}")
    click.echo("Mật khẩu này chỉ hiện một lần; người dùng phải đổi mật khẩu ở lần đăng nhập đầu tiên.")


@users_group.command("reset", help="Cấp mật khẩu dùng một lần mới, kết thúc mọi phiên đăng nhập, "
                     "gỡ khoá và mở lại tài khoản.")
@click.argument("username")
def reset_user(username: str) -> None:
    """Set a new one-time password, end every session, lift any lockout and reactivate the account."""
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.BadParameter(f"không có tài khoản {username!r}", param_hint="USERNAME")
    password = generate_password()
    user.password_hash = hash_password(password)
    user.failed_logins, user.locked_until, user.active = 0, None, True
    user.must_change_password = True
    end_sessions(user)
    record("user_password_reset", username, username="cli")
    db.session.commit()
    click.echo(f"Đã cấp mật khẩu mới cho {username}. Mật khẩu: {password}")
    click.echo("Mật khẩu này chỉ hiện một lần; người dùng phải đổi mật khẩu ở lần đăng nhập đầu tiên.")


@users_group.command("list", help="In mọi tài khoản cùng vai trò, xã/phường và trạng thái.")
def list_users() -> None:
    """Print every account with its role, locality and status."""
    for user in db.session.scalars(select(User).order_by(User.username)):
        where = user.locality.code if user.locality else "-"
        state = "đang hoạt động" if user.active else "ngừng hoạt động"
        click.echo(f"{user.username}\t{user.role}\t{where}\t{state}")


COMMANDS = (users_group,)
