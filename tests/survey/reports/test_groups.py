"""The report's province-level sections from the questionnaire's ``report:`` items (issue 25):
the index by respondent group, the improvement priorities and the preferred way to submit.

On a synthetic 8,000-response wave (bench/report_frame.py) with answers drawn here, on the
smallest waves (one response; nobody answering the items), and without the mapping at all.
"""

import io
import json
import re

import numpy as np
import pytest
from openpyxl import load_workbook

from bench.report_frame import localities, make_frame
from survey.models.places import LocalityName
from survey.questionnaire import load_questionnaire
from survey.reports.build import build_report
from survey.reports.groups import MIN_GROUP_N, POOLED, Breakdowns
from survey.reports.render import restrict, to_html, to_json, to_xlsx
from tests.factories import LEADERS_FILE, SIPAS_FILE

N_LOCALITIES = 12
NOT_A_NUMBER = re.compile(r"\bnan\b|\binf\b", re.IGNORECASE)


@pytest.fixture(scope="module")
def sipas():
    return load_questionnaire(SIPAS_FILE)


@pytest.fixture(scope="module")
def breakdowns(sipas):
    return Breakdowns.of(sipas)


def _answered(frame, breakdowns, seed=1, unanswered=0.2):
    """``frame`` with each report item answered at random (a fifth left blank), and three
    ethnic groups given 1, 2 and 2 answers, so the "Khác" pooling has five to pool."""
    rng = np.random.default_rng(seed)
    out = frame.copy()
    for item in breakdowns.items:
        values = [value for value, _ in item.options]
        column = rng.choice(values, size=len(out)).astype(object)
        column[rng.random(len(out)) < unanswered] = None
        out[item.column] = column
    ethnicity = next(i for i in breakdowns.groups if i.code == "ethnicity")
    rare = ["tay", "nung", "thai"]
    out[ethnicity.column] = out[ethnicity.column].where(~out[ethnicity.column].isin(rare), "kinh")
    for row, value in zip(range(5), ["tay", "nung", "nung", "thai", "thai"], strict=True):
        out.loc[row, ethnicity.column] = value
    return out


def _build(frame, tree, breakdowns, localities_count=N_LOCALITIES):
    return build_report(frame, None, tree, wave="2026Q4", breakdowns=breakdowns,
                        localities=[LocalityName(*row) for row in localities(localities_count)])


def _strict(text):
    def refuse(constant):
        raise AssertionError(f"{constant} in JSON")
    return json.loads(text, parse_constant=refuse)


def _check_share_record(record):
    if record["ci_low"] is None:
        assert record["note"] and record["note_text"], record
    else:
        assert 0 <= record["ci_low"] <= record["estimate"] <= record["ci_high"] <= 1, record


@pytest.fixture(scope="module")
def document(sipas, breakdowns):
    frame = _answered(make_frame(8000, N_LOCALITIES, seed=3, thin=0), breakdowns)
    return _strict(to_json(_build(frame, sipas.index, breakdowns).as_dict()))


def test_every_group_category_has_the_index_with_its_interval(document, breakdowns):
    assert [g["code"] for g in document["groups"]] == [i.code for i in breakdowns.groups]
    for group, item in zip(document["groups"], breakdowns.groups, strict=True):
        assert group["label"] == item.label
        labels = dict(item.options)
        for category in group["categories"]:
            assert category["code"] == POOLED or category["label"] == labels[category["code"]]
            assert category["n"] >= MIN_GROUP_N
            _check_share_record(category["index"])
            assert isinstance(category["reliable"], bool) and (category["reliable"] or category["reasons"])


def test_categories_under_five_are_pooled_into_khac_and_the_report_says_so(document):
    ethnicity = next(g for g in document["groups"] if g["code"] == "ethnicity")
    pooled = [c for c in ethnicity["categories"] if c["code"] == POOLED]
    assert len(pooled) == 1
    assert pooled[0]["label"].startswith("Khác")
    assert sorted(pooled[0]["pooled"]) == ["Nùng", "Thái", "Tày"]
    assert 0 < pooled[0]["n"] <= 5 and ethnicity["suppressed"] == []  # the five drawn above
    codes = {c["code"] for c in ethnicity["categories"]}
    assert not codes & {"tay", "nung", "thai"}
    assert "gộp" in ethnicity["note"] and "Tày" in ethnicity["note"]


def test_a_pool_still_under_five_is_suppressed_and_counted(sipas, breakdowns):
    frame = _answered(make_frame(600, N_LOCALITIES, seed=5, thin=0), breakdowns)
    gender = next(i for i in breakdowns.groups if i.code == "gender")
    frame[gender.column] = np.where(np.arange(len(frame)) < 2, "nu", "nam")
    document = _strict(to_json(_build(frame, sipas.index, breakdowns).as_dict()))
    group = next(g for g in document["groups"] if g["code"] == "gender")
    assert [c["code"] for c in group["categories"]] == ["nam"]
    assert group["suppressed"] == ["Nữ"] and group["suppressed_n"] == 2
    assert "Không trình bày 2 phiếu" in group["note"]


