"""The PAR score report's charts (survey/leaders/charts.py): points by field and by group, drawn
from the report document, shown in the page, the HTML file and the workbook; none on a wave's
first day, with the reason in Vietnamese instead."""

from __future__ import annotations

import base64
import io
import re

import pytest
from openpyxl import load_workbook

from survey.leaders import charts as par_charts_module
from survey.leaders.charts import FIELDS, GROUPS, Bar, chart_notes, par_charts
from survey.leaders.scores import par_document
from survey.reports.wording import decimal
from tests.factories import make_invitations
from tests.survey.leaders.conftest import LEADERS, answer_all
from tests.survey.leaders.test_leader_scores import _answered
from tests.survey.reports.test_report_words import VIETNAMESE_WORDS, problems_in

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
IMAGE = re.compile(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)" alt="([^"]+)"')
# Two of five department leaders' groups: four answer sheets of five, and one HĐND deputy whose
# single sheet never leaves the mix, so that group is held back.
CHOICES = {"lanh_dao_so": list("aabbc"), "lanh_dao_xa": list("abcdd"), "dai_bieu_hdnd": ["b"]}
DEPUTIES = "Đại biểu Hội đồng nhân dân tỉnh"


@pytest.fixture
def built(app, client, tmp_path):
    """The wave's report built by "Lập báo cáo" (huey's immediate mode), then its page or a file."""
    app.config.update(REPORTS_DIR=str(tmp_path / "reports"), JOBS_URL="immediate://")

    def read(wave_code: str, fmt: str | None = None):
        assert client.post(f"/admin/reports/{wave_code}/build").status_code == 303
        page = client.get(f"/admin/reports/{wave_code}" + (f"/report.{fmt}" if fmt else ""))
        assert page.status_code == 200
        return page
    return read


def _pngs(html: str) -> dict[str, bytes]:
    """The images of a page by their alt text, decoded."""
    return {alt: base64.b64decode(data) for data, alt in IMAGE.findall(html)}


def _size(png: bytes) -> tuple[int, int]:
    """Width and height from the PNG's IHDR chunk."""
    assert png.startswith(PNG_SIGNATURE) and png[12:16] == b"IHDR"
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def test_the_report_shows_both_charts_and_the_groups_it_leaves_out(client, auth, db_session, leader_wave, built):
    _answered(client, db_session, leader_wave, CHOICES)
    auth("analyst")
    for html in (built(leader_wave.code).get_data(as_text=True),
                 built(leader_wave.code, "html").get_data(as_text=True)):
        images = _pngs(html)
        assert len(images) == 2, list(images)
        for png in images.values():
            width, height = _size(png)
            assert 500 <= width <= 1500 and 200 <= height <= 1500, (width, height)
        assert any("lĩnh vực" in alt for alt in images) and any("nhóm lãnh đạo" in alt for alt in images)
        note = re.search(r'data-chart-note="par_groups">([^<]+)<', html).group(1)
        assert note == f"Không hiện trên biểu đồ: {DEPUTIES} (chưa đủ dữ liệu: dưới 5 phiếu)."
        assert 'data-chart-note="par_fields"' not in html  # every field has its points
    book = load_workbook(io.BytesIO(built(leader_wave.code, "xlsx").data))
    assert book.sheetnames[-1] == "Biểu đồ" and len(book["Biểu đồ"]._images) == 2
    texts = [cell for row in book["Biểu đồ"].iter_rows(values_only=True) for cell in row if cell]
    assert f"Không hiện trên biểu đồ: {DEPUTIES} (chưa đủ dữ liệu: dưới 5 phiếu)." in texts


def test_the_bars_are_the_documents_figures(client, db_session, leader_wave, monkeypatch):
    """What each chart is drawn from, against the document's rows: every field in the
    questionnaire's order, the reported groups only, values written "x,xx/y"."""
    _answered(client, db_session, leader_wave, CHOICES)
    drawn: dict[str, list[Bar]] = {}

    def record(title: str, bars: list[Bar]) -> bytes:
        drawn[title] = bars
        return PNG_SIGNATURE

    monkeypatch.setattr(par_charts_module, "bar_chart", record)
    document = par_document(db_session, leader_wave)
    charts = par_charts(document)
    assert set(charts) == {FIELDS, GROUPS}
    (fields_title, fields), (groups_title, groups) = drawn.items()
    total = document["total"]["estimate"]
    assert fields_title == f"Điểm theo lĩnh vực (Tổng: {decimal(total, 2)}/22)"
    assert re.fullmatch(r"Điểm theo lĩnh vực \(Tổng: \d{1,2},\d\d/22\)", fields_title)
    labels = {node.code: node.label["vi"] for node in LEADERS.index.nodes}
    assert [bar.label for bar in fields] == [labels[code] for code in LEADERS.index.root.children]
    by_field = {row["label"]: row for row in document["by_field"]}
    for bar in fields:
        row = by_field[bar.label]
        assert (bar.earned, bar.maximum) == (row["estimate"], row["max_points"])
        assert 0 < bar.earned <= bar.maximum
    assert abs(sum(bar.earned for bar in fields) - total) < 1e-9
    assert sum(bar.maximum for bar in fields) == document["max_points"]
    reported = [row for row in document["by_group"] if row["estimate"] is not None]
    assert [(bar.label, bar.earned, bar.maximum) for bar in groups] == [
        (row["label"], row["estimate"], 22) for row in reported]
    assert DEPUTIES not in [bar.label for bar in groups] and len(groups) == 2
    assert groups_title == "Điểm theo nhóm lãnh đạo (tổng điểm, tối đa 22)"
    for bar in fields + groups:
        assert re.fullmatch(r"\d+,\d\d/\d+(,\d\d?)?", bar.text), bar.text
        assert bar.text == f"{decimal(bar.earned, 2)}/{decimal(bar.maximum, 2).rstrip('0').rstrip(',')}"


def test_a_first_days_report_has_no_chart_and_says_why(client, auth, db_session, leader_wave, built):
    """The wave's first day: two sheets sent, both waiting in the mix, none counted."""
    for token in make_invitations(db_session, leader_wave, {"lanh_dao_so": 3, "lanh_dao_xa": 3})[:2]:
        answer_all(client, token)
    auth("analyst")
    expected = {name: f"Chưa vẽ biểu đồ {what}: mới có 0 phiếu được tính (chưa đủ dữ liệu: dưới 5 phiếu)."
                for name, what in ((FIELDS, "điểm theo lĩnh vực"), (GROUPS, "điểm theo nhóm lãnh đạo"))}
    for html in (built(leader_wave.code).get_data(as_text=True),
                 built(leader_wave.code, "html").get_data(as_text=True)):
        assert "data:image/png" not in html and "<figure" not in html
        assert "đang chờ trong khối: 2 phiếu" in html
        for name, sentence in expected.items():
            assert f'data-chart-note="{name}">{sentence}<' in html
        assert not re.search(r"\bnan\b", html, re.IGNORECASE)
    book = load_workbook(io.BytesIO(built(leader_wave.code, "xlsx").data))
    assert not book["Biểu đồ"]._images
    texts = {cell for row in book["Biểu đồ"].iter_rows(values_only=True) for cell in row if cell}
    assert set(expected.values()) <= texts


def test_a_wave_whose_groups_are_all_held_back_has_no_group_chart():
    """Three leaders in each of two groups: the total (six) is reported, neither group (under five)."""
    def group(label):
        return {"label": label, "estimate": None, "reason_text": "chưa đủ dữ liệu: dưới 5 phiếu"}

    document = {"total": {"estimate": 12.5, "n": 6, "reason_text": None}, "max_points": 22,
                "by_field": [{"label": "Chỉ đạo", "estimate": 1.5, "max_points": 2, "reason_text": None},
                             {"label": "Thể chế", "estimate": None, "max_points": 2.5,
                              "reason_text": "chưa có phiếu chọn A–D"}],
                "by_group": [group("Nhóm một"), group("Nhóm hai")]}
    notes = chart_notes(document)
    assert notes[GROUPS] == ("Chưa vẽ biểu đồ điểm theo nhóm lãnh đạo: chưa nhóm nào đủ số phiếu để công bố "
                             "(Nhóm một (chưa đủ dữ liệu: dưới 5 phiếu); Nhóm hai (chưa đủ dữ liệu: dưới 5 phiếu)).")
    assert notes[FIELDS] == "Lĩnh vực chưa có điểm (chỉ vẽ điểm tối đa): Thể chế (chưa có phiếu chọn A–D)."
    charts = par_charts(document)
    assert set(charts) == {FIELDS} and _size(charts[FIELDS])[0] > 500
    assert [bar.text for bar in par_charts_module.field_bars(document)] == ["1,50/2", "–/2,5"]


def test_the_charts_read_in_vietnamese(client, db_session, leader_wave, chart_texts):
    """Every text drawn on both charts (titles, names, ticks, values, legend), as drawn: no code,
    no English word, no decimal point (the report crawler's check, tests/survey/reports/test_report_words.py)."""
    _answered(client, db_session, leader_wave, CHOICES)
    texts = chart_texts
    assert len(par_charts(par_document(db_session, leader_wave))) == 2
    codes = (set(LEADERS.items_by_code) | {node.code for node in LEADERS.index.nodes}
             | {choice.value for choices in LEADERS.choice_lists.values() for choice in choices.choices
                if not choice.value.isdigit() and len(choice.value) > 1}) - VIETNAMESE_WORDS
    assert len(texts) > 30
    assert {text: found for text in texts if (found := problems_in(text, codes))} == {}
    assert any(re.fullmatch(r"\d+,\d\d/2,5", text) for text in texts)  # a field of 2,5 points
    assert "Điểm tối đa" in texts and "Điểm đạt được" in texts


@pytest.mark.parametrize(("top", "ticks"), [
    (22, [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22]),
    (5.5, [0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5]),
    (22.5, [0, 2.5, 5, 7.5, 10, 12.5, 15, 17.5, 20, 22.5]),
    (1.25, [0, 0.25, 0.5, 0.75, 1, 1.25]),
    (13, [0, 2, 4, 6, 8, 10, 12, 13]),  # no round step divides 13 into 4 to 11 gaps
])
def test_the_points_axis_ticks_end_at_the_maximum(top, ticks):
    assert par_charts_module.points_ticks(top) == ticks


def test_the_group_charts_axis_ends_at_the_documents_maximum(client, db_session, leader_wave, monkeypatch):
    """The points axis of the drawn group chart stops at the maximum the document scores against
    (22 in this questionnaire; matplotlib's own ticks ran on to 24), its last tick labelled so."""
    import matplotlib.pyplot as plt

    from survey.reports import charts as report_charts

    _answered(client, db_session, leader_wave, CHOICES)
    document = par_document(db_session, leader_wave)
    figures = []

    def keep(fig) -> bytes:
        figures.append(fig)
        return PNG_SIGNATURE

    monkeypatch.setattr(report_charts, "figure_png", keep)
    assert set(par_charts(document)) == {FIELDS, GROUPS}
    maxima = {FIELDS: max(row["max_points"] for row in document["by_field"]), GROUPS: document["max_points"]}
    for name, fig in zip((FIELDS, GROUPS), figures, strict=True):
        ax = fig.axes[0]
        ticks = list(ax.get_xticks())
        assert ticks[0] == 0 and ticks[-1] == maxima[name], (name, ticks)
        assert ax.spines["bottom"].get_bounds() == (0, maxima[name])
        labels = [ax.xaxis.get_major_formatter()(tick, i) for i, tick in enumerate(ticks)]
        assert labels[-1] == par_charts_module.maximum_text(maxima[name])
        assert all("." not in label for label in labels), labels
        plt.close(fig)
    assert document["max_points"] == 22 and figures[1].axes[0].get_xticks()[-1] == 22


def _chart_sheet(book) -> tuple[int, set[str]]:
    """The images on the workbook's "Biểu đồ" sheet and its texts."""
    sheet = book["Biểu đồ"]
    return len(sheet._images), {cell for row in sheet.iter_rows(values_only=True) for cell in row if cell}


def _score_workbook(runner, wave_code: str, out) -> object:
    """`flask leaders score --format xlsx` as an official runs it, the workbook read back."""
    result = runner.invoke(args=["leaders", "score", "--wave", wave_code, "--format", "xlsx", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return load_workbook(out)


def test_the_commands_workbook_has_the_reports_charts(runner, client, auth, db_session, leader_wave, built,
                                                      tmp_path):
    """Released blocks: the command's workbook ends with the same "Biểu đồ" sheet as the report's."""
    _answered(client, db_session, leader_wave, CHOICES)
    from_command = _score_workbook(runner, leader_wave.code, tmp_path / "par.xlsx")
    auth("analyst")
    from_report = load_workbook(io.BytesIO(built(leader_wave.code, "xlsx").data))
    assert from_command.sheetnames == from_report.sheetnames and from_command.sheetnames[-1] == "Biểu đồ"
    images, texts = _chart_sheet(from_command)
    assert images == 2
    assert f"Không hiện trên biểu đồ: {DEPUTIES} (chưa đủ dữ liệu: dưới 5 phiếu)." in texts
    assert _chart_sheet(from_report) == (images, texts)
    for image in from_command["Biểu đồ"]._images:
        assert image._data().startswith(PNG_SIGNATURE)


def test_the_commands_workbook_on_a_first_day_says_why_it_has_no_chart(runner, client, db_session, leader_wave,
                                                                      tmp_path):
    """Two sheets sent, both waiting in the mix: no image, and the pipeline's sentence for each chart."""
    for token in make_invitations(db_session, leader_wave, {"lanh_dao_so": 3, "lanh_dao_xa": 3})[:2]:
        answer_all(client, token)
    images, texts = _chart_sheet(_score_workbook(runner, leader_wave.code, tmp_path / "par.xlsx"))
    assert images == 0
    assert {"Chưa vẽ biểu đồ điểm theo lĩnh vực: mới có 0 phiếu được tính (chưa đủ dữ liệu: dưới 5 phiếu).",
            "Chưa vẽ biểu đồ điểm theo nhóm lãnh đạo: mới có 0 phiếu được tính (chưa đủ dữ liệu: dưới 5 phiếu)."
            } <= texts
