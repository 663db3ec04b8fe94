"""Graded criteria with points (PAR Index): shares, points and the total, each problem with its line."""
from __future__ import annotations

import pytest

from survey.questionnaire import check_questionnaire, format_problems, from_dict

GRADED = """\
code: mini-par
kind: leader
languages: [vi]
title: {vi: Phiếu thử}
choice_lists:
  quality:
    - {value: a, label: {vi: Rất tốt}}
    - {value: b, label: {vi: Tốt}}
    - {value: c, label: {vi: Chưa tốt}}
    - {value: d, label: {vi: Kém}}
    - {value: e, no_answer: true, label: {vi: Không đánh giá được}}
  change:
    - {value: a, share: 1, label: {vi: Tốt hơn}}
    - {value: b, share: 0.5, label: {vi: Như cũ}}
    - {value: c, share: 0, label: {vi: Kém đi}}
    - {value: e, no_answer: true, label: {vi: Không đánh giá được}}
pages:
  - code: p1
    title: {vi: Trang một}
    sections:
      - code: s1
        items:
          - code: c1
            type: graded
            choices: quality
            points: 1.5
            label: {vi: Tiêu chí một}
          - code: c2
            type: graded
            choices: change
            points: 0.5
            label: {vi: Tiêu chí hai}
index:
  item_score: points
  total: 2
  nodes:
    - code: block
      label: {vi: Khối}
      children: [field_a]
    - code: field_a
      label: {vi: Lĩnh vực}
      children: [c1, c2]
"""


def line(text: str, needle: str) -> int:
    return next(number for number, row in enumerate(text.splitlines(), 1) if needle in row)


@pytest.fixture
def check(tmp_path):
    def run(*replacements):
        text = GRADED
        for old, new in replacements:
            assert old in text, old
            text = text.replace(old, new, 1)
        path = tmp_path / "mini-par.yaml"
        path.write_text(text, encoding="utf-8")
        questionnaire, problems = check_questionnaire(path)
        return text, questionnaire, problems
    return run


def test_a_graded_file_loads_with_default_and_written_shares(check):
    _, q, problems = check()
    assert problems == []
    assert q.items_by_code["c1"].choices.shares == {"a": 1.0, "b": 0.6, "c": 0.2, "d": 0.0}
    assert q.items_by_code["c2"].choices.shares == {"a": 1.0, "b": 0.5, "c": 0.0}
    assert q.index.total == 2 and q.index.parent_of("c2").code == "field_a"
    assert from_dict(q.to_dict()) == q


@pytest.mark.parametrize(("old", "new", "message", "needle"), [
    ("share: 0.5,", "share: 1.5,", "choice 'b' of choice list 'change' has the share 1.5, outside 0 to 1",
     "share: 1.5"),
    ("share: 0,", "share: -0.2,", "has the share -0.2, outside 0 to 1", "share: -0.2"),
    ("share: 0.5,", "share: nửa,", "'share' must be a number", "share: nửa"),
    ("            points: 0.5\n", "", "item 'c2' is a graded criterion without points", "- code: c2"),
    ("points: 1.5", "points: 2.5", "the criteria's points add up to 3, but the index states a total of 2",
     "item_score: points"),
    ("  total: 2\n", "", "the index scores points but states no total", "item_score: points"),
    ("{value: c, share: 0,", "{value: c,", "choice list 'change' is used by graded item 'c2' but does not "
     "give every option a share", "  change:"),
    ("points: 1.5", "points: 0", "item 'c1' has 0 points", "points: 0"),
    ("type: graded\n            choices: quality", "type: likert\n            choices: quality",
     "item 'c1' has points but is not a graded item", "points: 1.5"),
])
def test_each_points_problem_has_file_line_and_fix(check, old, new, message, needle):
    text, _, problems = check((old, new))
    matching = [p for p in problems if message in p.message]
    assert len(matching) == 1, format_problems(problems)
    assert matching[0].file.endswith("mini-par.yaml")
    assert matching[0].line == line(text, needle), format_problems(problems)
    assert matching[0].fix
