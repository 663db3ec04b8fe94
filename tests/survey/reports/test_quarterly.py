"""The quarterly report on a demo wave in the database: the command, its files, the numbers
against `python -m analysis index --tree` on the exported frame, and the web pages by role."""

import json
import re
import subprocess
import sys
from html.parser import HTMLParser

import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from survey.frame.compact import Opinions
from survey.frame.load import analysis_frame
from survey.frame.responses import opinions_from_answers
from survey.models import CommentDigest, Locality, UserRole, Wave
from survey.questionnaire import from_dict
from survey.reports.wording import decimal, percent
from tests.factories import PROJECT_ROOT

# Each test fills two demo waves: seconds each, scheduled first (tests/conftest.py).
pytestmark = pytest.mark.slow

SAME = 1e-9  # the report and the CLI run the same estimator on the same rows


@pytest.fixture
def demo_waves(app, runner, tmp_path):
    """Seeded places, demo waves DEMO-2026Q3 (400 responses) and DEMO-2026Q4 (1,500), with dossier counts."""
    app.config["REPORTS_DIR"] = str(tmp_path / "stored")
    for args in (["seed"], ["demo", "responses", "--wave", "DEMO-2026Q3", "--count", "400", "--seed", "2",
                            "--with-counts"],
                 ["demo", "responses", "--wave", "DEMO-2026Q4", "--count", "1500", "--seed", "1", "--with-counts"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    return tmp_path


class _Numbers(HTMLParser):
    """Every element with data-json in the summary section: key → (attributes, text)."""

    def __init__(self):
        super().__init__()
        self.found, self._open, self._in_summary = {}, [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id") == "summary":
            self._in_summary = True
        elif tag == "section":
            self._in_summary = False
        if self._in_summary and "data-json" in attrs:
            self._open.append([attrs, ""])

    def handle_data(self, data):
        for entry in self._open:
            entry[1] += data

    def handle_endtag(self, tag):
        if self._open and tag in ("td", "p", "span", "li"):
            attrs, text = self._open.pop()
            self.found[attrs["data-json"]] = (attrs, text.strip())


def _lookup(document, key):
    value = document
    for part in key.split("."):
        value = value[part]
    return value


def _tree_file(wave, path):
    """The questionnaire's index section in the tree-file format analysis reads."""
    definition = from_dict(wave.questionnaire_version.definition)
    tree = definition.index
    path.write_text(json.dumps({
        "questionnaire": definition.code, "item_score": tree.item_score, "root": tree.root.code,
        "nodes": [{"code": n.code, "children": list(n.children),
                   "weights": list(n.weights) if n.weights else None} for n in tree.nodes]}))


def test_report_on_a_demo_wave(demo_waves, runner, db_session):
    out = demo_waves / "out"
    result = runner.invoke(args=["report", "quarterly", "--wave", "DEMO-2026Q4", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"{out / 'report.html'}" in result.output
    assert "[DỮ LIỆU MÔ PHỎNG]: Chỉ số hài lòng về sự phục vụ hành chính (SIPAS) " in result.output
    assert "s] Đọc các phiếu trả lời của đợt" in result.output and "s] Ghi các tệp báo cáo" in result.output
    assert result.output.rstrip().endswith(" giây")
    document = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert document["wave"] == "DEMO-2026Q4" and document["demo"] is True and document["weighted"] is True
    localities = db_session.scalars(select(Locality)).all()
    assert len(document["localities"]) == len(localities) + 1  # and the provincial centre
    assert document["change"]["previous_wave"] == "DEMO-2026Q3"
    # the target sipas-2026.yaml declares (index.target: 0.86), and the distance to it
    assert document["target"] == 0.86 and "mục tiêu 86,0%" in document["gap_sentence"]
    assert document["gap"] == pytest.approx(0.86 - document["province"]["index"]["sipas"]["estimate"])

    html = (out / "report.html").read_text(encoding="utf-8")
    assert "DỮ LIỆU MÔ PHỎNG" in html and "http://" not in html and "https://" not in html
    assert document["gap_sentence"] in html and "đường chấm đỏ: mục tiêu 86,0%" in html
    parser = _Numbers()
    parser.feed(html)
    assert len(parser.found) > 40
    for key, (attrs, text) in parser.found.items():
        target = _lookup(document, key.rsplit(".", 1)[0] if key.endswith(".ci") else key)
        if key.endswith(".ci"):
            assert float(attrs["data-low"]) == target["ci_low"] and float(attrs["data-high"]) == target["ci_high"]
            assert text == f"{percent(target['ci_low'])}–{percent(target['ci_high'])}"
        elif "data-value" in attrs and attrs["data-value"] != "None":
            assert float(attrs["data-value"]) == pytest.approx(target, rel=1e-15), key
            if key.endswith((".estimate",)):
                assert text == percent(target), key
            elif key.endswith(".n"):
                assert text == decimal(target, 0), key

    # the same numbers from the analysis CLI on the exported frame
    wave = db_session.scalar(select(Wave).where(Wave.code == "DEMO-2026Q4"))
    frame, _ = analysis_frame(db_session, wave)
    # the opinion shares from the answer rows themselves, not the compact copy the report reads
    opinions = Opinions.of_definition(wave.questionnaire_version.definition)
    said = pd.Series(opinions_from_answers(db_session, frame["response_id"], opinions)[
        :, opinions.items.index("harassment")], index=frame.index)
    answered = said.notna()
    share = (frame["design_weight"][answered] * said[answered]).sum() / frame["design_weight"][answered].sum()
    assert document["opinions"]["harassment"]["overall"]["estimate"] == pytest.approx(share, rel=SAME)
    frame.drop(columns=["quality_flags"]).to_csv(demo_waves / "frame.csv", index=False)
    _tree_file(wave, demo_waves / "tree.json")
    cli = subprocess.run(
        [sys.executable, "-m", "analysis", "index", "--tree", str(demo_waves / "tree.json"),
         "--weight", "design_weight", "--strata", "stratum", "--cluster", "psu", "--format", "json",
         str(demo_waves / "frame.csv")],
        capture_output=True, text=True, cwd=PROJECT_ROOT, check=True)
    records = {r["node"]: r for r in json.loads(cli.stdout) if "node" in r and r["statistic"] != "share"}
    for group in ("index", "fields", "elements"):
        for code, mine in document["province"][group].items():
            theirs = records[code]
            for key in ("estimate", "se", "ci_low", "ci_high"):
                assert mine[key] == pytest.approx(theirs[key], rel=SAME), (code, key)

    book = load_workbook(out / "report.xlsx")
    assert {"Tóm tắt", "Địa phương", "Lĩnh vực", "Biểu đồ"} <= set(book.sheetnames)
    notes = {row[0]: row[1] for row in book["Ghi chú"].iter_rows(values_only=True)}
    assert book.sheetnames[0] == "Ghi chú" and notes["Trọng số"].startswith("Có gia quyền")
    assert notes["Dữ liệu"] == "DỮ LIỆU MÔ PHỎNG" and notes["Số phiếu được phân tích"] == document["n"]
    sheet = book["Tóm tắt"]
    # above the table: the demo mark, interim or build time (interim until the closing day has
    # passed, whatever the status), the weighting
    when = "Số liệu tạm tính, lập lúc " if document["interim"] else "Lập lúc "
    assert sheet["A1"].value == "DỮ LIỆU MÔ PHỎNG" and sheet["A2"].value.startswith(when)
    assert sheet["A3"].value.startswith("Có gia quyền") and sheet.freeze_panes == "B5"
    assert sheet["B5"].value == document["province"]["index"]["sipas"]["estimate"]
    assert sheet["B5"].number_format == "0.0%"
    gap_row = next(row for row in sheet.iter_rows(values_only=True) if str(row[0]).startswith("Khoảng cách"))
    assert gap_row[0] == "Khoảng cách tới mục tiêu 86%" and gap_row[1] == pytest.approx(document["gap"])
    assert book["Biểu đồ"]._images


def test_the_target_option_overrides_the_questionnaires(demo_waves, runner):
    result = runner.invoke(args=["report", "quarterly", "--wave", "DEMO-2026Q4", "--out", str(demo_waves / "o"),
                                 "--format", "json", "--target", "0.9"])
    assert result.exit_code == 0, result.output
    document = json.loads((demo_waves / "o" / "report.json").read_text(encoding="utf-8"))
    assert document["target"] == 0.9 and "mục tiêu 90,0%" in document["gap_sentence"]
    assert document["gap"] == pytest.approx(0.9 - document["province"]["index"]["sipas"]["estimate"])
    assert runner.invoke(args=["report", "quarterly", "--wave", "DEMO-2026Q4", "--out", str(demo_waves / "o"),
                               "--target", "86"]).exit_code == 2  # a proportion, not a percentage
    help_text = " ".join(runner.invoke(args=["report", "quarterly", "--help"]).output.split())  # unwrapped
    assert "--target" in help_text and "thay cho mục tiêu khai trong tệp bảng" in help_text
    assert "Lập báo cáo quý của một đợt khảo sát và lưu lại cho trang web." in help_text


def test_report_pages_by_role(demo_waves, runner, client, auth, db_session):
    """Analysts see every locality; an officer sees the province and their own locality only,
    published comment digests included."""
    wave = db_session.scalar(select(Wave).where(Wave.code == "DEMO-2026Q4"))
    first, second = db_session.scalars(select(Locality).order_by(Locality.code).limit(2)).all()
    for place, text in ((first, "Người dân mong rút ngắn thời gian trả kết quả."),
                        (second, "Nhiều ý kiến khen thái độ của công chức.")):
        db_session.add(CommentDigest(locality=place, wave=wave, body=text, comments=7, published_by="admin"))
    db_session.commit()
    result = runner.invoke(args=["report", "quarterly", "--wave", "DEMO-2026Q4", "--out", str(demo_waves / "o"),
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    auth(UserRole.ANALYST)
    listing = client.get("/admin/reports/").get_data(as_text=True)
    assert "DEMO-2026Q4" in listing and "Xem báo cáo" in listing and "DỮ LIỆU MÔ PHỎNG" in listing
    page = client.get("/admin/reports/DEMO-2026Q4").get_data(as_text=True)
    assert page.count("data-code=") == db_session.query(Locality).count() + 1
    assert "Người dân mong rút ngắn" in page and "Nhiều ý kiến khen" in page
    assert "DỮ LIỆU MÔ PHỎNG" in page
    client.post("/auth/logout")

    own = db_session.scalars(select(Locality).order_by(Locality.code)).first()
    auth(UserRole.OFFICER, own)
    page = client.get("/admin/reports/DEMO-2026Q4")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert re.findall(r'data-code="([^"]+)"', text) == [own.code]
    assert "DỮ LIỆU MÔ PHỎNG" in text
    document = client.get("/admin/reports/DEMO-2026Q4/report.json").get_json()
    assert [row["code"] for row in document["localities"]] == [own.code]
    assert [c["locality_code"] for c in document["comments"]] == [own.code]
    assert document["extremes"] == {} and all(line["topic"] != "localities" for line in document["summary"])
    assert "Nhiều ý kiến khen" not in text and "Người dân mong rút ngắn" in text
    assert document["province"]["index"]["sipas"]["estimate"] is not None
    assert client.get("/admin/reports/DEMO-2026Q4/report.xlsx").status_code == 200
    assert client.get("/admin/reports/DEMO-2026Q4/report.exe").status_code == 404
    assert client.post("/admin/reports/DEMO-2026Q4/build").status_code == 403


def test_unknown_wave_and_format_are_refused(demo_waves, runner):
    result = runner.invoke(args=["report", "quarterly", "--wave", "2031Q1", "--out", str(demo_waves)])
    assert result.exit_code == 2 and "không có đợt '2031Q1' (các đợt đã có: " in result.output
    result = runner.invoke(args=["report", "quarterly", "--wave", "DEMO-2026Q4", "--out", str(demo_waves),
                                 "--format", "docx"])
    assert result.exit_code == 2 and "không có định dạng 'docx'; dùng html, xlsx, json, pdf" in result.output


def test_pdf_without_chromium_says_what_to_install(demo_waves, runner, monkeypatch, tmp_path):
    from survey.reports import pdf

    monkeypatch.setattr(pdf, "CHROMIUM", tmp_path / "no-chromium")
    out = demo_waves / "pdf-out"
    result = runner.invoke(args=["report", "quarterly", "--wave", "DEMO-2026Q4", "--out", str(out),
                                 "--format", "html,pdf"])
    assert result.exit_code == 2
    assert "make chromium" in result.output and "Không xuất được PDF" in result.output
    assert not (out / "report.html").exists()  # refused before any work
