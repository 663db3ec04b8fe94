"""The ``report:`` mapping: which items the quarterly report breaks results down by (issue 25),
checked with file, line and a fix like every other part of a questionnaire file."""
from __future__ import annotations

import pytest

from survey.questionnaire import check_questionnaire, from_dict, load_questionnaire
from tests.factories import LEADERS_FILE, SIPAS_FILE
from tests.questionnaires.test_loader_errors import VALID

MAPPING = """
report:
  groups: [feedback_made]
  priorities: {items: [feedback_made], values: [co]}
  channels: feedback_made
"""


def _problems(tmp_path, text):
    path = tmp_path / "mini.yaml"
    path.write_text(text, encoding="utf-8")
    return check_questionnaire(path)


def test_the_shipped_sipas_declares_its_report_items_and_round_trips():
    sipas = load_questionnaire(SIPAS_FILE)
    assert sipas.report.groups == ("gender", "age_band", "ethnicity", "education", "occupation")
    assert len(sipas.report.priorities) == 10 and sipas.report.priority_values == ("rat_nhieu",)
    assert sipas.report.channels == "submit_channel"
    assert from_dict(sipas.to_dict()) == sipas
    assert load_questionnaire(LEADERS_FILE).report is None


def test_a_sound_mapping_loads(tmp_path):
    questionnaire, problems = _problems(tmp_path, VALID + MAPPING)
    assert problems == []
    assert questionnaire.report.items == ("feedback_made",)


@pytest.mark.parametrize(("mapping", "message", "fix"), [
    ("report:\n  groups: [feedbak_made]\n", "the report's groups names 'feedbak_made', which is not an item "
     "(did you mean 'feedback_made'?)", "select_one"),
    ("report:\n  channels: q1\n", "the report's channels names 'q1', a likert item", "select_one"),
    ("report:\n  priorities: {items: [feedback_made], values: [rat_nhieu]}\n",
     "the report's priority value 'rat_nhieu' is not an option of item 'feedback_made' (choice list "
     "'yes_no')", "co, khong"),
    ("report:\n  priorities: {items: [feedback_made]}\n", "the report's priorities is missing the key 'values'",
     "values"),
    ("report:\n  group: [feedback_made]\n", "the report has an unknown key 'group' (did you mean 'groups'?)",
     "groups"),
])
def test_a_wrong_mapping_is_reported_with_its_line_and_a_fix(tmp_path, mapping, message, fix):
    _, problems = _problems(tmp_path, VALID + mapping)
    assert len(problems) == 1, problems
    problem = problems[0]
    assert problem.message == message
    assert fix in problem.fix
    assert problem.line is not None and problem.line > VALID.count("\n")
