"""A shared desk tablet: the next citizen, pressing Back, never sees the previous one's answers.

The victim is the citizen who walked away from the tablet mid-questionnaire; the "attacker" is
simply the next person at the desk, pressing the browser's Back button until the questionnaire
comes back, and then choosing to continue it or to start anew.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import answer_page, press

pytestmark = pytest.mark.browser


def _walk_away_after_two_pages(browser, live_server, centre):
    """The previous citizen answers two pages on the tablet and leaves it on the third."""
    tablet = browser.new_context(viewport={"width": 800, "height": 1280})
    page = tablet.new_page()
    page.goto(f"{live_server}/q/{centre.code}")
    for _ in range(2):
        answer_page(page)
        press(page, ".nav button[value=next]")
    return tablet, page


def _press_back_to_the_questionnaires_first_page(page, live_server, centre) -> None:
    """Back twice, as one step (the pages between answered posts and are not kept, no-store)."""
    with page.expect_navigation():
        page.evaluate("history.go(-2)")
    assert page.url == f"{live_server}/q/{centre.code}"


@pytest.mark.parametrize("choice", ["Tiếp tục trả lời", "Bắt đầu phiếu mới"])
def test_the_next_person_after_back_sees_no_answer_of_the_previous_one(browser, live_server, centre, choice):
    tablet, page = _walk_away_after_two_pages(browser, live_server, centre)
    _press_back_to_the_questionnaires_first_page(page, live_server, centre)
    assert page.locator("h1").inner_text() == "Ông/Bà đang trả lời dở phiếu này"
    with page.expect_navigation():
        page.get_by_text(choice).click()

    assert page.locator("fieldset.q").count() > 0
    assert page.locator("input:checked").count() == 0
    assert page.locator("button[value=back]").count() == 0  # nothing earlier to go back to
    answer_page(page)
    press(page, ".nav button[value=next]")
    assert page.locator("input:checked").count() == 0  # the next page is blank too
    tablet.close()
