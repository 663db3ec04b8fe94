"""Recognise an uploaded recording by its content, within a size bound, and name what is wrong.

The type is what the bytes are, read by mutagen's parsers (Ogg Opus or Vorbis, MP3, MP4/M4A,
ADTS AAC, WAV), never what the file name says: a renamed document or a truncated file is
refused, and so is a WAV shorter than its header says. The name must still agree with the
content, so the file an official sees in the questionnaire (``tc1.mp3``) is the kind of file
it is. Mutagen checks the container and the stream headers, not that every frame decodes.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
from dataclasses import dataclass

from survey.inputs import excerpt, strip_control
from survey.questionnaire.build import AUDIO_FILE
from survey.questionnaire.model import AUDIO_SUFFIXES
from survey.uploads.limits import UploadError, megabytes

# The parsers tried, and the Content-Type each served file gets.
CONTENT_TYPES = {"OggOpus": "audio/ogg", "OggVorbis": "audio/ogg", "MP3": "audio/mpeg", "MP4": "audio/mp4",
                 "AAC": "audio/aac", "WAVE": "audio/wav"}
"""By mutagen's class name: mutagen (50 ms) loads with the first upload, not with the app."""
KIND_NAMES = {"audio/ogg": "Ogg", "audio/mpeg": "MP3", "audio/mp4": "M4A", "audio/aac": "AAC", "audio/wav": "WAV"}
SUFFIX_TYPES = {".ogg": ("audio/ogg",), ".opus": ("audio/ogg",), ".oga": ("audio/ogg",), ".mp3": ("audio/mpeg",),
                ".m4a": ("audio/mp4",), ".aac": ("audio/aac", "audio/mp4"), ".wav": ("audio/wav",)}
# Beyond MutagenError, what its parsers raise on some corrupt headers (found by feeding them
# random bytes behind each format's magic number).
PARSE_ERRORS = (IndexError, ValueError, struct.error, EOFError, OverflowError)  # and mutagen.MutagenError

EMPTY = "{name}: tệp rỗng."
TOO_LARGE = "{name}: tệp lớn hơn giới hạn {limit} MB của một tệp ghi âm. Hãy ghi âm ngắn hơn hoặc nén lại (Opus, MP3)."
BAD_NAME = ("{name}: tên tệp chỉ được gồm chữ cái không dấu, chữ số, dấu chấm, gạch dưới hoặc gạch ngang "
            "(tối đa 100 ký tự) và kết thúc bằng " + ", ".join(AUDIO_SUFFIXES) + ".")
NOT_AUDIO = "{name}: nội dung không phải tệp âm thanh Ogg (Opus, Vorbis), MP3, M4A/AAC hay WAV."
BROKEN = "{name}: tệp bị hỏng hoặc không đầy đủ, không đọc được phần đầu âm thanh."
SILENT = "{name}: tệp không có âm thanh (dài 0 giây)."
WRONG_SUFFIX = "{name}: nội dung là tệp {kind} nhưng tên tệp kết thúc bằng {suffix}. Hãy đổi tên tệp cho đúng loại."


class RecordingError(UploadError):
    """The upload is not a usable recording; `message` names the file and why, in Vietnamese."""


@dataclass(frozen=True)
class CheckedRecording:
    name: str
    content_type: str
    seconds: float
    sha256: str
    data: bytes


def check_recording(name: str, data: bytes, limit: int) -> CheckedRecording:
    """The recording in `data`, uploaded as `name`, or a :class:`RecordingError` saying why not."""
    shown = shown_name(name)
    if not AUDIO_FILE.match(name) or not name.lower().endswith(AUDIO_SUFFIXES):
        raise RecordingError(BAD_NAME.format(name=shown))
    if not data:
        raise RecordingError(EMPTY.format(name=shown))
    if len(data) > limit:
        raise RecordingError(TOO_LARGE.format(name=shown, limit=megabytes(limit)))
    import mutagen
    from mutagen.aac import AAC
    from mutagen.mp3 import MP3
    from mutagen.mp4 import MP4
    from mutagen.oggopus import OggOpus
    from mutagen.oggvorbis import OggVorbis
    from mutagen.wave import WAVE

    try:
        # A stream without a file name: mutagen then scores the formats on the content alone.
        audio = mutagen.File(io.BytesIO(data), options=[OggOpus, OggVorbis, MP3, MP4, AAC, WAVE])
    except (mutagen.MutagenError, *PARSE_ERRORS):
        raise RecordingError(BROKEN.format(name=shown)) from None
    if audio is None:
        raise RecordingError(NOT_AUDIO.format(name=shown))
    if isinstance(audio, WAVE) and struct.unpack_from("<I", data, 4)[0] + 8 > len(data):
        # mutagen takes the length from the header: a cut-off WAV would pass as whole
        raise RecordingError(BROKEN.format(name=shown))
    if not audio.info.length or audio.info.length <= 0:
        raise RecordingError(SILENT.format(name=shown))
    content_type = CONTENT_TYPES[type(audio).__name__]
    suffix = re.search(r"\.[A-Za-z0-9]+$", name).group().lower()
    if content_type not in SUFFIX_TYPES[suffix]:
        raise RecordingError(WRONG_SUFFIX.format(name=shown, kind=KIND_NAMES[content_type], suffix=suffix))
    return CheckedRecording(name, content_type, float(audio.info.length), hashlib.sha256(data).hexdigest(), data)


def shown_name(name: str) -> str:
    """The uploaded file's name as a message may repeat it: no control characters, not too long."""
    return excerpt(strip_control(name), 60)
