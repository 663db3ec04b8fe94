"""`flask leaders score` and the wave's report (the PAR score through the reports' pages), from
answers given through `/l/<token>`."""

from __future__ import annotations

import io
import json
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from survey.models import LeaderResponse
from tests.factories import make_invitations, make_locality
from tests.survey.leaders.conftest import LEADERS, answer_all, close, post, start


@pytest.fixture
def report(app, client, tmp_path):
    """The wave's report as an analyst gets it: "Lập báo cáo" on its page (the build runs in the
    click: huey's immediate mode), then the page or one of its files."""
    app.config.update(REPORTS_DIR=str(tmp_path / "reports"), JOBS_URL="immediate://")

    def read(wave_code: str, fmt: str | None = None):
        built = client.post(f"/admin/reports/{wave_code}/build")
        assert built.status_code == 303, built.get_data(as_text=True)[:500]
        page = client.get(f"/admin/reports/{wave_code}" + (f"/report.{fmt}" if fmt else ""))
        assert page.status_code == 200
        return page
    return read


def _answered(client, db_session, wave, choices: dict[str, list[str]]):
    """Invite and answer: for each group, one leader per choice, every criterion that choice;
    then close the wave, which releases every group of at least five from the mix."""
    tokens = make_invitations(db_session, wave, {group: len(c) for group, c in choices.items()})
    db_session.commit()
    flat = [choice for group in choices for choice in choices[group]]
    for token, choice in zip(tokens, flat, strict=False):
        answer_all(client, token, choice)
    close(db_session, wave)


def test_json_score_of_answers_given_through_the_links(runner, client, db_session, leader_wave):
    """By hand: department leaders a, a, b, b, e; commune leaders a, c, c, d, d (every criterion).
    Shares .6 x 2 + 1 x 2 = 3.2 over 4 graded -> .8 in the department group (E left out);
    1 + .2 + .2 = 1.4 over 5 -> .28 in the commune group.  Every invited leader answered, so
    each weighs 1 and the mean share is over the nine graded answers: 4.6 / 9, times 22 points."""
    _answered(client, db_session, leader_wave, {"lanh_dao_so": list("aabbe"),
                                                "lanh_dao_xa": list("accdd")})
    result = runner.invoke(args=["leaders", "score", "--wave", leader_wave.code])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) >= {"total", "max_points", "by_group", "by_field", "criteria"}
    assert set(data["total"]) >= {"estimate", "se", "ci_low", "ci_high", "n"}
    assert data["max_points"] == 22 and data["total"]["n"] == 10
    assert abs(data["total"]["estimate"] - 22 * 4.6 / 9) < 1e-9
    # every invited leader answered: no sampling error, said in words instead of a 0-width interval
    assert data["total"]["se"] == 0 and data["total"]["ci_low"] is None
    assert data["total"]["reason"] == "census"
    assert data["total"]["reason_text"] == "toàn bộ nhóm đã trả lời: không có sai số chọn mẫu"
    by_group = {g["group"]: g for g in data["by_group"]}
    assert abs(by_group["lanh_dao_so"]["estimate"] - 22 * 0.8) < 1e-9
    assert abs(by_group["lanh_dao_xa"]["estimate"] - 22 * 0.28) < 1e-9
    assert by_group["lanh_dao_so"]["response_rate"] == 1.0
    # E counted as 0: 4.6 over all ten answers
    assert abs(data["total_e_as_zero"]["estimate"] - 22 * 0.46) < 1e-9
    assert {f["field"] for f in data["by_field"]} == set(LEADERS.index.root.children)
    top = data["criteria"][0]
    assert top["rank"] == 1 and top["lost"] == max(c["lost"] for c in data["criteria"])
    assert top["label"] and top["field_label"]


