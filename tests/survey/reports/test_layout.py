"""Where things land when the report is printed or read on a phone (issue 25), measured in
Debian's Chromium: the demo stamp in the printed page's top margin, never over a number; the
locality table in rank order with its index column on screen at 390 px."""

import io
import re
import unicodedata
from concurrent.futures import ThreadPoolExecutor

import pytest
from pypdf import PdfReader

from survey.reports import pdf
from survey.reports.render import to_html

# Print and screen layout of a built report, which no database changes.
pytestmark = [pytest.mark.slow, pytest.mark.markup_only]

MM = 72 / 25.4  # PDF points per millimetre
TOP_MARGIN_MM = 14  # `@page { margin: 14mm 12mm }` in reports/_style.css
BOTTOM_MARGIN_MM = 14
PHONE = {"width": 390, "height": 844}  # an ordinary phone, CSS pixels
STAMP = "DỮ LIỆU MÔ PHỎNG"


def _folded(name):
    """A name without its diacritics (đ as d), for Vietnamese alphabetical order."""
    decomposed = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _lines(page):
    """Each text run of a PDF page with its baseline's height from the page's foot, in points."""
    found = []

    def visit(text, cm, tm, _font, _size):
        if text.strip():  # the text matrix's origin through the current transformation matrix
            found.append((text.strip(), tm[4] * cm[1] + tm[5] * cm[3] + cm[5]))

    page.extract_text(visitor_text=visit)
    return found


def test_the_demo_stamp_is_printed_in_the_top_margin_of_every_page(app, report):
    assert report.is_demo
    with app.test_request_context():
        html = to_html(report.as_dict(), {})
    reader = PdfReader(io.BytesIO(pdf.to_pdf(html)))
    assert len(reader.pages) >= 3
    for number, page in enumerate(reader.pages, start=1):
        height = float(page.mediabox.height)
        margin_from = height - TOP_MARGIN_MM * MM
        lines = _lines(page)
        stamps = [y for text, y in lines if text == STAMP]
        assert stamps, f"page {number} lacks the stamp"
        assert all(y > margin_from for y in stamps), (number, stamps, margin_from)
        # the content stays below the margin: no number shares the stamp's band
        assert not [text for text, y in lines if y > margin_from and text != STAMP], number


LOCALITY_ROWS = """rows => rows.map(row => {
    const index = row.querySelector('td.index').getBoundingClientRect();
    return {code: row.dataset.code, rank: row.cells[0].textContent.trim(),
            name: row.querySelector('th').textContent.trim(),
            index: row.querySelector('td.index').textContent.trim(), left: index.left, right: index.right};
})"""


def _on_phone(html: str) -> tuple[list[dict], int]:
    """The locality rows as a 390-px phone lays them out, and the page's width. Run on a thread
    of its own, as `pdf.to_pdf` is: Playwright's sync API refuses a thread where another test's
    browser already runs its event loop."""
    if not pdf.CHROMIUM.exists():
        pytest.fail("Chromium is missing: `make chromium` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    def look():
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(pdf.CHROMIUM), args=pdf.CHROMIUM_ARGS,
                                                 headless=True)
            page = browser.new_page(viewport=PHONE)
            page.set_content(html, wait_until="load")
            rows = page.eval_on_selector_all("table.localities tbody tr", LOCALITY_ROWS)
            width = page.evaluate("document.documentElement.scrollWidth")
            browser.close()
            return rows, width

    with ThreadPoolExecutor(max_workers=1) as phone:
        return phone.submit(look).result()


def test_the_locality_table_is_in_rank_order_with_the_index_on_a_phone(app, report):
    document = report.as_dict()
    with app.test_request_context():
        rows, width = _on_phone(to_html(document, {}))
    by_code = {row["code"]: row for row in document["localities"]}
    assert sorted(r["code"] for r in rows) == sorted(by_code)
    ranks = [by_code[r["code"]]["rank"] for r in rows]
    ranked = [rank for rank in ranks if rank is not None]
    assert ranked and ranks[:len(ranked)] == sorted(ranked)  # rank 1 on top, every ranked first
    unranked = [r["name"] for r in rows[len(ranked):]]
    assert unranked and unranked == sorted(unranked, key=_folded)  # then by name
    for row in rows:
        assert 0 <= row["left"] and row["right"] <= PHONE["width"], row
        assert re.fullmatch(r"\d{1,3},\d%|–", row["index"]), row
    # the page itself does not scroll sideways: only the table's own box does
    assert width <= PHONE["width"]


def _pictures(page) -> list[tuple[float, float]]:
    """Each picture drawn on a PDF page: its bottom and top, in points from the page's foot."""
    found = []

    def visit(operator, operands, cm, tm):
        if operator == b"Do":  # the current matrix maps the unit square onto the picture
            found.append((cm[5], cm[5] + cm[3]))

    page.extract_text(visitor_operand_before=visit)
    return found


def test_every_chart_is_printed_whole_inside_one_page(app, report):
    """Each chart of the demo report lands inside one page's printed area (between the top and
    bottom margins), not cut by a page break nor running off the paper. (Chromium moves a picture
    that does not fit to the next page and shrinks one taller than a page; the print CSS keeps
    charts under a page's height, and this checks where they land.)"""
    from survey.reports.charts import render_all

    charts = render_all(report)
    assert len(charts) >= 5
    with app.test_request_context():
        html = to_html(report.as_dict(), charts)
    reader = PdfReader(io.BytesIO(pdf.to_pdf(html)))
    drawn = []
    for number, page in enumerate(reader.pages, start=1):
        height = float(page.mediabox.height)
        for bottom, top in _pictures(page):
            drawn.append(number)
            assert BOTTOM_MARGIN_MM * MM - 1 <= bottom < top <= height - TOP_MARGIN_MM * MM + 1, (number, bottom, top)
    assert len(drawn) == len(charts), (drawn, sorted(charts))
