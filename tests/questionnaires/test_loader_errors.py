"""Each kind of mistake an official can make in a file, reported with file, line and a fix."""
from __future__ import annotations

import json

import pytest

from survey.questionnaire import (
    QuestionnaireError,
    check_questionnaire,
    format_problems,
    from_dict,
    load_directory,
    load_questionnaire,
)
from tests.factories import PROJECT_ROOT

VALID = """\
code: mini
kind: citizen
languages: [vi, en]
title: {vi: Phiếu thử, en: Test form}
choice_lists:
  satisfaction:
    - {value: 1, label: {vi: Rất không hài lòng, en: Very dissatisfied}}
    - {value: 2, label: {vi: Không hài lòng, en: Dissatisfied}}
    - {value: 3, label: {vi: Bình thường, en: Neutral}}
    - {value: 4, label: {vi: Hài lòng, en: Satisfied}}
    - {value: 5, label: {vi: Rất hài lòng, en: Very satisfied}}
    - {value: 0, no_answer: true, label: {vi: Không trả lời, en: No answer}}
  yes_no:
    - {value: co, label: {vi: Có, en: "Yes"}}
    - {value: khong, label: {vi: Không, en: "No"}}
pages:
  - code: p1
    title: {vi: Trang một, en: Page one}
    sections:
      - code: s1
        items:
          - code: feedback_made
            type: select_one
            choices: yes_no
            required: true
            label: {vi: "Anh/Chị có góp ý không?", en: "Did you give feedback?"}
          - code: q1
            type: likert
            choices: satisfaction
            relevant: ${feedback_made} == 'co'
            label: {vi: Công chức lịch sự, en: The civil servant was polite}
          - code: q2
            type: likert
            choices: satisfaction
            label:
              vi: Kết quả đúng hạn
              en: The result was on time
index:
  nodes:
    - code: overall
      label: {vi: Chỉ số, en: Index}
      children: [element]
    - code: element
      label: {vi: Yếu tố, en: Element}
      children: [q1, q2]
"""


def line(text: str, needle: str) -> int:
    """The 1-based line containing ``needle``; ``needle#2`` for the second one.

    ``label:#last`` is the last line that holds ``label:`` and nothing else.
    """
    needle, _, which = needle.partition("#")
    rows = list(enumerate(text.splitlines(), 1))
    if which == "last":
        return [number for number, row in rows if row.strip() == needle][-1]
    return [number for number, row in rows if needle in row][int(which or 1) - 1]


@pytest.fixture
def problems_in(tmp_path):
    """Write a variant of the valid file and return (text, problems found in it)."""
    def check(*replacements: tuple[str, str]):
        text = VALID
        for old, new in replacements:
            assert old in text, old
            text = text.replace(old, new, 1)
        path = tmp_path / "mini.yaml"
        path.write_text(text, encoding="utf-8")
        return text, check_questionnaire(path)[1]
    return check


def only(problems, fragment: str):
    matching = [p for p in problems if fragment in p.message]
    assert len(matching) == 1, format_problems(problems)
    return matching[0]


def test_the_valid_file_has_no_problems(problems_in):
    assert problems_in()[1] == []


