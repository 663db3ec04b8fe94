"""Print the self-contained report.html to an A4 portrait PDF with headless Chromium.

The renderer is Debian's Chromium (`make chromium` installs it) driven by Playwright, the
same browser the tests use. Nothing else is needed: the HTML already carries its print
stylesheet (A4 portrait margins, and for a demo wave a "DỮ LIỆU MÔ PHỎNG" stamp in the top
margin of every printed page, a page-margin box) and its charts inline, so no request leaves the
machine.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

CHROMIUM = Path(os.environ.get("SURVEY_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
MISSING_CHROMIUM = ("Không xuất được PDF: máy chưa có trình duyệt Chromium ({path}). "
                    "Cài bằng lệnh `make chromium` (gói chromium của Debian), rồi chạy lại; "
                    "hoặc bỏ pdf khỏi --format.")
MISSING_PLAYWRIGHT = ("Không xuất được PDF: thiếu gói Python playwright. "
                      "Cài lại môi trường bằng `make run` (hoặc `pip install playwright`), rồi chạy lại.")


class PdfUnavailable(RuntimeError):
    """The PDF renderer is not installed; the message says (in Vietnamese) what to install."""


def check_renderer() -> None:
    """Raise PdfUnavailable unless Playwright and Chromium are both installed."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        raise PdfUnavailable(MISSING_PLAYWRIGHT) from None
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        raise PdfUnavailable(MISSING_CHROMIUM.format(path=CHROMIUM))


def to_pdf(html: str) -> bytes:
    """The PDF of a self-contained report page: A4 portrait, backgrounds printed.

    Printed on a thread of its own: Playwright's sync API refuses to run where an asyncio
    loop is running (a caller inside an async server, a test process with a browser open).
    """
    check_renderer()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="report-pdf") as printer:
        return printer.submit(_print, html).result()


def _print(html: str) -> bytes:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page()
            page.set_content(html, wait_until="load")
            return page.pdf(format="A4", landscape=False, print_background=True, prefer_css_page_size=True)
        finally:
            browser.close()