def test_priorities_are_ranked_shares_of_the_counted_answer(document, breakdowns):
    priorities = document["priorities"]
    assert {p["code"] for p in priorities} == {i.code for i in breakdowns.priorities}
    ranked = [p for p in priorities if p["rank"] is not None]
    assert ranked and [p["rank"] for p in ranked] == sorted(p["rank"] for p in ranked)
    assert [p["estimate"] for p in ranked] == sorted((p["estimate"] for p in ranked), reverse=True)
    for p in priorities:
        _check_share_record(p)
        assert p["counted"] == ["Rất nhiều"]
        assert (p["rank"] is not None) == p["reliable"]


def test_channel_shares_cover_every_option_and_sum_to_one(document, breakdowns):
    channels = document["channels"]
    assert [c["code"] for c in channels] == [v for v, _ in breakdowns.channels.options]
    for c in channels:
        _check_share_record(c)
    # every answering respondent chose exactly one option: the weighted shares add up to 1
    assert sum(c["estimate"] for c in channels) == pytest.approx(1.0)


def test_nobody_answering_the_items_gives_dashes_with_reasons(app, sipas, breakdowns):
    frame = make_frame(200, N_LOCALITIES, seed=7, thin=0)
    for item in breakdowns.items:
        frame[item.column] = None
    report = _build(frame, sipas.index, breakdowns)
    document = _strict(to_json(report.as_dict()))
    assert all(g["categories"] == [] and g["answered"] == 0 for g in document["groups"])
    for record in document["priorities"] + document["channels"]:
        assert record["estimate"] is None and record["note_text"] and record["rank"] is None
    with app.test_request_context():
        html = to_html(document, {})
        book = load_workbook(io.BytesIO(to_xlsx(document, {})))
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "Chưa có người trả lời câu hỏi này." in text
    assert not NOT_A_NUMBER.search(text)
    assert {"Theo nhóm người trả lời", "Mong muốn", "Hình thức nộp hồ sơ"} <= set(book.sheetnames)


def test_one_response_builds_without_nan(app, sipas, breakdowns):
    frame = _answered(make_frame(400, 6, seed=9, thin=0), breakdowns, unanswered=0).iloc[:1]
    document = _strict(to_json(_build(frame.reset_index(drop=True), sipas.index, breakdowns, 6).as_dict()))
    for group in document["groups"]:
        assert group["categories"] == [] and group["suppressed_n"] == 1
    for record in document["priorities"] + document["channels"]:
        _check_share_record(record)
    with app.test_request_context():
        html = to_html(document, {})
    assert not NOT_A_NUMBER.search(re.sub(r"<[^>]+>", " ", html))


def test_sections_render_with_labels_decimal_commas_and_vietnamese_headers(app, document):
    with app.test_request_context():
        html = to_html(document, {})
        book = load_workbook(io.BytesIO(to_xlsx(document, {})))
    for heading in ("Theo nhóm người trả lời", "Mong muốn cải thiện của người dân",
                    "Hình thức nộp hồ sơ người dân muốn dùng lần tới"):
        assert f"<h2>{heading}</h2>" in html
    section = html[html.index('<section id="groups">'):html.index('<section id="weakest">')]
    text = re.sub(r"<[^>]+>", " ", section)
    assert "Ê Đê" in text and "Rất nhiều" in text and "Trực tuyến" in text
    assert not re.search(r"\b(mm\d+|submit_channel|age_band|truc_tuyen|rat_nhieu|_khac)\b", text)
    assert not re.search(r"\d\.(?!\d{3}\b)\d", text)  # decimal commas (a dot only groups thousands)
    sheet = book["Mong muốn"]
    headers = [cell.value for cell in next(row for row in sheet.iter_rows() if row[0].value == "Mong muốn cải thiện")]
    assert "Hạng" in headers and "KTC 95% dưới" in headers


def test_an_officers_copy_keeps_the_province_level_sections(document):
    """The groups are province-level only, so an officer's restricted copy shows them unchanged
    and names no locality in them."""
    restricted = restrict(document, {document["localities"][0]["code"]}, set())
    assert restricted["groups"] == document["groups"]
    assert restricted["priorities"] == document["priorities"]
    assert "locality" not in json.dumps(restricted["groups"])


def test_a_questionnaire_without_the_mapping_gets_no_sections(app):
    leaders = load_questionnaire(LEADERS_FILE)
    assert leaders.report is None and Breakdowns.of(leaders) is None
    sipas = load_questionnaire(SIPAS_FILE)
    report = _build(make_frame(300, 6, seed=2, thin=0), sipas.index, None, 6)
    document = report.as_dict()
    assert document["groups"] is None and document["priorities"] is None and document["channels"] is None
    with app.test_request_context():
        html = to_html(document, {})
        book = load_workbook(io.BytesIO(to_xlsx(document, {})))
    assert 'id="groups"' not in html and "Mong muốn" not in book.sheetnames


def test_the_leadership_summary_names_the_three_most_wanted_improvements(document):
    line = next(line["text"] for line in document["summary"] if line["topic"] == "priorities")
    top = [p for p in document["priorities"] if p["rank"] is not None][:3]
    assert len(top) == 3 and line.startswith("Người dân mong muốn cải thiện nhiều nhất (tỷ lệ trả lời “Rất nhiều”)")
    positions = [line.index(p["label"][1:]) for p in top]  # the label's first letter is lowered in a sentence
    assert positions == sorted(positions)