@pytest.mark.parametrize(
    ("old", "new", "message", "needle"),
    [
        ("choices: satisfaction\n            relevant", "choices: satisfation\n            relevant",
         "item 'q1' uses an unknown choice list 'satisfation' (did you mean 'satisfaction'?)",
         "satisfation"),
        ("type: likert", "type: likret",
         "item 'q1' has an unknown type 'likret' (did you mean 'likert'?)", "likret"),
        ("- code: q2", "- code: q1", "duplicate item code 'q1' (first on line 27)", "- code: q1#2"),
        ("relevant: ${feedback_made} == 'co'", "relevant: ${feedbak_made} == 'co'",
         "refers to '${feedbak_made}', which is not an item (did you mean 'feedback_made'?)",
         "relevant:"),
        ("relevant: ${feedback_made} == 'co'", "relevant: ${feedback_made} == 'co' and",
         "relevance: expression ends too early at column 29", "relevant:"),
        ("relevant: ${feedback_made} == 'co'", "relevant: ${feedback_made} == 'yes'",
         "compares '${feedback_made}' with 'yes', which is not a value of choice list 'yes_no'",
         "relevant:"),
        ("children: [q1, q2]", "children: []", "index node 'element' has no items or children",
         "- code: element"),
        ("children: [q1, q2]", "children: [q1, q9]",
         "index node 'element' refers to 'q9', which is neither an item nor an index node",
         "- code: element"),
        ("children: [q1, q2]", "children: [q1, feedback_made]",
         "includes item 'feedback_made', which is a select_one item, not a likert item",
         "- code: element"),
        ("              en: The result was on time\n", "",
         "item 'q2' label has no 'en' translation", "label:#last"),
        ("              vi: Kết quả đúng hạn\n", "", "item 'q2' label has no 'vi' translation",
         "label:#last"),
        ("vi: Kết quả đúng hạn", "vn: Kết quả đúng hạn",
         "label uses language 'vn', which is not declared (did you mean 'vi'?)", "vn:"),
        ("{vi: Công chức lịch sự,", "{vi: Công chức, lịch sự,",
         "has 'lịch sự' where a language code should be", "Công chức, lịch sự"),
        ("            choices: satisfaction\n            label:",
         "            choices: satisfaction\n            label: Kết quả\n            label:",
         "key 'label' is written twice (first on line 35)", "label:#last"),
        ("required: true", "required: yes", "item 'feedback_made': 'required' must be true or false, not 'yes'",
         "required: yes"),
        ("required: true", "requried: true",
         "item 'feedback_made' has an unknown key 'requried' (did you mean 'required'?)", "requried"),
        ("            label:\n              vi: Kết quả", "            lable:\n              vi: Kết quả",
         "item 'q2' is missing the key 'label'", "- code: q2"),
        ("{value: 0, no_answer: true,", "{value: 6,",
         "choice list 'satisfaction' is used by likert item 'q1' but is not the 5-level scale",
         "satisfaction:"),
        ("{value: 2, label", "{value: 1, label", "choice list 'satisfaction' has the value '1' twice",
         "{value: 1, label#2"),
        ("- code: element", "- code: q2", "index node 'q2' has the same code as an item (line 32)",
         "- code: q2#2"),
        ("children: [element]", "children: [q1]", "'q1' appears more than once in the index",
         "- code: element"),
        ("children: [element]", "children: [q1]",
         "index node 'element' is under no other node, but 'overall' is already the top",
         "- code: element"),
        ("kind: citizen", "kind: citizens", "unknown kind 'citizens'", "kind:"),
        ("- code: s1\n        items:", "- code: s1\n        items: []\n        old_items:",
         "section 's1' has no items", "- code: s1"),
    ],
)
def test_each_problem_has_message_file_and_line(problems_in, old, new, message, needle):
    text, problems = problems_in((old, new))
    problem = only(problems, message)
    assert problem.file.endswith("mini.yaml")
    assert problem.line == line(text, needle), format_problems(problems)
    assert problem.fix


def test_a_relevance_to_a_later_item_is_refused(problems_in):
    text, problems = problems_in(("relevant: ${feedback_made} == 'co'", "relevant: ${q2} >= 4"))
    problem = only(problems, "refers to '${q2}', which is asked later (line 32)")
    assert problem.line == line(text, "relevant:")
    assert "move that item earlier" in problem.fix


def test_unsafe_relevance_is_a_problem_not_code(problems_in):
    text, problems = problems_in(("relevant: ${feedback_made} == 'co'",
                                  "relevant: __import__('os')"))
    problem = only(problems, "unknown function or word '__import__'")
    assert problem.line == line(text, "relevant:")


def test_yaml_syntax_error_gives_the_line(problems_in):
    text, problems = problems_in(("            type: likert\n            choices: satisfaction\n"
                                  "            label:\n",
                                  "            type: likert\n            choices: satisfaction\n"
                                  "           label:\n"))
    assert len(problems) == 1
    assert problems[0].message.startswith("YAML syntax error")
    assert problems[0].line == line(text, "label:#last")
    assert "indentation" in problems[0].fix


def test_every_problem_is_reported_at_once(problems_in):
    _, problems = problems_in(("type: likert", "type: likret"), ("children: [q1, q2]", "children: []"),
                              ("en: Page one", "ede: Page one"))
    messages = format_problems(problems)
    assert len(problems) == 4, messages  # the 'ede' key is both undeclared and a missing 'en'
    assert "unknown type 'likret'" in messages
    assert "no items or children" in messages
    assert "page 'p1' title has no 'en' translation" in messages


def test_format_problems_is_one_line_each(problems_in):
    text, problems = problems_in(("type: likert", "type: likret"))
    assert format_problems(problems).splitlines() == [
        f"{problems[0].file}:{line(text, 'likret')}: item 'q1' has an unknown type 'likret' "
        "(did you mean 'likert'?). Fix: use one of select_one, select_many, likert, graded, text, integer"
    ]


