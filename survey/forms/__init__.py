"""WTForms forms, one module per domain: `auth`, `admin`, `respond`.

`VietnameseForm` is a FlaskForm whose built-in WTForms messages ("Not a valid choice.", ...)
are shown in Vietnamese; WTForms ships no Vietnamese catalogue. Every field of it drops
control characters (NUL included) from posted text before validation, so no text field can
carry a byte PostgreSQL refuses, and every integer field refuses a number no INTEGER column
holds (a 500 on PostgreSQL before). `table_upload_fields` are the file field and button of a
form that uploads a table (dossier counts, the leaders' roster).
"""

from __future__ import annotations

from typing import Iterable

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, SelectChoice, SubmitField, ValidationError

from survey.inputs import MAX_ID, OUT_OF_RANGE, strip_control

BUILT_IN_MESSAGES = {
    "This field is required.": "Vui lòng nhập thông tin này.",
    "Not a valid choice.": "Lựa chọn không hợp lệ.",
    "Invalid Choice: could not coerce.": "Lựa chọn không hợp lệ.",
    "Not a valid integer value.": "Vui lòng nhập một số nguyên.",
    "Not a valid decimal value.": "Vui lòng nhập một số.",
    "Not a valid float value.": "Vui lòng nhập một số.",
    "Not a valid date value.": "Ngày không hợp lệ.",
    "Not a valid datetime value.": "Thời điểm không hợp lệ.",
    "Invalid input.": "Giá trị không hợp lệ.",
    "The CSRF token is missing.": "Phiên biểu mẫu đã hết hạn, vui lòng tải lại trang.",
    "The CSRF token has expired.": "Phiên biểu mẫu đã hết hạn, vui lòng tải lại trang.",
    "The CSRF token is invalid.": "Phiên biểu mẫu không hợp lệ, vui lòng tải lại trang.",
    "The CSRF tokens do not match.": "Phiên biểu mẫu không hợp lệ, vui lòng tải lại trang.",
}


class _VietnameseTranslations:
    def gettext(self, string: str) -> str:
        return BUILT_IN_MESSAGES.get(string, string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


VIETNAMESE_MESSAGES = _VietnameseTranslations()


class VietnameseForm(FlaskForm):
    """A FlaskForm with WTForms' own messages in Vietnamese."""

    class Meta:
        def get_translations(self, form):
            return VIETNAMESE_MESSAGES

        def bind_field(self, form, unbound_field, options):
            # Filters run on every field's data after it is read from the post.
            filters = unbound_field.kwargs.get("filters") or ()
            options["filters"] = (strip_control, *filters)
            if issubclass(unbound_field.field_class, IntegerField) and len(unbound_field.args) < 2:
                validators = unbound_field.kwargs.get("validators") or ()
                options["validators"] = (*validators, within_integer_column)
            return unbound_field.bind(form=form, **options)


def within_integer_column(form, field) -> None:
    """The number fits an INTEGER column on both databases (validator of every IntegerField)."""
    if field.data is not None and not -MAX_ID - 1 <= field.data <= MAX_ID:
        raise ValidationError(OUT_OF_RANGE)


def table_upload_fields(label: str, columns: str, required: str) -> tuple[FileField, SubmitField]:
    """The `file, submit` of a table upload form: a required file described by its `columns`
    (`required` is the message when no file is chosen), and the "Tải lên" button."""
    return (FileField(label, description=columns, validators=[FileRequired(required)]),
            SubmitField("Tải lên"))


def choice_list(pairs: Iterable[tuple[object, str]]) -> list[SelectChoice]:
    """Select/radio choices from (value, label) pairs; WTForms 3.3 deprecates bare tuples."""
    return [SelectChoice(value, label) for value, label in pairs]
