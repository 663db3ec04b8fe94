"""The report on the smallest waves there are: every renderer, no NaN, every gap explained.

Each case cuts a synthetic frame (bench/report_frame.py) down to what a real wave can look like
in its first hours: one response; two from one desk-day; one per locality on one day; nobody
drawn for the policy part; every answer at 5; three desk-days holding the same share (standard
errors of 0); a previous wave with one response. The report must build, its JSON must be strict,
every interval inside [0, 1] or absent with a reason, and the HTML, XLSX and charts must render.
"""

import io
import json
import re

import numpy as np
import pytest
from openpyxl import load_workbook

from bench.report_frame import POLICY, localities, make_frame
from survey.models.places import LocalityName
from survey.reports.build import PreviousWave, build_report
from survey.reports.charts import render_all
from survey.reports.render import to_html, to_json, to_xlsx

POLICY_ITEMS = [i for items in POLICY.values() for i in items]
NOT_A_NUMBER = re.compile(r"\bnan\b|\binf\b|–%\s*–", re.IGNORECASE)


@pytest.fixture(scope="module")
def base():
    return make_frame(400, 6, seed=9, thin=0)


def _one_response(frame):
    return frame.iloc[:1]


def _one_desk_day(frame):
    first = frame.iloc[0]["psu"]
    two = frame[frame["psu"] == first].iloc[:2]
    return two if len(two) == 2 else frame.iloc[:1].assign(psu=first)


def _one_per_locality_one_day(frame):
    out = frame.drop_duplicates("locality_code").copy()
    out["psu"] = out["locality_code"] + "-day1"
    return out


def _nobody_drawn_for_policy(frame):
    out = frame.iloc[:40].copy()
    out[POLICY_ITEMS] = np.nan
    return out


def _everyone_at_five(frame):
    out = frame.iloc[:30].copy()
    items = [c for c in out.columns if re.fullmatch(r"(tc|tt|cc|kq|gy|cs_)[a-z]*\d", c)]
    out[items] = 5.0
    return out


def _same_share_every_day(frame):
    """Three desk-days of one locality, each with two answers at 5 and one at 1, weighted 167/9 (the
    weight of the locality in demo wave DEMO-2026Q4 of 700 responses whose build met a NaN): every
    standard error is 0 in exact arithmetic, and rounding must not turn one into a NaN."""
    out = frame.iloc[[0] * 9].copy()
    out["response_id"] = range(1, 10)
    out["psu"] = [f"{out.iloc[0]['stratum']}-D{i // 3}" for i in range(9)]
    out["design_weight"] = 167 / 9
    items = [c for c in out.columns if re.fullmatch(r"(tc|tt|cc|kq|gy|cs_)[a-z]*\d", c)]
    out[items] = np.repeat(np.where(np.arange(9) % 3 == 2, 1.0, 5.0)[:, None], len(items), axis=1)
    return out


CASES = [_one_response, _one_desk_day, _one_per_locality_one_day, _nobody_drawn_for_policy,
         _everyone_at_five, _same_share_every_day]


def _strict(text):
    def refuse(constant):
        raise AssertionError(f"{constant} in JSON")
    return json.loads(text, parse_constant=refuse)


def _records(node):
    if isinstance(node, dict):
        if "ci_low" in node and "estimate" in node and "note" in node:
            yield node
        for key, value in node.items():
            if key not in ("change", "trend"):
                yield from _records(value)
    elif isinstance(node, list):
        for value in node:
            yield from _records(value)


@pytest.mark.parametrize("cut", CASES, ids=[c.__name__.strip("_") for c in CASES])
def test_a_tiny_wave_renders_everywhere(app, base, sipas_tree, cut):
    frame = cut(base).reset_index(drop=True)
    previous = PreviousWave("2026Q3", base.iloc[:1].reset_index(drop=True))
    report = build_report(frame, None, sipas_tree, wave="2026Q4", interim=True,
                          built_at="2026-10-01T17:00:00+07:00",
                          localities=[LocalityName(*row) for row in localities(6)], previous=[previous])
    report.charts = render_all(report)
    document = _strict(to_json(report.as_dict()))
    records = list(_records(document))
    assert records
    for r in records:
        if r["ci_low"] is not None:
            assert 0 <= r["ci_low"] <= r["estimate"] <= r["ci_high"] <= 1, r
        else:
            assert r["note"] and r["note_text"], r
        if r["n"] < 2:
            assert r["se"] is None and r["cv"] is None, r
        if r["effective_n"] is not None:
            assert r["effective_n"] <= r["n"], r
    for row in document["localities"]:
        assert row["change"]["note"] or row["change"]["difference"] is not None
    with app.test_request_context():
        html = to_html(document, report.charts)
        book = load_workbook(io.BytesIO(to_xlsx(document, report.charts)))
    assert not NOT_A_NUMBER.search(re.sub(r"<[^>]+>", " ", html))
    assert "Số liệu tạm tính, lập lúc 17:00 ngày 01/10/2026" in html
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                assert not (isinstance(value, float) and not np.isfinite(value)), sheet.title
                assert not (isinstance(value, str) and NOT_A_NUMBER.search(value)), (sheet.title, value)
