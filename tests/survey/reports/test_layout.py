"""Where things land when the report is printed or read on a phone (issue 25), measured in
Debian's Chromium: the demo stamp in the printed page's top margin, never over a number; the
locality table in rank order with its index column on screen at 390 px."""

import io
import re
import unicodedata

import pytest
from pypdf import PdfReader

from survey.reports import pdf
from survey.reports.render import to_html

pytestmark = pytest.mark.slow

MM = 72 / 25.4  # PDF points per millimetre
TOP_MARGIN_MM = 14  # `@page { margin: 14mm 12mm }` in reports/_style.css
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


@pytest.fixture(scope="module")
def phone_page():
    if not pdf.CHROMIUM.exists():
        pytest.fail("Chromium is missing: `make chromium` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(pdf.CHROMIUM), args=pdf.CHROMIUM_ARGS,
                                             headless=True)
        page = browser.new_page(viewport=PHONE)
        yield page
        browser.close()


def test_the_locality_table_is_in_rank_order_with_the_index_on_a_phone(app, report, phone_page):
    document = report.as_dict()
    with app.test_request_context():
        phone_page.set_content(to_html(document, {}), wait_until="load")
    rows = phone_page.eval_on_selector_all("table.localities tbody tr", """rows => rows.map(row => {
        const index = row.querySelector('td.index').getBoundingClientRect();
        return {code: row.dataset.code, rank: row.cells[0].textContent.trim(),
                name: row.querySelector('th').textContent.trim(),
                index: row.querySelector('td.index').textContent.trim(), left: index.left, right: index.right};
    })""")
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
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
