"""How a questionnaire names recordings (`audio: {vi: tc1.ogg}`), and each mistake reported on its line."""

from __future__ import annotations

import pytest

from survey.questionnaire import check_questionnaire, format_problems, from_dict
from tests.factories import SIPAS_FILE, shipped_questionnaire
from tests.questionnaires.test_loader_errors import VALID, line

# VALID with every question and option recorded in Vietnamese; English, a complete language too,
# has none, which is allowed: only a language with some recordings must have them all.
SPOKEN = (VALID
          .replace("{value: 1, label:", "{value: 1, audio: {vi: s1.ogg}, label:")
          .replace("{value: 2, label:", "{value: 2, audio: {vi: s2.ogg}, label:")
          .replace("{value: 3, label:", "{value: 3, audio: {vi: s3.ogg}, label:")
          .replace("{value: 4, label:", "{value: 4, audio: {vi: s4.ogg}, label:")
          .replace("{value: 5, label:", "{value: 5, audio: {vi: s5.ogg}, label:")
          .replace("{value: 0, no_answer: true,", "{value: 0, no_answer: true, audio: {vi: s0.ogg},")
          .replace("{value: co, label:", "{value: co, audio: {vi: co.mp3}, label:")
          .replace("{value: khong, label:", "{value: khong, audio: {vi: khong.mp3}, label:")
          .replace("            required: true\n", "            required: true\n            audio: {vi: gop-y.m4a}\n")
          .replace("            relevant: ${feedback_made} == 'co'\n",
                   "            relevant: ${feedback_made} == 'co'\n            audio: {vi: q1.wav}\n")
          .replace("          - code: q2\n", "          - code: q2\n            audio: {vi: q2.opus}\n"))


def check(tmp_path, text: str):
    path = tmp_path / "spoken.yaml"
    path.write_text(text, encoding="utf-8")
    return check_questionnaire(path)


def test_recordings_on_items_and_choices_load_and_survive_the_stored_definition(tmp_path):
    questionnaire, problems = check(tmp_path, SPOKEN)
    assert problems == [], format_problems(problems)
    assert questionnaire.items_by_code["q1"].audio == {"vi": "q1.wav"}
    assert questionnaire.choice_lists["yes_no"].choice("co").audio == {"vi": "co.mp3"}
    assert questionnaire.recordings["vi"]["feedback_made"] == "gop-y.m4a"
    assert questionnaire.recordings["vi"]["satisfaction:0"] == "s0.ogg"
    assert "en" not in questionnaire.recordings
    assert from_dict(questionnaire.to_dict()) == questionnaire
    assert from_dict(questionnaire.to_dict()).checksum == questionnaire.checksum


def test_a_questionnaire_without_recordings_keeps_its_stored_shape():
    """Versions published before recordings existed keep their checksum: no `audio` key is added."""
    sipas = shipped_questionnaire(SIPAS_FILE)
    assert "audio" not in str(sipas.to_dict())
    assert sipas.recordings == {}


@pytest.mark.parametrize(("old", "new", "message", "needle"), [
    ("audio: {vi: q1.wav}", "audio: {vi: ../q1.wav}", "audio for 'vi' is '../q1.wav', not a recording's file name",
     "audio: {vi: ../q1.wav}"),
    ("audio: {vi: q1.wav}", "audio: {vi: q1.docx}", "audio for 'vi' is 'q1.docx'", "audio: {vi: q1.docx}"),
    ("audio: {vi: q1.wav}", "audio: {vi: q1.wav, ede: q1e.wav}", "audio uses language 'ede', which is not declared",
     "audio: {vi: q1.wav, ede"),
    ("audio: {vi: q1.wav}", "audio: q1.wav", "item 'q1' audio must give one file name per language",
     "audio: q1.wav"),
    ("audio: {vi: q1.wav}", "audio: {vi: 12}", "audio for 'vi' is 12", "audio: {vi: 12}"),
    ("{value: 3, audio: {vi: s3.ogg}, label:", "{value: 3, audio: {vi: 's3 cũ.ogg'}, label:",
     "choice '3' of choice list 'satisfaction' audio for 'vi'", "value: 3,"),
])
def test_a_wrong_recording_name_is_reported_on_its_line(tmp_path, old, new, message, needle):
    text = SPOKEN.replace(old, new, 1)
    _, problems = check(tmp_path, text)
    found = [p for p in problems if message in p.message]
    assert len(found) == 1, format_problems(problems)
    assert found[0].line == line(text, needle)
    assert found[0].fix


def test_a_question_left_silent_in_a_recorded_language_is_reported(tmp_path):
    """With the screen off a citizen hears every question and option, or cannot answer."""
    text = SPOKEN.replace("            audio: {vi: q2.opus}\n", "").replace(" audio: {vi: s4.ogg},", "")
    _, problems = check(tmp_path, text)
    messages = {p.message: p.line for p in problems}
    assert messages == {
        "item 'q2' has no recording in 'vi', though other questions have one": line(text, "- code: q2"),
        "choice '4' of choice list 'satisfaction' has no recording in 'vi', though other questions have one":
            line(text, "satisfaction:"),
    }, format_problems(problems)


def test_a_draft_language_may_be_recorded_bit_by_bit(tmp_path):
    text = (VALID.replace("languages: [vi, en]", "languages: [vi, en]\ndraft_languages: [ede]")
            .replace("          - code: q2\n", "          - code: q2\n            audio: {ede: q2-ede.ogg}\n"))
    questionnaire, problems = check(tmp_path, text)
    assert problems == [], format_problems(problems)
    assert questionnaire.recordings == {"ede": {"q2": "q2-ede.ogg"}}
