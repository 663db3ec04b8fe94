"""The form an administrator uploads recordings with; each file's content is checked by
`survey.media.audio` in the view, so every bad file of a batch is named, not only the first."""

from __future__ import annotations

from flask_wtf.file import FileRequired, MultipleFileField
from wtforms import SubmitField

from survey.forms import VietnameseForm
from survey.questionnaire.model import AUDIO_SUFFIXES

FILES_REQUIRED = "Vui lòng chọn ít nhất một tệp ghi âm."


class RecordingUploadForm(VietnameseForm):
    """Upload one or more recordings of a questionnaire's questions and options."""

    files = MultipleFileField(
        "Tệp ghi âm",
        description="Ogg (Opus, Vorbis), MP3, M4A/AAC hoặc WAV; tên tệp đúng như trong tệp phiếu "
                    "(ví dụ cau-1.ogg). Tải lên tệp trùng tên sẽ thay tệp cũ.",
        validators=[FileRequired(FILES_REQUIRED)],
        render_kw={"accept": ",".join((*AUDIO_SUFFIXES, "audio/*"))},
    )
    submit = SubmitField("Tải lên")
