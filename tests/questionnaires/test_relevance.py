"""The relevance language: what it accepts, how it evaluates, what it refuses."""
from __future__ import annotations

import pytest

from survey.questionnaire.relevance import RelevanceError, parse


@pytest.mark.parametrize(
    ("source", "answers", "expected"),
    [
        ("${gender} == 'nu'", {"gender": "nu"}, True),
        ("${gender} = 'nu'", {"gender": "nam"}, False),
        ("${gender} != 'nu'", {}, True),
        ("${q} >= 3 and ${r} != '0'", {"q": "4", "r": 2}, True),
        ("${q} >= 3 and ${r} != '0'", {"q": 4, "r": "0"}, False),
        ("${q} < 3 or ${q} > 4", {"q": 5}, True),
        ("not (${q} <= 2)", {"q": "3"}, True),
        ("${a} == 'x' and (${b} == 'y' or ${c} == 'z')", {"a": "x", "c": "z"}, True),
        ("not ${a} == 'x' and ${b} == 'y'", {"a": "w", "b": "y"}, True),
        ("selected(${ch}, 'truc_tuyen')", {"ch": ["truc_tiep", "truc_tuyen"]}, True),
        ("selected(${ch}, 'truc_tuyen')", {"ch": "truc_tiep truc_tuyen"}, True),
        ("selected(${ch}, 'ca_hai')", {"ch": ["truc_tiep"]}, False),
        ("count_selected(${ch}) >= 2", {"ch": ["a", "b"]}, True),
        ("answered(${note})", {"note": ""}, False),
        ("answered(${tc1})", {"tc1": 0}, True),
        ("${q} == 2.5", {"q": "2.50"}, True),
        ("${q} == \"3\"", {"q": 3}, True),
    ],
)
def test_evaluates(source, answers, expected):
    assert parse(source).evaluate(answers) is expected


@pytest.mark.parametrize(
    "source", ["${q} >= 3", "${q} < 3", "${q} == 'co'", "selected(${q}, 'a')", "answered(${q})"]
)
def test_unanswered_references_are_safe(source):
    """A missing answer is None: equal to '', never ordered, never selected."""
    assert parse(source).evaluate({}) is False


def test_unanswered_equals_empty_text():
    assert parse("${q} == ''").evaluate({"q": None}) is True


def test_references_and_comparisons_are_collected():
    expression = parse("${a} == 'x' or selected(${b}, 'y') or ${a} >= 2")
    assert expression.references == ("a", "b")
    assert [(c.ref, c.literal) for c in expression.comparisons] == [("a", "x"), ("b", "y")]


@pytest.mark.parametrize(
    ("source", "message", "column"),
    [
        ("__import__('os')", "unknown function or word '__import__'", 0),
        ("${a}.__class__", "unexpected character '.'", 4),
        ("open('/etc/passwd')", "unknown function or word 'open'", 0),
        ("lambda: 1", "unexpected character ':'", 6),
        ("${a} + 1", "unexpected character '+'", 5),
        ("1 if ${a} else 2", "unexpected 'if'", 2),
        ("${a} == 'x' ${b}", "unexpected '${b}'", 12),
        ("${a} ==", "expression ends too early", 7),
        ("(${a} == 1", "expected ')' but found the end", 10),
        ("$a == 1", "write references as ${code}", 0),
        ("selected('a', ${b})", "must be a ${reference}", 0),
        ("selected(${a})", "selected() takes 2 argument(s)", 0),
        ("${a} == 'unterminated", "unexpected character \"'\"", 8),
        ("   ", "empty expression", 0),
    ],
)
def test_rejects_with_the_column(source, message, column):
    with pytest.raises(RelevanceError) as raised:
        parse(source)
    assert message in str(raised.value)
    assert raised.value.column == column


def test_error_pointer_marks_the_column():
    with pytest.raises(RelevanceError) as raised:
        parse("${a} == 1 and and")
    assert raised.value.pointer == "${a} == 1 and and\n              ^"


def test_expressions_compare_by_source():
    assert parse("${a} == 1") == parse("${a} == 1")
    assert parse("${a} == 1") != parse("${a} == 2")