def test_load_questionnaire_raises_with_all_problems(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(VALID.replace("type: likert", "type: likret", 1).replace("[q1, q2]", "[]"),
                    encoding="utf-8")
    with pytest.raises(QuestionnaireError) as raised:
        load_questionnaire(path)
    assert len(raised.value.problems) == 2
    assert "2 problems in questionnaire" in str(raised.value)


def test_draft_languages_may_be_incomplete(problems_in):
    _, problems = problems_in(("languages: [vi, en]", "languages: [vi, en]\ndraft_languages: [ede]"),
                              ("en: Page one}", "en: Page one, ede: Hlăm blư̆ sa}"))
    assert problems == []


def test_languages_must_include_vietnamese(problems_in):
    _, problems = problems_in(("languages: [vi, en]", "languages: [en]"))
    assert only(problems, "'languages' does not include vi").line == 3


def test_empty_and_non_mapping_files(tmp_path):
    empty, listing = tmp_path / "empty.yaml", tmp_path / "list.yaml"
    empty.write_text("# nothing yet\n", encoding="utf-8")
    listing.write_text("- code: x\n", encoding="utf-8")
    assert check_questionnaire(empty)[1][0].message == "the file is empty"
    assert "must be a mapping" in check_questionnaire(listing)[1][0].message


def test_index_loop_is_reported(problems_in):
    _, problems = problems_in(("children: [q1, q2]", "children: [q1, q2, loop_a]"),
                              ("index:\n  nodes:\n", "index:\n  nodes:\n"
                               "    - {code: loop_a, label: {vi: A, en: A}, children: [loop_b]}\n"
                               "    - {code: loop_b, label: {vi: B, en: B}, children: [loop_a]}\n"))
    assert "'loop_a' appears more than once in the index" in format_problems(problems)


def test_load_directory_reports_all_files_and_shared_codes(tmp_path):
    (tmp_path / "a.yaml").write_text(VALID, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(VALID, encoding="utf-8")
    (tmp_path / "c.yml").write_text(VALID.replace("type: likert", "type: likret", 1), encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a questionnaire", encoding="utf-8")
    with pytest.raises(QuestionnaireError) as raised:
        load_directory(tmp_path)
    report = format_problems(raised.value.problems)
    assert f"{tmp_path / 'b.yaml'}:1: questionnaire code 'mini' is also used by" in report
    assert f"{tmp_path / 'c.yml'}:" in report and "likret" in report
    assert "notes.txt" not in report


def test_only_true_false_are_booleans_and_only_digits_are_numbers(tmp_path):
    """YAML 1.1 would turn 'No' into False and 18_25 into 1825; the loader keeps both as text."""
    path = tmp_path / "mini.yaml"
    path.write_text(VALID.replace('en: "No"', "en: No").replace("value: khong", "value: 18_25"),
                    encoding="utf-8")
    questionnaire = load_questionnaire(path)
    choice = questionnaire.choice_lists["yes_no"].choices[1]
    assert (choice.value, choice.label["en"]) == ("18_25", "No")


def test_a_required_page_after_an_optional_one_is_reported(problems_in):
    """The form offers the optional part last; a required page after it would never be shown."""
    text, problems = problems_in(
        ("  - code: p1\n    title: {vi: Trang một, en: Page one}\n",
         "  - code: p0\n    optional: true\n    title: {vi: Trang tự chọn, en: Optional page}\n"
         "    sections:\n      - code: s0\n        items:\n          - code: q0\n            type: likert\n"
         "            choices: satisfaction\n            label: {vi: Câu tự chọn, en: Optional question}\n"
         "  - code: p1\n    title: {vi: Trang một, en: Page one}\n"),
    )
    first = only(problems, "the first page 'p0' is optional")
    assert first.line == line(text, "- code: p0")
    after = only(problems, "required page 'p1' comes after the optional page 'p0'")
    assert after.line == line(text, "- code: p1") and "move the optional pages to the end" in after.fix


BLOCK_PAGE = ("index:\n",
              "  - code: p2\n    title: {vi: Trang hai, en: Page two}\n    sections:\n      - code: s2\n"
              "        items:\n          - code: q3\n            type: likert\n            choices: satisfaction\n"
              "            label: {vi: Câu ba, en: Question three}\n"
              "assigned_blocks:\n  - code: extra\n    pages: [p2]\n    share: 1/3\nindex:\n")


def test_an_assigned_block_is_read_with_its_share(tmp_path):
    path = tmp_path / "mini.yaml"
    path.write_text(VALID.replace(*BLOCK_PAGE, 1), encoding="utf-8")
    questionnaire = load_questionnaire(path)
    (block,) = questionnaire.blocks
    assert (block.code, block.pages, block.share) == ("extra", ("p2",), 1 / 3)
    assert questionnaire.block_shares() == {"extra": 1 / 3}
    assert questionnaire.block_shares(0.5) == {"extra": 0.5}  # a wave's own share wins
    assert [page.code for page in questionnaire.asked(()).pages] == ["p1"]
    assert [page.code for page in questionnaire.asked(["extra"]).pages] == ["p1", "p2"]


@pytest.mark.parametrize(
    ("old", "new", "message", "needle"),
    [
        ("share: 1/3", "share: 0", "assigned block 'extra' has the share 0, not a number above 0 and at most 1",
         "share: 0"),
        ("share: 1/3", "share: 1.5", "has the share 1.5, not a number above 0 and at most 1", "share: 1.5"),
        ("share: 1/3", "share: one in three", "has the share 'one in three'", "share: one"),
        ("share: 1/3", "share: 3/0", "has the share '3/0'", "share: 3/0"),
        ("pages: [p2]", "pages: [p3]", "assigned block 'extra' names the page 'p3', which is not a page "
         "(did you mean 'p2'?)", "- code: extra"),
        ("pages: [p2]", "pages: [p1]", "the first page 'p1' is in assigned block 'extra'", "- code: p1"),
        ("pages: [p2]", "pages: []", "assigned block 'extra' lists no pages", "pages: []"),
        ("    share: 1/3\n", "    share: 1/3\n  - code: extra\n    pages: [p2]\n    share: 0.5\n",
         "duplicate assigned block code 'extra'", "- code: extra#2"),
        ("    share: 1/3\n", "    share: 1/3\n  - code: other\n    pages: [p2]\n    share: 0.5\n",
         "page 'p2' is in assigned blocks 'extra' and 'other'", "- code: other"),
        ("  - code: p2\n", "  - code: p2\n    optional: true\n",
         "page 'p2' is in assigned block 'extra' but is optional", "- code: p2"),
        ("    share: 1/3\n", "    share: 1/3\n    optional: true\n",
         "assigned block 'extra' has an unknown key 'optional'", "optional: true"),
        ("    share: 1/3\n", "    share: 1/3\n    label: {vi: Phần thêm}\n",
         "assigned block 'extra' label has no 'en' translation", "label: {vi: Phần thêm}"),
    ],
)
def test_each_assigned_block_problem_has_message_file_and_line(problems_in, old, new, message, needle):
    text, problems = problems_in(BLOCK_PAGE, (old, new))
    problem = only(problems, message)
    assert problem.file.endswith("mini.yaml")
    assert problem.line == line(text, needle), format_problems(problems)
    assert problem.fix


TARGETED = ("index:\n  nodes:", "index:\n  target: 0.86\n  nodes:")


def test_the_index_target_is_read_and_kept_by_a_stored_version(tmp_path):
    """A version stores the definition as JSON; the target comes back from it."""
    path = tmp_path / "mini.yaml"
    path.write_text(VALID.replace(*TARGETED, 1), encoding="utf-8")
    questionnaire = load_questionnaire(path)
    assert questionnaire.index.target == 0.86
    stored = json.loads(json.dumps(questionnaire.to_dict()))
    assert stored["index"]["target"] == 0.86
    assert from_dict(stored).index.target == 0.86 and from_dict(stored) == questionnaire
    path.write_text(VALID, encoding="utf-8")
    untargeted = load_questionnaire(path)
    assert untargeted.index.target is None and "target" not in untargeted.to_dict()["index"]
    assert untargeted.checksum != questionnaire.checksum


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("target: 86%", "the index has the target '86%', not a number above 0 and at most 1"),
        ("target: 86", "the index has the target 86, not a number above 0 and at most 1"),
        ("target: 0", "the index has the target 0, not a number above 0 and at most 1"),
        ("target: -0.5", "the index has the target -0.5, not a number above 0 and at most 1"),
        ("target: true", "the index has the target True, not a number above 0 and at most 1"),
        ("target:", "the index has the target no value, not a number above 0 and at most 1"),
        ("item_score: points\n  total: 2\n  target: 0.86",
         "the index has a target but scores points, not share_satisfied"),
        ("item_score: mean_score\n  target: 0.86",
         "the index has a target but scores mean_score, not share_satisfied"),
    ],
)
def test_a_bad_index_target_is_a_problem_with_its_line(problems_in, new, message):
    text, problems = problems_in(("index:\n  nodes:", f"index:\n  {new}\n  nodes:"))
    problem = only(problems, message)
    assert problem.file.endswith("mini.yaml")
    assert problem.line == line(text, "target:"), format_problems(problems)
    assert "target: 0.86" in problem.fix or "remove 'target'" in problem.fix


def test_the_shipped_surveys_declare_their_own_targets():
    """SIPAS 2026 aims at 86% (the province's 2026 target); nobody has set one for the businesses' survey."""
    assert load_questionnaire(PROJECT_ROOT / "questionnaires" / "sipas-2026.yaml").index.target == 0.86
    assert load_questionnaire(PROJECT_ROOT / "questionnaires" / "business-2026.yaml").index.target is None
