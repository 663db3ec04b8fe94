"""Forms for the management pages: centres, fields, waves, users, uploads, review, exports.

Select choices that depend on the database or on the user's scope are filled in by the view;
the scope itself is enforced again on the server whatever the browser sent.
"""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from survey import labels
from survey.enums import values
from survey.forms import VietnameseForm, choice_list, table_upload_fields
from survey.models import DEMO_WAVE_PREFIX, ReviewStatus, UserRole

CODE_PATTERN = r"^[a-z0-9_\-]+$"
WAVE_PATTERN = r"^(?:[A-Z]{2,8}-)?[0-9]{4}Q[1-4]$"
"""A quarter, with an optional prefix so the leaders' wave of a quarter has its own code (PAR-2026Q3)."""
MAX_BATCH = 1000
MIN_REASON = 5

REQUIRED = "Vui lòng nhập thông tin này."
CHOOSE_ONE = "Vui lòng chọn một mục."
CODE_FORMAT = "Mã chỉ gồm chữ thường không dấu, chữ số, dấu gạch dưới hoặc gạch ngang."
USERNAME_FORMAT = "Tên đăng nhập chỉ gồm chữ không dấu, chữ số, dấu chấm, gạch dưới hoặc gạch ngang."
WAVE_FORMAT = "Mã đợt theo dạng năm và quý, ví dụ 2026Q3 (đợt khảo sát lãnh đạo: PAR-2026Q3)."
WAVE_DATES = "Ngày kết thúc phải sau hoặc trùng ngày bắt đầu."
WAVE_DEMO_CODE = f"Mã bắt đầu bằng {DEMO_WAVE_PREFIX} dành cho đợt dữ liệu mô phỏng (lệnh flask demo responses)."
WAVE_SHARE = "Tỷ lệ phải lớn hơn 0 và không quá 1, ví dụ 1/3, 1/2 hoặc 0,5."
DATE_FORMAT = "Ngày không hợp lệ (định dạng năm-tháng-ngày)."
BATCH_SIZE = f"Số lượng phải từ 1 đến {MAX_BATCH}."
OFFICER_NEEDS_LOCALITY = "Cán bộ địa phương phải được gắn với một xã/phường."
FILE_REQUIRED = "Vui lòng chọn tệp để tải lên."
REASON_REQUIRED = f"Vui lòng ghi lý do (ít nhất {MIN_REASON} ký tự)."
TOO_LONG = "Nội dung quá dài."

ROLE_CHOICES = choice_list(labels.options("role", values(UserRole)))
REVIEW_CHOICES = choice_list(labels.options("review_status", values(ReviewStatus)))
FORMAT_CHOICES = choice_list([("xlsx", "Excel (XLSX)"), ("csv", "CSV (UTF-8, cho phần mềm thống kê)"),
                              ("parquet", "Parquet (có kiểu dữ liệu và bảng mã, đọc nhanh bằng R arrow hoặc Python)")])
NO_CHOICE = 0


class CentreCreateForm(VietnameseForm):
    """Create a one-stop centre (Bộ phận Một cửa) in a locality."""

    code = StringField(
        "Mã trung tâm",
        description="Dùng trong đường dẫn mã QR, ví dụ 24001 hoặc tinh.",
        validators=[
            DataRequired(REQUIRED),
            Length(max=20, message=TOO_LONG),
            Regexp(CODE_PATTERN, message=CODE_FORMAT),
        ],
    )
    name = StringField("Tên trung tâm", validators=[DataRequired(REQUIRED), Length(max=200, message=TOO_LONG)])
    locality_id = SelectField("Xã/phường", coerce=int, validators=[InputRequired(CHOOSE_ONE)])
    submit = SubmitField("Tạo trung tâm")


class CentreEditForm(VietnameseForm):
    """Rename a centre; its code stays, because printed QR posters carry it."""

    name = StringField("Tên trung tâm", validators=[DataRequired(REQUIRED), Length(max=200, message=TOO_LONG)])
    submit = SubmitField("Lưu")


