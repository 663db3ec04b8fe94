"""In a real browser: the poster's length is the measured one, revealed questions are brought to
the citizen, and re-scanning the QR mid-form continues where the citizen stopped."""

from __future__ import annotations

import pytest

from survey.questionnaire.versions import questionnaire_of
from survey.respond.length import path_lengths
from tests.browser.conftest import PHONE, press

pytestmark = pytest.mark.browser


def _tap_answers(page, branch: dict[str, str]) -> int:
    """Answer every question shown as the usual path does; return the taps made."""
    taps = 0
    for fieldset in page.locator("fieldset.q").all():
        code = fieldset.get_attribute("id").removeprefix("q-")
        value = branch.get(code)
        radio = fieldset.locator(f"input[value='{value}']" if value else "input").first
        fieldset.locator(f"label[for='{radio.get_attribute('id')}']").click()
        taps += 1
    return taps


def _open_results_page(page, live_server, centre) -> None:
    """Open the form and go to the page that asks whether the citizen gave feedback."""
    page.goto(f"{live_server}/q/{centre.code}")
    while not page.locator("#q-feedback_made").count():
        _tap_answers(page, {})
        press(page, ".nav button[value=next]")


def test_poster_states_the_measured_length(browser, live_server, centre, client):
    """Walk the usual path tapping like a citizen; the count and the pages match the model
    whose minutes the poster prints, and page 1 fits in three phone screens."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{live_server}/q/{centre.code}")
    first_page_height = page.evaluate("document.documentElement.scrollHeight")
    taps = pages = 0
    for _ in range(20):
        taps += _tap_answers(page, {"feedback_made": "khong"})
        pages += 1
        taps += 1
        if page.locator(".nav button[value=submit]").count():
            press(page, ".nav button[value=submit]")
            break
        press(page, ".nav button[value=next]")
    page.wait_for_url("**/cam-on**")
    context.close()

    length = path_lengths(questionnaire_of(centre_wave(client))).unassigned  # tests draw no block
    assert (taps, pages) == (length.taps, length.pages)
    # Three screens, not two, since issue 25: a scale in one column (its order unambiguous) with
    # 44-px targets makes page 1's four six-option questions about 2.7 screens high.
    assert first_page_height <= 3 * PHONE["height"], f"page 1 is {first_page_height}px high"
    from survey.extensions import db
    from tests.factories import login, make_user

    make_user(db.session, "quan-tri-poster")
    db.session.commit()
    login(client, "quan-tri-poster")
    poster = client.get(f"/admin/centres/{centre.id}/poster").get_data(as_text=True)
    assert f"khoảng {length.minutes} phút" in poster


def centre_wave(client):
    from survey.extensions import db
    from survey.respond.flow import open_citizen_wave

    return open_citizen_wave(db.session)


@pytest.mark.markup_only  # the page's own script; the answers so far travel in the page
def test_revealed_questions_are_jumped_to_and_highlighted(browser, live_server, centre):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    _open_results_page(page, live_server, centre)
    _tap_answers(page, {"feedback_made": "co"})
    press(page, ".nav button[value=next]")
    first_new = page.locator("#q-gy1")
    assert "highlight" in first_new.get_attribute("class")
    box = first_new.bounding_box()
    assert 0 <= box["y"] < PHONE["height"] / 2, f"the new question is at {box['y']}px, not in view"
    assert page.evaluate("document.activeElement.id") == "q-gy1"
    context.close()


@pytest.mark.markup_only  # the answers so far travel in the page, not the database
def test_without_javascript_revealed_questions_open_the_next_page(browser, live_server, centre):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    _open_results_page(page, live_server, centre)
    title = page.locator("h1").inner_text()
    _tap_answers(page, {"feedback_made": "co"})
    press(page, ".nav button[value=next]")
    assert page.locator("h1").inner_text() != title
    assert page.locator("fieldset.q").first.get_attribute("id") == "q-gy1"
    context.close()


def test_rescanning_the_desk_qr_offers_to_continue(browser, live_server, centre):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{live_server}/q/{centre.code}")
    _tap_answers(page, {})
    chosen = page.locator("#q-tc1 input:checked").get_attribute("value")
    press(page, ".nav button[value=next]")
    page.goto(f"{live_server}/q/{centre.code}")  # the QR scanned again on the same phone
    assert "đang trả lời dở" in page.locator("h1").inner_text()
    with page.expect_navigation():
        page.get_by_text("Tiếp tục trả lời").click()
    assert page.locator("progress").get_attribute("value") == "2"
    # The first page's answers are kept but never shown again: on a shared desk tablet they may
    # be another person's (tests/browser/test_shared_tablet.py). So there is no Back to them.
    assert page.locator("button[value=back]").count() == 0
    assert page.locator("input:checked").count() == 0
    assert chosen  # answered before the rescan, kept for the response out of sight
    context.close()
