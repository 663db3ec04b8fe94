"""Headless Chromium (Debian's package, driven by Playwright) against a live test server."""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: `make test` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def centre(db_session):
    """An open wave of the shipped SIPAS questionnaire and one desk to open it at."""
    from tests.factories import make_centre, make_field, make_wave

    make_wave(db_session)
    centre = make_centre(db_session)
    make_field(db_session)
    db_session.commit()
    return centre


def answer_page(page) -> dict[str, str]:
    """Answer every question on the page; return what was chosen."""
    chosen: dict[str, str] = {}
    for fieldset in page.locator("fieldset.q").all():
        code = fieldset.get_attribute("id").removeprefix("q-")
        radios = fieldset.locator("input[type=radio]")
        preferred = fieldset.locator("input[type=radio][value='4'], input[type=radio][value='co']")
        checked = fieldset.locator("input:checked")
        target = checked.first if checked.count() else (
            preferred.first if preferred.count() else radios.first)
        fieldset.locator(f"label[for='{target.get_attribute('id')}']").click()
        chosen[code] = target.get_attribute("value")
    for area in page.locator("textarea").all():
        area.fill("Thủ tục nhanh, cán bộ nhiệt tình.")
        chosen[area.get_attribute("name")] = "Thủ tục nhanh, cán bộ nhiệt tình."
    return chosen


def press(page, selector: str) -> None:
    """Click a submit button and wait for the page it leads to (a count() does not wait)."""
    with page.expect_navigation():
        page.locator(selector).first.click()
