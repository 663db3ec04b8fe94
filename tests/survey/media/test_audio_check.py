"""An uploaded recording is recognised by its content, within its size bound; each refusal names
the file and the reason in Vietnamese."""

from __future__ import annotations

import hashlib

import pytest

from survey.media.audio import (
    BAD_NAME,
    BROKEN,
    EMPTY,
    NOT_AUDIO,
    SILENT,
    TOO_LARGE,
    WRONG_SUFFIX,
    RecordingError,
    check_recording,
)
from tests.survey.media.recordings import mp3_bytes, opus_bytes, wav_bytes

LIMIT = 2 * 1024 * 1024


@pytest.mark.parametrize(("name", "make", "content_type", "seconds"), [
    ("tc1.wav", lambda: wav_bytes(seconds=0.25), "audio/wav", 0.25),
    ("tc1.mp3", mp3_bytes, "audio/mpeg", 40 * 1152 / 44100),
    ("tc1.opus", lambda: opus_bytes(seconds=0.5), "audio/ogg", 0.5),
    ("tc1.ogg", lambda: opus_bytes(seconds=0.5), "audio/ogg", 0.5),
])
def test_each_kind_is_recognised_by_its_content(name, make, content_type, seconds):
    data = make()
    checked = check_recording(name, data, LIMIT)
    assert checked.content_type == content_type
    assert checked.seconds == pytest.approx(seconds, abs=0.03)
    assert checked.sha256 == hashlib.sha256(data).hexdigest()


def refusal(name: str, data: bytes, limit: int = LIMIT) -> str:
    with pytest.raises(RecordingError) as raised:
        check_recording(name, data, limit)
    assert raised.value.message.startswith(f"{name}: ")
    return raised.value.message


def test_a_document_renamed_to_an_audio_name_is_refused():
    assert refusal("tc1.ogg", b"%PDF-1.7\n" + bytes(2000)) == NOT_AUDIO.format(name="tc1.ogg")


def test_a_truncated_recording_is_refused():
    assert refusal("tc1.mp3", b"ID3\x04\x00\x00\x00\x00\x00\x10" + bytes(64)) == BROKEN.format(name="tc1.mp3")
    assert refusal("tc1.wav", wav_bytes()[:1000]) == BROKEN.format(name="tc1.wav")


def test_a_recording_without_sound_is_refused():
    assert refusal("tc1.wav", wav_bytes(seconds=0)) == SILENT.format(name="tc1.wav")


def test_a_recording_over_the_bound_is_refused_before_it_is_parsed():
    data = wav_bytes(seconds=1.0)  # 16,044 bytes
    assert refusal("tc1.wav", data, limit=len(data) - 1) == TOO_LARGE.format(name="tc1.wav", limit="0,0")
    assert check_recording("tc1.wav", data, limit=len(data)).content_type == "audio/wav"


def test_the_name_must_agree_with_the_content():
    assert refusal("tc1.mp3", wav_bytes()) == WRONG_SUFFIX.format(name="tc1.mp3", kind="WAV", suffix=".mp3")


@pytest.mark.parametrize("name", ["tc1.docx", "../tc1.wav", "câu 1.wav", "tc1"])
def test_a_name_the_questionnaire_could_not_name_is_refused(name):
    assert refusal(name, wav_bytes()) == BAD_NAME.format(name=name)


def test_a_hostile_name_is_repeated_cut_short_and_without_control_characters():
    with pytest.raises(RecordingError) as raised:
        check_recording("a\x00b" + "x" * 5000 + ".wav", wav_bytes(), LIMIT)
    assert raised.value.message == BAD_NAME.format(name="ab" + "x" * 58 + "…")


def test_an_empty_file_is_refused():
    assert refusal("tc1.wav", b"") == EMPTY.format(name="tc1.wav")


def test_corrupt_headers_of_every_kind_are_refused_never_raised_otherwise():
    """Random bytes behind each format's magic number: mutagen raised IndexError on some of
    these before they were caught, which an upload would have turned into a 500."""
    import random

    prefixes = [b"RIFF", b"RIFF\x10\x00\x00\x00WAVEfmt ", b"ID3\x04\x00\x00\x00\x00\x00\x10", b"OggS\x00\x02",
                b"\x00\x00\x00\x18ftypM4A ", b"\xff\xfb", b"\xff\xf1", b"ADIF", opus_bytes()[:60]]
    source = random.Random(26)
    outcomes = {"accepted": 0, "refused": 0}
    for _ in range(3000):
        data = source.choice(prefixes) + source.randbytes(source.randint(0, 300))
        try:
            check_recording(f"x.{source.choice(['wav', 'mp3', 'ogg', 'm4a', 'aac'])}", data, LIMIT)
            outcomes["accepted"] += 1
        except RecordingError:
            outcomes["refused"] += 1
    assert outcomes["refused"] > 0
