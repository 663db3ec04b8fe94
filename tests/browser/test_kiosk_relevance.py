"""The kiosk's skip logic (relevance.js) decides as the server's (survey/questionnaire/relevance.py).

The tablet shows or hides questions with relevance.js; the server keeps only the answers its own
evaluator shows. Were the two to disagree, a citizen would answer a question the server then
drops, or miss one it requires. Every expression below, with every set of answers, must get the
same decision from both.
"""

from __future__ import annotations

import itertools

import pytest

from survey.questionnaire.relevance import parse

pytestmark = pytest.mark.browser

EXPRESSIONS = [
    "${a} == 'co'", "${a} = 'co'", "${a} != 'co'", "${a} == ''", "${a}", "answered(${a})", "not answered(${a})",
    "${n} >= 3", "${n} < 3", "${n} > 2.5", "${n} <= 3.0", "${n} == '3'", "${n} != 3", "${a} == 3",
    "selected(${m}, 'x')", "selected(${m}, 'y')", "count_selected(${m}) >= 2", "count_selected(${m})",
    "${m} == 'x y'", "${a} == 'co' and ${n} >= 3", "${a} == 'co' or selected(${m}, 'y')",
    "not (${a} = 'khong') or selected(${m}, 'x')", "not ${n} > 3 and not ${a} != 'co'",
]
ANSWERS = [
    {}, {"a": "co"}, {"a": "khong", "n": "3"}, {"n": "10"}, {"n": "2.5"}, {"n": "abc"}, {"m": ["x"]},
    {"m": ["x", "y"], "a": "co", "n": "4"}, {"m": "x y"}, {"a": "", "m": []}, {"a": "3", "n": " 3 "},
]


def _lists(node):
    return [_lists(part) for part in node] if isinstance(node, tuple) else node


def test_the_tablet_and_the_server_show_the_same_questions(browser, live_server):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server}/")
    page.add_script_tag(url="/k/static/relevance.js")
    cases = [(source, answers) for source, answers in itertools.product(EXPRESSIONS, ANSWERS)]
    trees = [_lists(parse(source).tree) for source, _ in cases]
    on_tablet = page.evaluate(
        "(cases) => cases.map(([tree, answers]) => window.KioskRelevance.relevant(tree, answers))",
        [[tree, answers] for tree, (_, answers) in zip(trees, cases, strict=True)])
    context.close()
    on_server = [parse(source).evaluate(answers) for source, answers in cases]
    disagreements = [(source, answers, server) for (source, answers), server, tablet
                     in zip(cases, on_server, on_tablet, strict=True) if server != tablet]
    assert disagreements == []
    assert any(on_server) and not all(on_server)
