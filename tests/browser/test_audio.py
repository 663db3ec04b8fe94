"""Spoken questions in a real Chromium: a play control for every recorded question and option,
nothing fetched before play is pressed, and pressing it plays the recording without errors.

The recordings are tiny WAV files written by the test with Python's `wave` module
(tests/survey/media/recordings.py): a 0.2-second sine tone per file, 8 kHz mono 16-bit PCM.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import PHONE
from tests.survey.media.recordings import spoken_desk as recorded_desk

pytestmark = pytest.mark.browser

FIRST_PAGE_BUDGET = 30 * 1024
"""Bytes on the wire for the first page (HTML, CSS, JS): the budget in docs/benchmarks.md, issue 3."""


@pytest.fixture
def spoken_desk(db_session):
    """A desk whose open wave is SIPAS with every question and option recorded in Vietnamese."""
    centre, definition, _ = recorded_desk(db_session)
    return centre, definition


def _open(browser, url: str, viewport=PHONE):
    context = browser.new_context(viewport=viewport, locale="vi-VN")
    page = context.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    sizes: dict[str, int] = {}
    cdp.on("Network.loadingFinished", lambda event: sizes.__setitem__(event["requestId"], event["encodedDataLength"]))
    page.goto(url, wait_until="load")
    return context, page, requests, errors, sizes


def test_every_recorded_question_and_option_has_a_control_that_loads_nothing_until_pressed(browser, live_server,
                                                                                         spoken_desk):
    centre, definition = spoken_desk
    context, page, requests, errors, sizes = _open(browser, f"{live_server}/q/{centre.code}")
    items = definition.pages[0].items
    options = sum(len(item.choices.choices) for item in items if item.choices)
    assert page.get_by_label("Nghe câu hỏi", exact=True).count() == len(items)
    assert page.locator("audio[aria-label^='Nghe phương án ']").count() == options
    assert page.get_by_label("Nghe phương án Rất hài lòng").count() == sum(
        1 for item in items if item.choices and item.choices.name == "satisfaction")
    assert all(audio.get_attribute("preload") == "none" for audio in page.locator("audio").all())
    page.wait_for_timeout(500)  # a control that preloads would have asked by now; none may
    assert [url for url in requests if "/media/" in url] == []
    assert sum(sizes.values()) <= FIRST_PAGE_BUDGET
    assert errors == []

    first = page.get_by_label("Nghe câu hỏi", exact=True).first
    source = first.get_attribute("src")
    with page.expect_request(lambda request: request.url.endswith(source)):
        first.click(position={"x": 20, "y": 27})  # the play button, at the start of Chromium's control
    page.wait_for_function("audio => audio.readyState >= 2 && audio.error === null", arg=first.element_handle())
    assert first.evaluate("audio => !audio.paused || audio.ended")
    assert [url for url in requests if "/media/" in url] == [f"{live_server}{source}"]  # only the one pressed
    assert errors == []
    context.close()


def test_the_controls_fit_a_narrow_phone(browser, live_server, spoken_desk):
    centre, _ = spoken_desk
    context, page, *_ = _open(browser, f"{live_server}/q/{centre.code}", viewport={"width": 320, "height": 640})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    context.close()


@pytest.mark.markup_only
def test_the_recorded_page_and_the_recordings_page_pass_axe(browser, live_server, spoken_desk, db_session):
    """The play controls are named for screen readers (WCAG 2.1 AA, axe-core as in test_accessibility)."""
    from tests.browser.test_accessibility import _violations
    from tests.factories import DEFAULT_PASSWORD, make_user

    centre, _ = spoken_desk
    make_user(db_session, "quantri-ghi-am", "admin")
    db_session.commit()
    context, page, *_ = _open(browser, f"{live_server}/q/{centre.code}")
    found = _violations(page, "first page, recorded")
    context.close()
    context, page, *_ = _open(browser, f"{live_server}/auth/login", viewport={"width": 1024, "height": 768})
    page.fill("input[name=username]", "quantri-ghi-am")
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url("**/admin/**")
    page.goto(f"{live_server}/admin/questionnaires/sipas-2026/recordings")
    assert page.get_by_label("Nghe tc1.wav").count() == 1
    found += _violations(page, "recordings page")
    assert found == []
    context.close()
