"""Tiny valid recordings made by the tests themselves, and SIPAS with every question recorded.

Nothing here comes from a real recording: the WAV files are written with Python's `wave`
module (a short sine tone, 8 kHz mono 16-bit PCM, which every browser plays); the MP3 is
40 frames of an MPEG-1 Layer III header (0xFFFB9064: 128 kbit/s, 44.1 kHz, 417 bytes a frame)
with silent payloads; the Ogg Opus file is built page by page with mutagen's OggPage from an
OpusHead (RFC 7845 §5.1), an OpusTags packet and 20-ms silence frames (TOC 0xF8).
"""

from __future__ import annotations

import io
import math
import struct
import wave

from mutagen.ogg import OggPage

from survey.publishing import publish
from survey.questionnaire import QuestionnaireDefinition, from_dict
from tests.factories import SIPAS_FILE, shipped_questionnaire

RATE = 8000


def wav_bytes(seconds: float = 0.2, tone: float = 440.0) -> bytes:
    """A mono 16-bit PCM WAV file of a sine tone; a different tone gives a different checksum."""
    frames = int(RATE * seconds)
    samples = b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * tone * n / RATE))) for n in range(frames))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(samples)
    return buffer.getvalue()


def mp3_bytes() -> bytes:
    return (b"\xff\xfb\x90\x64" + bytes(413)) * 40


def opus_bytes(seconds: float = 0.5) -> bytes:
    head = b"OpusHead" + bytes([1, 1]) + struct.pack("<HIhB", 312, 48000, 0, 0)
    tags = b"OpusTags" + struct.pack("<I", 5) + b"tests" + struct.pack("<I", 0)
    pages = []
    for sequence, packets, position in ((0, [head], 0), (1, [tags], 0),
                                        (2, [b"\xf8\xff\xfe"] * int(seconds / 0.02), 312 + int(seconds * 48000))):
        page = OggPage()
        page.serial, page.sequence, page.position, page.packets = 7, sequence, position, packets
        page.first, page.last = sequence == 0, sequence == 2
        pages.append(page)
    return b"".join(page.write() for page in pages)


def file_name(key: str) -> str:
    """The recording's file name for an item code or a `list:value` key (tc1.wav, satisfaction-4.wav)."""
    return key.replace(":", "-").replace("_", "-").replace("+", "-plus") + ".wav"


def spoken_sipas() -> QuestionnaireDefinition:
    """SIPAS 2026 with a Vietnamese recording named on every question and every option."""
    data = shipped_questionnaire(SIPAS_FILE).to_dict()
    for name, choices in data["choice_lists"].items():
        for choice in choices:
            choice["audio"] = {"vi": file_name(f"{name}:{choice['value']}")}
    for page in data["pages"]:
        for section in page["sections"]:
            for item in section["items"]:
                item["audio"] = {"vi": file_name(item["code"])}
    return from_dict(data)


def recorded_files(questionnaire: QuestionnaireDefinition, language: str = "vi") -> dict[str, bytes]:
    """A distinct tiny WAV for every file the questionnaire names in `language`."""
    names = sorted(set(questionnaire.recordings[language].values()))
    return {name: wav_bytes(tone=300.0 + 10 * number) for number, name in enumerate(names)}


def publish_spoken(session):
    """Publish the recorded SIPAS; return its version and questionnaire definition."""
    definition = spoken_sipas()
    version, _ = publish(session, definition)
    return version, definition


def spoken_desk(session) -> tuple:
    """An open wave of SIPAS with every question and option recorded in Vietnamese, every named
    file uploaded, a service field and a desk, committed: `(centre, definition, files)`."""
    from survey.media.audio import check_recording
    from survey.media.store import store_recordings
    from tests.factories import make_centre, make_field, make_wave

    version, definition = publish_spoken(session)
    make_wave(session, version)
    make_field(session)
    centre = make_centre(session)
    files = recorded_files(definition)
    store_recordings(session, version.questionnaire,
                     [check_recording(name, data, 2 * 1024 * 1024) for name, data in files.items()])
    session.commit()
    return centre, definition, files