class ServiceFieldForm(VietnameseForm):
    """Create or edit a service field (lĩnh vực thủ tục hành chính)."""

    code = StringField(
        "Mã lĩnh vực",
        validators=[
            DataRequired(REQUIRED),
            Length(max=40, message=TOO_LONG),
            Regexp(CODE_PATTERN, message=CODE_FORMAT),
        ],
    )
    name = StringField("Tên lĩnh vực", validators=[DataRequired(REQUIRED), Length(max=200, message=TOO_LONG)])
    sort_order = IntegerField("Thứ tự hiển thị", default=0, validators=[Optional()])
    active = BooleanField("Đang sử dụng", default=True)
    submit = SubmitField("Lưu")


class WaveForm(VietnameseForm):
    """Create a survey wave (đợt khảo sát) on a published questionnaire version."""

    code = StringField(
        "Mã đợt",
        description="Ví dụ 2026Q3 cho quý 3 năm 2026.",
        validators=[DataRequired(REQUIRED), Regexp(WAVE_PATTERN, message=WAVE_FORMAT)],
    )
    questionnaire_version_id = SelectField(
        "Phiên bản phiếu khảo sát", coerce=int, validators=[InputRequired(CHOOSE_ONE)]
    )
    opens_on = DateField("Ngày bắt đầu", validators=[DataRequired(DATE_FORMAT)])
    closes_on = DateField("Ngày kết thúc", validators=[DataRequired(DATE_FORMAT)])
    assigned_share = StringField(
        "Tỷ lệ người trả lời được chọn ngẫu nhiên cho phần chọn mẫu con",
        description="Để trống để dùng tỷ lệ ghi trong phiếu (phiếu SIPAS 2026: 1/3 cho phần đánh giá "
                    "chính sách). Ví dụ 1/2 hoặc 0,5 để hỏi một nửa số người trả lời.",
        validators=[Optional(), Length(max=20, message=TOO_LONG)],
    )
    submit = SubmitField("Tạo đợt")

    def validate_code(self, field: StringField) -> None:
        if (field.data or "").startswith(DEMO_WAVE_PREFIX):
            raise ValidationError(WAVE_DEMO_CODE)

    def validate_closes_on(self, field: DateField) -> None:
        if self.opens_on.data and field.data and field.data < self.opens_on.data:
            raise ValidationError(WAVE_DATES)

    def validate_assigned_share(self, field: StringField) -> None:
        if field.data and share_of(field.data) is None:
            raise ValidationError(WAVE_SHARE)

    @property
    def share(self) -> float | None:
        """The wave's own share for the assigned blocks; None: the questionnaire's."""
        return share_of(self.assigned_share.data) if self.assigned_share.data else None


def share_of(text: str) -> float | None:
    """A share written as 1/3, 0.5 or 0,5 (the Vietnamese decimal comma); None unless in (0, 1]."""
    text = text.strip().replace(",", ".")
    try:
        if "/" in text:
            top, bottom = (float(part) for part in text.split("/"))
            share = top / bottom
        else:
            share = float(text)
    except (ValueError, ZeroDivisionError):
        return None
    return share if 0 < share <= 1 else None


class UserForm(VietnameseForm):
    """Create or edit a staff account; a new account gets a one-time password."""

    username = StringField(
        "Tên đăng nhập",
        validators=[
            DataRequired(REQUIRED),
            Length(max=80, message=TOO_LONG),
            Regexp(r"^[A-Za-z0-9_.\-]+$", message=USERNAME_FORMAT),
        ],
    )
    role = RadioField("Vai trò", choices=ROLE_CHOICES, validators=[InputRequired(CHOOSE_ONE)])
    locality_id = SelectField(
        "Xã/phường (với cán bộ xã/phường)", coerce=int, validators=[Optional()],
        description="Bắt buộc với cán bộ xã/phường; bỏ qua với các vai trò khác.",
    )
    active = BooleanField("Tài khoản đang hoạt động", default=True)
    submit = SubmitField("Lưu")

    def validate_locality_id(self, field: SelectField) -> None:
        if self.role.data == UserRole.OFFICER and not field.data:
            raise ValidationError(OFFICER_NEEDS_LOCALITY)


class QuestionnaireUploadForm(VietnameseForm):
    """Check a questionnaire YAML file, and publish it as a new version if it is correct."""

    file = FileField("Tệp phiếu khảo sát (YAML)", validators=[FileRequired(FILE_REQUIRED)])
    check = SubmitField("Kiểm tra")
    publish = SubmitField("Kiểm tra và xuất bản")


