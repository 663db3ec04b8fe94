"""A citizen fills the SIPAS questionnaire on a phone, in a real headless Chromium."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey.models import Response
from tests.browser.conftest import PHONE, answer_page, press

pytestmark = pytest.mark.browser


def _walk(page, go_back_once: bool) -> dict[str, str]:
    answers: dict[str, str] = {}
    went_back = False
    for _ in range(20):
        answers.update(answer_page(page))
        submit = page.locator(".nav button[value=submit]")
        if submit.count():
            press(page, ".nav button[value=submit]")
            return answers
        if go_back_once and not went_back and page.locator("button[value=back]").count():
            press(page, "button[value=back]")
            went_back = True
            # the previous page still shows what was chosen
            assert page.locator("fieldset.q input:checked").count() >= 1
            continue
        press(page, ".nav button[value=next]")
    raise AssertionError("never reached the submit button")


def _stored(db_session) -> Response:
    db_session.expire_all()
    responses = db_session.scalars(select(Response)).all()
    assert len(responses) == 1
    return responses[0]


def test_phone_fills_every_page_goes_back_once_and_submits(browser, live_server, centre, db_session):
    context = browser.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{live_server}/q/{centre.code}?f=ho_tich")
    assert page.locator("progress").count() == 1
    answers = answer_page(page)
    press(page, ".nav button[value=next]")
    assert page.locator("input[name=field][value=ho_tich]").is_checked()  # pre-filled from the QR
    answers |= _walk(page, go_back_once=True)
    page.wait_for_url("**/cam-on**")
    assert "Xin cảm ơn" in page.locator("h1").inner_text()
    context.close()

    stored = {a.item_code: a.value for a in _stored(db_session).answers}
    assert stored == answers


def test_no_javascript_path_works(browser, live_server, centre, db_session):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server}/q/{centre.code}")
    answers = _walk(page, go_back_once=False)
    assert "Xin cảm ơn" in page.locator("h1").inner_text()
    context.close()
    response = _stored(db_session)
    assert {a.item_code: a.value for a in response.answers} == answers


def test_page_fits_320px_with_large_tap_targets(browser, live_server, centre):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(f"{live_server}/q/{centre.code}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    heights = page.eval_on_selector_all(
        "label.opt, .nav button", "els => els.map(e => e.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= 44
    # every scale is a fieldset with a legend, every radio has a label
    assert page.locator("fieldset.q").count() == page.locator("fieldset.q > legend").count()
    unlabelled = page.eval_on_selector_all(
        "input[type=radio]", "els => els.filter(e => !document.querySelector(`label[for='${e.id}']`)).length"
    )
    assert unlabelled == 0
    context.close()


def test_errors_are_shown_next_to_their_field(browser, live_server, centre):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server}/q/{centre.code}")
    page.locator(".nav button[value=next]").click()
    error = page.locator("#e-tc1")
    assert "Vui lòng chọn một câu trả lời." in error.inner_text()
    assert "e-tc1" in page.locator("#q-tc1").get_attribute("aria-describedby")
    page.locator("[role=alert] a[href='#q-tc1']").click()
    context.close()


def test_the_browsers_back_button_shows_no_stored_copy_of_a_page(browser, live_server, centre):
    """Citizen pages are `no-store`: Back cannot show a copy kept by the browser, which on a
    shared desk tablet would hold the previous citizen's answers. (A page re-posted after Back
    still gets the later answers from the server draft: tests/survey/respond/test_drafts.py.)"""
    from playwright.sync_api import Error as PlaywrightError

    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{live_server}/q/{centre.code}")
    for _ in range(2):  # answer pages 1-2, arrive on page 3
        answer_page(page)
        press(page, ".nav button[value=next]")
    with pytest.raises(PlaywrightError, match="ERR_CACHE_MISS"):
        page.go_back()  # page 2 was the answer to a post: nothing stored to show
    assert page.locator("fieldset.q input:checked").count() == 0
    context.close()


def test_enter_on_an_answer_moves_on_instead_of_switching_language(browser, live_server, centre):
    """Enter submits through the form's first button, which must be the page's own action."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server}/q/{centre.code}")
    answer_page(page)
    page.locator("#tc1-3").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.locator("progress").get_attribute("value") == "2"
    context.close()
