"""In a real browser: a citizen drawn for the policy block answers it as ordinary pages (with
"Không trả lời" on a question), one not drawn never meets it; each path takes the pages and the
taps its stated length counts."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey.models import Answer, Response
from survey.respond.length import path_lengths
from tests.browser.conftest import PHONE, answer_page, press
from tests.factories import SIPAS_FILE, shipped_questionnaire

pytestmark = pytest.mark.browser

QUESTIONNAIRE = shipped_questionnaire(SIPAS_FILE)
BLOCK = QUESTIONNAIRE.blocks[0]
BLOCK_ITEMS = {item.code for page in QUESTIONNAIRE.pages if page.code in BLOCK.pages for item in page.items}
NO_ANSWER_ON = "cs_ph5"  # one policy question answered "Không trả lời"


def _walk(page) -> tuple[list[str], set[str]]:
    """Answer every page and submit; the page titles met and the questions seen."""
    titles, seen = [], set()
    for _ in range(20):
        titles.append(page.locator("h1").inner_text())
        codes = {f.get_attribute("id").removeprefix("q-") for f in page.locator("fieldset.q").all()}
        seen |= codes
        if NO_ANSWER_ON in codes:
            fieldset = page.locator(f"#q-{NO_ANSWER_ON}")
            assert "Không trả lời" in fieldset.inner_text()
            no_answer = fieldset.locator("input[value='0']").get_attribute("id")
            fieldset.locator(f"label[for='{no_answer}']").click()
        answer_page(page)
        if page.locator(".nav button[value=submit]").count():
            assert not page.locator(".nav button[value=optional]").count()
            press(page, ".nav button[value=submit]")
            page.wait_for_url("**/cam-on**")
            return titles, seen
        press(page, ".nav button[value=next]")
    raise AssertionError("never reached the submit button")


@pytest.mark.parametrize("drawn", [False, True])
def test_each_path_through_the_form(browser, live_server, centre, db_session, block_draw, drawn):
    (block_draw.always if drawn else block_draw.never)()
    context = browser.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{live_server}/q/{centre.code}")
    note = page.locator("#assigned-note")
    lengths = path_lengths(QUESTIONNAIRE)
    length = lengths.assigned if drawn else lengths.unassigned
    if drawn:
        assert f"khoảng {length.minutes} phút" in note.inner_text()
    else:
        assert not note.count()
    titles, seen = _walk(page)
    context.close()

    assert len(dict.fromkeys(titles)) == length.pages  # a page shown again with revealed questions counts once
    block_titles = {QUESTIONNAIRE.text(QUESTIONNAIRE.pages[QUESTIONNAIRE.page_index(code)].title, "vi")
                    for code in BLOCK.pages}
    assert (block_titles <= set(titles)) is drawn and bool(block_titles & set(titles)) is drawn
    assert bool(seen & BLOCK_ITEMS) is drawn
    db_session.expire_all()
    response = db_session.scalar(select(Response))
    assert response.assigned_blocks == ([BLOCK.code] if drawn else [])
    stored = dict(db_session.execute(select(Answer.item_code, Answer.value)
                                     .where(Answer.response_id == response.id)).all())
    if drawn:
        assert stored[NO_ANSWER_ON] == "0" and BLOCK_ITEMS <= set(stored)
    else:
        assert not BLOCK_ITEMS & set(stored)
