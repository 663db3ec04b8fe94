"""Forms for staff sign-in and password changes."""

from __future__ import annotations

from wtforms import PasswordField, StringField, SubmitField, ValidationError
from wtforms.validators import DataRequired, EqualTo, Length

from survey.forms import VietnameseForm

MIN_PASSWORD_LENGTH = 10

USERNAME_REQUIRED = "Vui lòng nhập tên đăng nhập."
PASSWORD_REQUIRED = "Vui lòng nhập mật khẩu."  # nosec B105
CURRENT_PASSWORD_REQUIRED = "Vui lòng nhập mật khẩu hiện tại."  # nosec B105
NEW_PASSWORD_TOO_SHORT = f"Mật khẩu mới phải có ít nhất {MIN_PASSWORD_LENGTH} ký tự."
NEW_PASSWORD_MISMATCH = "Hai lần nhập mật khẩu mới không khớp."  # nosec B105
NEW_PASSWORD_SAME = "Mật khẩu mới phải khác mật khẩu hiện tại."  # nosec B105
NEW_PASSWORD_TOO_SIMPLE = "Mật khẩu mới không được chứa tên đăng nhập và phải có cả chữ và số."  # nosec B105


def check_password_strength(password: str, username: str) -> str | None:
    """The reason `password` is too weak for `username`, or None when it is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return NEW_PASSWORD_TOO_SHORT
    has_letter = any(ch.isalpha() for ch in password)
    has_digit = any(ch.isdigit() for ch in password)
    if username.lower() in password.lower() or not (has_letter and has_digit):
        return NEW_PASSWORD_TOO_SIMPLE
    return None


class LoginForm(VietnameseForm):
    """Sign in with username and password."""

    username = StringField("Tên đăng nhập", validators=[DataRequired(USERNAME_REQUIRED), Length(max=80)])
    password = PasswordField("Mật khẩu", validators=[DataRequired(PASSWORD_REQUIRED), Length(max=200)])
    submit = SubmitField("Đăng nhập")


class ChangePasswordForm(VietnameseForm):
    """Change one's own password; the view checks the current one against the stored hash."""

    current_password = PasswordField(
        "Mật khẩu hiện tại", validators=[DataRequired(CURRENT_PASSWORD_REQUIRED)]
    )
    new_password = PasswordField(
        "Mật khẩu mới",
        description=f"Ít nhất {MIN_PASSWORD_LENGTH} ký tự, có cả chữ và số.",
        validators=[DataRequired(NEW_PASSWORD_TOO_SHORT), Length(max=200)],
    )
    confirm = PasswordField(
        "Nhập lại mật khẩu mới",
        validators=[DataRequired(NEW_PASSWORD_MISMATCH), EqualTo("new_password", NEW_PASSWORD_MISMATCH)],
    )
    submit = SubmitField("Đổi mật khẩu")

    def __init__(self, username: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._username = username

    def validate_new_password(self, field: PasswordField) -> None:
        problem = check_password_strength(field.data or "", self._username)
        if problem:
            raise ValidationError(problem)
        if field.data == self.current_password.data:
            raise ValidationError(NEW_PASSWORD_SAME)
