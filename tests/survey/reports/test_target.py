"""The target comes from the questionnaire file (``index.target``): a report of a file without
one compares with nothing, in every renderer; a file's target, or the command's, is compared with.

No database: the synthetic frame of ``bench/report_frame.py`` with the shipped SIPAS tree
(target 0.86) and the same tree without its target.
"""

from __future__ import annotations

import dataclasses
import io
import json

import pytest
from matplotlib.axes import Axes
from openpyxl import load_workbook

from bench.report_frame import localities, make_frame
from survey.models.places import LocalityName
from survey.reports.build import PreviousWave, build_report
from survey.reports.charts import render_all
from survey.reports.render import to_html, to_json, to_xlsx

PLACES = 12
TARGET_WORDS = "mục tiêu"


@pytest.fixture(scope="module")
def frames():
    """A small wave and an earlier one, so the trend chart has two points."""
    return make_frame(1500, PLACES, seed=5, thin=1), make_frame(1200, PLACES, seed=6, thin=1, shift=-0.2)


def _report(frames, tree, **options):
    now, before = frames
    return build_report(now, None, tree, wave="2026Q4", previous=[PreviousWave("2026Q3", before)],
                        localities=[LocalityName(*row) for row in localities(PLACES)], **options)


@pytest.fixture
def drawn_lines(monkeypatch):
    """The label and position of every vertical and horizontal line the charts draw."""
    drawn = []
    for name in ("axvline", "axhline"):
        original = getattr(Axes, name)

        def spy(ax, position=0, *args, _original=original, **kwargs):
            drawn.append((kwargs.get("label"), position))
            return _original(ax, position, *args, **kwargs)

        monkeypatch.setattr(Axes, name, spy)
    return drawn


def _workbook_texts(document, charts) -> list[str]:
    book = load_workbook(io.BytesIO(to_xlsx(document, charts)))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
            for cell in row if isinstance(cell, str)]


def test_a_questionnaire_without_a_target_gives_a_report_without_one(app, frames, sipas_tree, drawn_lines):
    report = _report(frames, dataclasses.replace(sipas_tree, target=None))
    assert report.index.stat.estimate is not None
    assert (report.target, report.gap, report.gap_sentence) == (None, None, None)

    charts = render_all(report)
    assert {"forest", "elements", "trend"} <= set(charts)
    assert drawn_lines and "Mục tiêu" not in {label for label, _ in drawn_lines}

    text = to_json(report.as_dict())
    document = json.loads(text, parse_constant=lambda constant: pytest.fail(f"{constant} in JSON"))
    assert (document["target"], document["gap"], document["gap_sentence"]) == (None, None, None)
    assert "target" not in {line["topic"] for line in document["summary"]} and len(document["summary"]) >= 4
    assert TARGET_WORDS not in text.lower() and "86%" not in text and "86,0%" not in text

    with app.test_request_context():
        html = to_html(document, charts)
        texts = _workbook_texts(document, charts)
    assert TARGET_WORDS not in html.lower() and 'data-json="gap"' not in html
    assert "86%" not in html and "86,0%" not in html and ">None<" not in html and "nan" not in html.lower().split()
    assert "Các yếu tố." in html and "Chỉ số qua các đợt, với KTC 95%." in html  # the captions end cleanly
    assert not [t for t in texts if TARGET_WORDS in t.lower() or "86%" in t]


def test_the_questionnaires_target_is_compared_with(app, frames, sipas_tree, drawn_lines):
    """sipas-2026.yaml declares 0.86: the lines, the sentence, the gap and the workbook's row say 86%."""
    assert sipas_tree.target == 0.86
    report = _report(frames, sipas_tree)
    assert report.target == 0.86 and report.gap == pytest.approx(0.86 - report.index.stat.estimate)
    assert "mục tiêu 86,0%" in report.gap_sentence
    charts = render_all(report)
    assert {position for label, position in drawn_lines if label == "Mục tiêu"} == {0.86}
    assert len([label for label, _ in drawn_lines if label == "Mục tiêu"]) == 3  # forest, elements, trend
    document = report.as_dict()
    assert {"topic": "target", "text": report.gap_sentence} in document["summary"]
    with app.test_request_context():
        html = to_html(document, charts)
        texts = _workbook_texts(document, charts)
    assert f'data-json="gap" data-value="{report.gap}"' in html and report.gap_sentence in html
    assert "đường chấm đỏ: mục tiêu 86,0%" in html
    assert "Khoảng cách tới mục tiêu 86%" in texts


def test_a_target_given_to_the_build_overrides_the_questionnaires(frames, sipas_tree):
    report = _report(frames, sipas_tree, target=0.9)
    assert report.target == 0.9 and report.gap == pytest.approx(0.9 - report.index.stat.estimate)
    assert "mục tiêu 90,0%" in report.gap_sentence
    untargeted = _report(frames, dataclasses.replace(sipas_tree, target=None), target=0.75)
    assert untargeted.as_dict()["target"] == 0.75 and "mục tiêu 75,0%" in untargeted.gap_sentence
