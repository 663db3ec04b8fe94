"""Forms of the leaders' survey admin pages: roster upload, issuing the letters, sending by e-mail or SMS."""

from __future__ import annotations

from wtforms import BooleanField, DateField, IntegerField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from survey.forms import VietnameseForm, choice_list, table_upload_fields

FILE_REQUIRED = "Vui lòng chọn tệp danh sách (CSV hoặc XLSX)."
CONFIRM_REQUIRED = "Vui lòng xác nhận rằng các đường dẫn cũ sẽ không dùng được nữa."
CHOOSE_FORMAT = "Vui lòng chọn dạng tệp."
TOO_LONG = "Vui lòng ghi ngắn hơn (tối đa %(max)d ký tự)."
FORMATS = choice_list([("html", "Thư mời in trên khổ A4 (HTML, có mã QR)"), ("csv", "Danh sách đường dẫn (CSV)")])


class RosterUploadForm(VietnameseForm):
    """Upload the roster of invited leaders of a wave, all rows or none."""

    file, submit = table_upload_fields(
        "Tệp danh sách mời (CSV hoặc XLSX)",
        "Các cột: Nhóm, Đơn vị, Họ và tên, Điện thoại, Email (hai cột cuối có thể bỏ trống).",
        FILE_REQUIRED,
    )


class IssueInvitationsForm(VietnameseForm):
    """Issue fresh single-use links for every invitee who has not answered yet."""

    format = RadioField("Dạng tệp", choices=FORMATS, default="html",
                        validators=[InputRequired(CHOOSE_FORMAT)])
    # The letter's số, ngày and người ký (HTML letters only; the CSV has no letterhead).
    number = StringField("Số, ký hiệu văn bản", description="Ví dụ: 125/SNV-CCHC.",
                         validators=[Optional(), Length(max=40, message=TOO_LONG)])
    signed_on = DateField("Ngày ký", validators=[Optional()])
    signer_title = TextAreaField("Quyền hạn, chức vụ người ký",
                                 description="Mỗi dòng một dòng in trên thư, ví dụ: KT. GIÁM ĐỐC, "
                                             "xuống dòng, PHÓ GIÁM ĐỐC.",
                                 validators=[Optional(), Length(max=120, message=TOO_LONG)])
    signer_name = StringField("Họ và tên người ký", validators=[Optional(), Length(max=80, message=TOO_LONG)])
    confirm = BooleanField(
        "Tôi hiểu rằng các đường dẫn đã phát hành trước đây cho những người này sẽ không dùng được nữa.",
        validators=[DataRequired(CONFIRM_REQUIRED)],
    )
    submit = SubmitField("Phát hành thư mời")


CHOOSE_CHANNEL = "Vui lòng chọn cách gửi (email hoặc SMS)."
REMINDERS_RANGE = "Số lần nhắc phải từ %(min)s đến %(max)s."
CHANNELS = choice_list([("email", "Email"), ("sms", "Tin nhắn SMS")])


class SendInvitationsForm(VietnameseForm):
    """Send each invitee not yet counted as completed their link, by e-mail or SMS, once."""

    channel = RadioField("Gửi qua", choices=CHANNELS, default="email", validators=[InputRequired(CHOOSE_CHANNEL)])
    reminders = IntegerField("Số lần nhắc tối đa cho mỗi người", default=0,
                             description="0: chỉ gửi thư mời. Mỗi lần nhắc cách lần gửi trước ít nhất 3 ngày.",
                             validators=[InputRequired(REMINDERS_RANGE % {"min": 0, "max": 10}),
                                         NumberRange(0, 10, REMINDERS_RANGE)])
    submit = SubmitField("Gửi")