def test_xlsx_score_and_the_page(runner, client, auth, db_session, leader_wave, tmp_path, report):
    _answered(client, db_session, leader_wave, {"lanh_dao_so": list("abcda"), "dai_bieu_hdnd": ["b"]})
    out = tmp_path / "par.xlsx"
    result = runner.invoke(args=["leaders", "score", "--wave", leader_wave.code, "--format", "xlsx",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    book = load_workbook(out, read_only=True)
    assert book.sheetnames == ["Ghi chú", "Tổng điểm", "Theo nhóm", "Theo lĩnh vực", "Tiêu chí", "Biểu đồ"]
    no_out = runner.invoke(args=["leaders", "score", "--wave", leader_wave.code, "--format", "xlsx"])
    assert no_out.exit_code != 0 and "--format xlsx cần --out TỆP" in no_out.output  # binary needs --out
    auth("analyst")
    html = report(leader_wave.code).get_data(as_text=True)
    assert "Tổng điểm:" in html and "dưới 5 phiếu" in html  # one HĐND deputy: no figure
    # the deputy's group has one sheet in the whole wave: it is never opened, even after close
    assert "đang chờ trong khối: 1 phiếu" in html
    # the old address of the score page leads to the report
    moved = client.get(f"/admin/leaders/{leader_wave.code}/scores")
    assert moved.status_code == 301 and moved.headers["Location"].endswith(f"/admin/reports/{leader_wave.code}")
    assert db_session.scalar(select(func.count()).select_from(LeaderResponse)
                             .where(LeaderResponse.group_code == "dai_bieu_hdnd")) == 0
    download = report(leader_wave.code, "xlsx")
    assert load_workbook(io.BytesIO(download.data), read_only=True).sheetnames[:2] == ["Ghi chú", "Tổng điểm"]


def test_progress_counts_invited_opened_completed(client, auth, db_session, leader_wave, tokens):
    answer_all(client, tokens[0])
    start(client, tokens[1])
    client.get(f"/l/{tokens[2]}")  # a look at the landing page opens nothing
    auth("admin")
    html = client.get(f"/admin/leaders/{leader_wave.code}/progress").get_data(as_text=True)
    # one sheet sent, held in the mix until its group has a block: not yet counted by name
    assert "Đã mời 6 · đã mở 2 · đã ghi nhận 0 · đang chờ trong khối 1 · tỷ lệ phản hồi 0%" in html
    assert "Chưa ghi nhận phiếu (6)" in html


def test_a_wave_without_answers_scores_nothing_without_failing(runner, client, auth, leader_wave, tokens, report):
    result = runner.invoke(args=["leaders", "score", "--wave", leader_wave.code])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["total"]["estimate"] is None and data["total"]["n"] == 0
    assert {g["group"]: g["invited"] for g in data["by_group"]} == {"lanh_dao_so": 3, "lanh_dao_xa": 3}
    auth("admin")
    html = report(leader_wave.code).get_data(as_text=True)
    assert "Mới có 0 phiếu" in html


def test_unsent_drafts_do_not_outlive_their_wave(runner, client, db_session, leader_wave, tokens):
    from survey.models import LeaderDraft, Wave, WaveStatus

    start(client, tokens[0])
    post(client, tokens[0], page=0, action="next", cd1="a", cd2="b", th1="c", th2="d")
    db_session.get(Wave, leader_wave.id).status = WaveStatus.CLOSED
    db_session.commit()
    assert db_session.query(LeaderDraft).count() == 1
    assert runner.invoke(args=["leaders", "score", "--wave", leader_wave.code]).exit_code == 0
    db_session.expire_all()
    assert db_session.query(LeaderDraft).count() == 0


def _refuse_nan(constant):
    raise AssertionError(f"{constant} in the JSON")


def test_a_first_block_of_five_gives_every_output_with_reasons_and_no_nan(client, auth, db_session,
                                                                         leader_wave, report):
    """A real wave's first figures: five commune leaders (two cannot assess anything), no
    department leader yet. JSON, XLSX and page: numbers inside their bounds or "–" with a reason."""
    _answered(client, db_session, leader_wave, {"lanh_dao_xa": list("abeec"), "lanh_dao_so": []})
    make_invitations(db_session, leader_wave, {"lanh_dao_so": 4})
    db_session.commit()
    auth("analyst")
    data = json.loads(report(leader_wave.code, "json").data, parse_constant=_refuse_nan)
    rows = [data["total"], data["total_e_as_zero"], *data["by_group"], *data["by_field"], *data["criteria"]]
    for row in rows:
        top = row.get("max_points", data["max_points"])
        if row["estimate"] is None or row["ci_low"] is None:
            assert row["reason"] and row["reason_text"], row
        if row["ci_low"] is not None:
            assert 0 <= row["ci_low"] <= row["estimate"] <= row["ci_high"] <= top
    by_group = {g["group"]: g for g in data["by_group"]}
    assert by_group["lanh_dao_so"]["reason_text"] == "chưa đủ dữ liệu: dưới 5 phiếu"
    assert by_group["lanh_dao_xa"]["reason_text"] == "toàn bộ nhóm đã trả lời: không có sai số chọn mẫu"
    book = load_workbook(io.BytesIO(report(leader_wave.code, "xlsx").data), read_only=True)
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for cell in row]
    assert not any(isinstance(cell, float) and cell != cell for cell in cells)
    assert "toàn bộ nhóm đã trả lời: không có sai số chọn mẫu" in cells and "–" in cells
    html = report(leader_wave.code).get_data(as_text=True)
    assert not re.search(r"\bnan\b", html, re.IGNORECASE)
    assert "toàn bộ nhóm đã trả lời: không có sai số chọn mẫu" in html


# Every word of the English headers the workbook had before its headers were Vietnamese.
OLD_ENGLISH_HEADERS = {"group", "label", "invited", "responses", "response", "rate", "estimate", "se", "ci",
                       "low", "high", "reason", "text", "field", "max", "points", "lost", "rank", "code",
                       "mean", "share", "graded", "cannot", "assess"}


def _notes(book) -> dict[str, str]:
    return {key: value for key, value in book["Ghi chú"].iter_rows(values_only=True)}


def test_the_workbook_speaks_vietnamese_and_says_what_it_is(client, auth, db_session, leader_wave, report):
    _answered(client, db_session, leader_wave, {"lanh_dao_so": list("aabbc"), "lanh_dao_xa": list("abcdd")})
    auth("analyst")
    book = load_workbook(io.BytesIO(report(leader_wave.code, "xlsx").data))
    assert book.sheetnames[0] == "Ghi chú"
    notes = _notes(book)
    assert notes["Đợt"] == leader_wave.code
    assert notes["Trạng thái"] == "Số liệu chính thức của đợt"  # the wave was closed
    assert re.fullmatch(r"\d\d:\d\d ngày \d\d/\d\d/\d{4}", notes["Lập lúc"])
    assert notes["Trọng số"].startswith("Mỗi nhóm người trả lời là một tầng")
    for sheet in book.worksheets[1:]:
        header = next(sheet.iter_rows(max_row=1, values_only=True))
        words = {word.casefold() for text in [sheet.title, *header] for word in re.findall(r"[^\W_]+", text)}
        assert not words & OLD_ENGLISH_HEADERS, (sheet.title, words & OLD_ENGLISH_HEADERS)
    total = {row[1].value: row for row in book["Tổng điểm"].iter_rows(min_row=2)}["Tổng điểm"]
    assert isinstance(total[2].value, float) and total[2].number_format == "0.0"
    assert total[6].number_format == "#,##0"
    assert book["Tổng điểm"].max_row == 3  # the header and two totals, no empty row
    header = [cell.value for cell in book["Theo nhóm"][1]]
    column = header.index("Tỷ lệ trả lời")
    rates = [row[column] for row in book["Theo nhóm"].iter_rows(min_row=2) if row[column].value != "–"]
    assert [rate.value for rate in rates] == [1.0, 1.0]
    assert {rate.number_format for rate in rates} == {"0.0%"}
    # groups, fields and criteria go by their names, not the questionnaire file's codes
    cells = {cell for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for cell in row}
    assert not cells & {"lanh_dao_so", "lanh_dao_xa", *LEADERS.index.root.children, "th1"}


def test_an_open_waves_workbook_is_marked_interim(client, auth, leader_wave, tokens, report):
    answer_all(client, tokens[0])
    auth("analyst")
    book = load_workbook(io.BytesIO(report(leader_wave.code, "xlsx").data))
    assert book.sheetnames[0] == "Ghi chú"
    assert _notes(book)["Trạng thái"] == "Số liệu tạm tính: đợt khảo sát chưa kết thúc"


def test_the_par_score_goes_through_the_reports_pipeline_like_every_survey(
        app, runner, client, auth, db_session, leader_wave, tmp_path, report):
    """`flask report quarterly` on a leaders' wave writes the PAR score as HTML, XLSX and JSON and
    keeps it for the reports' page, as it does the citizens' report; officers never see it."""
    _answered(client, db_session, leader_wave, {"lanh_dao_so": list("aabbc"), "lanh_dao_xa": list("abcdd")})
    out = tmp_path / "par"
    result = runner.invoke(args=["report", "quarterly", "--wave", leader_wave.code, "--out", str(out),
                                 "--format", "html,xlsx,json"])
    assert result.exit_code == 0, result.output
    document = json.loads((out / "report.json").read_text(encoding="utf-8"), parse_constant=_refuse_nan)
    assert document["kind"] == "par_score" and document["wave"] == leader_wave.code
    assert document["total"]["n"] == 10 and 0 < document["total"]["estimate"] <= document["max_points"] == 22
    summary = result.output.strip().splitlines()[-1]
    assert summary.startswith(f"{leader_wave.code}: {LEADERS.index.root.label['vi']} ") and "/22 điểm" in summary
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Tổng điểm:" in html and "Theo lĩnh vực" in html and not re.search(r"\bnan\b", html, re.IGNORECASE)
    assert load_workbook(out / "report.xlsx", read_only=True).sheetnames[:2] == ["Ghi chú", "Tổng điểm"]
    auth("analyst")
    page = client.get(f"/admin/reports/{leader_wave.code}").get_data(as_text=True)  # stored by the command
    assert "Tổng điểm:" in page
    client.post("/logout")
    auth("officer", make_locality(db_session, "24099", "Xã Khác"))
    assert client.get(f"/admin/reports/{leader_wave.code}").status_code == 404
    assert client.get(f"/admin/reports/{leader_wave.code}/report.json").status_code == 404


def test_the_par_report_reads_in_vietnamese(runner, client, db_session, leader_wave, tmp_path):
    """The citizens' report crawler (tests/survey/reports/test_report_words.py) on the PAR score's
    page and workbook: no code of the questionnaire, no English word, no decimal point."""
    from tests.survey.reports.test_report_words import VIETNAMESE_WORDS, html_problems, xlsx_problems

    _answered(client, db_session, leader_wave, {"lanh_dao_so": list("aabbc"), "lanh_dao_xa": list("abcde")})
    out = tmp_path / "par"
    result = runner.invoke(args=["report", "quarterly", "--wave", leader_wave.code, "--out", str(out),
                                 "--format", "html,xlsx"])
    assert result.exit_code == 0, result.output
    codes = (set(LEADERS.items_by_code) | {node.code for node in LEADERS.index.nodes}
             | {choice.value for choices in LEADERS.choice_lists.values() for choice in choices.choices
                if not choice.value.isdigit() and len(choice.value) > 1}) - VIETNAMESE_WORDS
    waves = {leader_wave.code}
    assert html_problems((out / "report.html").read_text(encoding="utf-8"), codes, waves, least=100) == {}
    assert xlsx_problems(load_workbook(out / "report.xlsx"), codes, waves) == {}
