"""The translatable strings of a questionnaire: all of them, under stable keys, placeholders checked."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from survey.questionnaire import QuestionnaireError, from_dict, load_questionnaire
from survey.questionnaire.translations import entries, placeholder_problem

SHIPPED = sorted(Path("questionnaires").glob("*.yaml"))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.stem)
def test_the_strings_are_every_text_a_new_language_needs(path):
    """Filling every entry, and nothing else, makes the questionnaire complete in the new language."""
    definition = load_questionnaire(path).to_dict()
    definition["languages"] = [*definition["languages"], "qps"]
    with pytest.raises(QuestionnaireError):  # declared but untranslated: refused
        from_dict(definition)
    found = entries(definition)
    assert len({entry.key for entry in found}) == len(found)
    for entry in found:
        entry.text["qps"] = f"[!! {entry.text['vi']} !!]"
    translated = from_dict(definition)
    item = translated.items[0]
    assert translated.text(item.label, "qps") == f"[!! {item.label['vi']} !!]"


def test_keys_name_codes_not_positions():
    definition = load_questionnaire(Path("questionnaires/sipas-2026.yaml")).to_dict()
    keys = [entry.key for entry in entries(definition)]
    reordered = copy.deepcopy(definition)
    reordered["pages"][0]["sections"][0]["items"].reverse()
    assert sorted(entry.key for entry in entries(reordered)) == sorted(keys)
    assert {"title", "description", "item.tc1.label", "choice.satisfaction.0.label"} <= set(keys)


@pytest.mark.parametrize(("source", "target", "problem"), [
    ("Trang {current}/{total}", "[!! {current}/{total} !!]", None),
    ("Trang {current}/{total}", "{total} of {current}", None),  # order may change with the grammar
    ("Thêm {pages} trang", "More pages", "thiếu {pages}"),
    ("Thêm {pages} trang", "More {trang}", "thiếu {pages}; có {trang} không có trong bản tiếng Việt"),
    ("Tiếp tục", "Next {", "dấu ngoặc nhọn { } lẻ"),
    ("Tiếp tục", "Next }", "dấu ngoặc nhọn { } lẻ"),
    ("Tiếp tục", "Next {page}", "không có chỗ điền nào"),
])
def test_placeholders_must_be_kept(source, target, problem):
    found = placeholder_problem(source, target)
    assert found is None if problem is None else problem in found