class ReceiptBatchForm(VietnameseForm):
    """Issue a batch of single-use receipt tokens for a centre."""

    centre_id = SelectField("Trung tâm", coerce=int, validators=[InputRequired(CHOOSE_ONE)])
    field_id = SelectField("Lĩnh vực (không bắt buộc)", coerce=int, default=NO_CHOICE)
    count = IntegerField(
        "Số lượng mã", default=100, validators=[InputRequired(BATCH_SIZE), NumberRange(1, MAX_BATCH, BATCH_SIZE)]
    )
    submit = SubmitField("Phát hành và tải tệp CSV (cho phần mềm Một cửa)")
    sheet = SubmitField("Phát hành và in tờ phiếu QR (A4, 10 phiếu mỗi tờ)")


class CountsUploadForm(VietnameseForm):
    """Upload administrative counts (số hồ sơ đã giải quyết) as CSV or XLSX."""

    file, submit = table_upload_fields(
        "Tệp số liệu (CSV hoặc XLSX)",
        "Các cột: Mã trung tâm, Lĩnh vực, Quý, Số hồ sơ đã giải quyết (xem hướng dẫn ở trên).",
        FILE_REQUIRED,
    )


class BoundariesUploadForm(VietnameseForm):
    """Upload the communes' boundaries (ranh giới xã, phường) as GeoJSON, for the report's map."""

    file, submit = table_upload_fields(
        "Tệp ranh giới (GeoJSON)",
        "Một FeatureCollection theo kinh độ, vĩ độ WGS 84, mỗi xã, phường một Polygon hoặc MultiPolygon.",
        FILE_REQUIRED,
    )
    code_property = StringField("Thuộc tính chứa mã xã, phường",
                                description="Để trống: dùng “ma_xa”, nếu không có thì “code”.",
                                validators=[Optional(), Length(max=100)])


class ReviewForm(VietnameseForm):
    """Include or exclude a flagged response, with the reason recorded."""

    decision = RadioField("Quyết định", choices=REVIEW_CHOICES, validators=[InputRequired(CHOOSE_ONE)])
    reason = TextAreaField(
        "Lý do",
        validators=[DataRequired(REASON_REQUIRED), Length(min=MIN_REASON, max=500, message=REASON_REQUIRED)],
    )
    submit = SubmitField("Ghi nhận")


class BulkReviewForm(VietnameseForm):
    """Include or exclude several chosen responses at once; the ids come as `ids` checkboxes."""

    decision = RadioField("Quyết định cho các phiếu đã chọn", choices=REVIEW_CHOICES,
                          validators=[InputRequired(CHOOSE_ONE)])
    reason = TextAreaField(
        "Lý do",
        validators=[DataRequired(REASON_REQUIRED), Length(min=MIN_REASON, max=500, message=REASON_REQUIRED)],
    )
    submit = SubmitField("Ghi nhận cho các phiếu đã chọn")


class ExportForm(VietnameseForm):
    """Choose a wave, a format and optionally one centre to export (a GET form)."""

    class Meta:
        csrf = False  # a download link, it changes nothing

    wave = SelectField("Đợt khảo sát", validators=[InputRequired(CHOOSE_ONE)])
    centre = SelectField("Trung tâm", coerce=int, default=NO_CHOICE, validators=[Optional()])
    format = RadioField("Định dạng", choices=FORMAT_CHOICES, default="xlsx", validators=[InputRequired(CHOOSE_ONE)])
    submit = SubmitField("Tải về")


class ConfirmForm(VietnameseForm):
    """A bare form for one-click actions (open a wave, deactivate a centre): CSRF only."""



DIGEST_REQUIRED = "Vui lòng viết bản tổng hợp góp ý (từ 20 đến 4.000 ký tự)."


class DigestForm(VietnameseForm):
    """The province reviewer's digest of a locality's comments, published to its officers."""

    body = TextAreaField(
        "Bản tổng hợp góp ý",
        description=(
            "Nêu các chủ đề kèm số góp ý; trích dẫn (nếu có) phải được viết lại, "
            "không còn hồ sơ, ngày giờ hay chi tiết nào giúp nhận ra người góp ý."
        ),
        validators=[DataRequired(DIGEST_REQUIRED), Length(min=20, max=4000, message=DIGEST_REQUIRED)],
    )
    submit = SubmitField("Công bố cho cán bộ xã/phường")
