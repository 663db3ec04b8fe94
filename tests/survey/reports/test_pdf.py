"""`report quarterly --format pdf`: A4 portrait pages printed by Debian's Chromium, with the
demo marking on every page."""

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from survey.reports import pdf

A4_POINTS = (595.28, 841.89)  # 210 mm × 297 mm at 72 points per inch (ISO 216)
POINT_TOLERANCE = 1.0  # Chromium rounds the page box to whole CSS pixels


@pytest.fixture
def demo_wave(app, runner, tmp_path):
    """Seeded places and demo wave DEMO-2026Q4 (600 responses) with dossier counts."""
    app.config["REPORTS_DIR"] = str(tmp_path / "stored")
    for args in (["seed"], ["demo", "responses", "--wave", "DEMO-2026Q4", "--count", "600", "--seed", "3",
                            "--with-counts"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    return tmp_path


def test_pdf_is_a4_portrait_and_marked_as_demo_on_every_page(demo_wave, runner):
    if not pdf.CHROMIUM.exists():
        pytest.fail("Chromium is missing: `make chromium` installs Debian's chromium package")
    out = demo_wave / "out"
    result = runner.invoke(args=["report", "quarterly", "--wave", "DEMO-2026Q4", "--out", str(out),
                                 "--format", "pdf,json"])
    assert result.exit_code == 0, result.output
    assert str(out / "report.pdf") in result.output
    reader = PdfReader(io.BytesIO(Path(out / "report.pdf").read_bytes()))
    assert len(reader.pages) >= 3  # summary, 103 locality rows, charts and appendix
    for number, page in enumerate(reader.pages, start=1):
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert width == pytest.approx(A4_POINTS[0], abs=POINT_TOLERANCE), number
        assert height == pytest.approx(A4_POINTS[1], abs=POINT_TOLERANCE), number
        assert "DỮ LIỆU MÔ PHỎNG" in page.extract_text(), f"page {number} lacks the demo marking"
    text = reader.pages[0].extract_text()
    assert "Báo cáo Chỉ số hài lòng" in text and "DEMO-2026Q4" in text
    assert not (out / "report.html").exists()  # only the formats asked for


def test_pdf_of_a_first_day_says_interim_on_every_page(app, runner, tmp_path, block_draw):
    """A real wave's first day (five citizens at two desks, through the form): the PDF prints, and
    every page says the figures are interim ("Số liệu tạm tính, lập lúc …")."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    import time_machine

    from tests.survey.respond.conftest import Citizen

    if not pdf.CHROMIUM.exists():
        pytest.fail("Chromium is missing: `make chromium` installs Debian's chromium package")
    app.config["REPORTS_DIR"] = str(tmp_path / "stored")
    block_draw.seeded(5)
    day = dt.datetime(2026, 10, 1, 8, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    with time_machine.travel(day, tick=True):
        assert runner.invoke(args=["seed"]).exit_code == 0
    for k, centre in enumerate(["22015", "22015", "22015", "22051", "22051"]):
        with time_machine.travel(day + dt.timedelta(minutes=20 * k), tick=True):
            citizen = Citizen(app.test_client()).open(f"/q/{centre}").finish()
            assert citizen.status == 303
    out = tmp_path / "out"
    with time_machine.travel(day + dt.timedelta(hours=9), tick=True):
        result = runner.invoke(args=["report", "quarterly", "--wave", "2026Q4", "--out", str(out),
                                     "--format", "pdf"])
    assert result.exit_code == 0, result.output
    reader = PdfReader(io.BytesIO(Path(out / "report.pdf").read_bytes()))
    for number, page in enumerate(reader.pages, start=1):
        text = " ".join(page.extract_text().split())
        assert "Số liệu tạm tính, lập lúc 17:00 ngày 01/10/2026" in text, f"page {number}"
