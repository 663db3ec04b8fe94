"""The kiosk tablet's pairing form (`survey.kiosk`)."""

from __future__ import annotations

from wtforms import StringField
from wtforms.validators import InputRequired, Length

from survey.forms import VietnameseForm

CODE_REQUIRED = "Vui lòng nhập mã ghép nối gồm 8 ký tự do cán bộ quản lý cung cấp."
CODE_UNKNOWN = ("Mã ghép nối không đúng, đã hết hạn hoặc đã được dùng. "
                "Vui lòng xin cán bộ quản lý một mã mới trên trang Trung tâm.")


class PairingForm(VietnameseForm):
    """The one-time code a staff member gives the tablet (mã ghép nối)."""

    code = StringField("Mã ghép nối", validators=[InputRequired(CODE_REQUIRED), Length(max=20, message=CODE_REQUIRED)],
                       description="8 ký tự, ví dụ 7KQ2-M9XA; không phân biệt chữ hoa, chữ thường.")
