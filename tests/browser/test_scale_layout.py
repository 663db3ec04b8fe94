"""An ordinal scale reads in one order: a column on a phone, a row on a wide screen (issue 25).

On a 390-px phone the five-level scale used to wrap into two columns read in zig-zag
(Rất không hài lòng | Không hài lòng / Bình thường | Hài lòng / …), so which level came after
which was ambiguous. Here each option's box, measured in headless Chromium, must follow the
scale's own order: strictly downwards in one column on a phone, strictly rightwards in one row
on a wide screen, for the citizens' likert items and the leaders' graded criteria alike.
"""

from __future__ import annotations

from functools import cache
from itertools import pairwise

import pytest

from survey.questionnaire import check_questionnaire
from tests.browser.conftest import answer_page, press
from tests.factories import LEADERS_FILE, SIPAS_FILE

# Layout only: where the boxes fall depends on the markup and the CSS, not on the database.
pytestmark = [pytest.mark.browser, pytest.mark.markup_only]

NARROW = {"width": 390, "height": 844}  # an ordinary phone
WIDE = {"width": 1280, "height": 800}
SLACK = 0.5  # CSS pixels: sub-pixel rounding between boxes laid out on one line
MIN_CONTRAST = 4.5  # WCAG 2.1 AA, text of normal size

BOXES = """fieldset => [...fieldset.querySelectorAll('.opts > label.opt')].map(label => {
    const box = label.getBoundingClientRect();
    return {x: box.left, y: box.top, right: box.right, bottom: box.bottom,
            text: label.textContent.trim(), clipped: label.scrollWidth > label.clientWidth + 1};
})"""


@cache
def _labels(path, code: str, language: str) -> list[str]:
    """The option labels of item ``code`` in the questionnaire file's order (the scale's order)."""
    questionnaire = check_questionnaire(path)[0]
    return [choice.label[language] for choice in questionnaire.items_by_code[code].choices.choices]


def _assert_reading_order(page, selector: str, path, prefix=lambda i: "", language: str = "vi") -> int:
    """Every scale matching ``selector`` on the page lies in its natural order; returns how many."""
    wide = page.viewport_size["width"] >= WIDE["width"]
    scales = page.locator(selector).all()
    for fieldset in scales:
        code = fieldset.get_attribute("id").removeprefix("q-")
        boxes = fieldset.evaluate(BOXES)
        expected = [prefix(i) + label for i, label in enumerate(_labels(path, code, language))]
        assert [box["text"] for box in boxes] == expected, code
        assert not any(box["clipped"] for box in boxes), code
        for before, after in pairwise(boxes):
            if wide:  # one row, left to right
                assert abs(after["y"] - before["y"]) <= SLACK, (code, before, after)
                assert after["x"] >= before["right"] - SLACK, (code, before, after)
            else:  # one column, top to bottom
                assert abs(after["x"] - before["x"]) <= SLACK, (code, before, after)
                assert after["y"] >= before["bottom"] - SLACK, (code, before, after)
        assert boxes[-1]["right"] <= page.viewport_size["width"], code
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    return len(scales)


@pytest.mark.parametrize("language", ["vi", "en"])  # English has the longest words
@pytest.mark.parametrize("viewport", [NARROW, WIDE], ids=["phone", "wide"])
def test_a_citizens_scale_reads_in_its_order(browser, live_server, centre, viewport, language):
    context = browser.new_context(viewport=viewport, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{live_server}/q/{centre.code}?lang={language}")
    measured = 0
    for _ in range(8):  # every mandatory page
        measured += _assert_reading_order(page, "fieldset.q.likert", SIPAS_FILE, language=language)
        if page.locator(".nav button[value=submit]").count():
            break
        answer_page(page)
        press(page, ".nav button[value=next]")
    context.close()
    assert measured >= 10  # the service elements' items, not one stray question


@pytest.mark.parametrize("viewport", [NARROW, WIDE], ids=["phone", "wide"])
def test_a_leaders_scale_reads_in_its_order(browser, live_server, db_session, viewport):
    from tests.factories import make_invitations, make_leader_wave

    wave = make_leader_wave(db_session)
    token = make_invitations(db_session, wave, {"lanh_dao_so": 1})[0]
    db_session.commit()
    context = browser.new_context(viewport=viewport, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{live_server}/l/{token}")
    press(page, "button[value=start]")
    measured = 0
    for _ in range(8):
        measured += _assert_reading_order(page, "fieldset.q.graded", LEADERS_FILE,
                                          prefix=lambda i: f"{'ABCDEFGH'[i]}. ")
        if page.locator(".nav button[value=submit]").count():
            break
        answer_page(page)
        press(page, ".nav button[value=next]")
    context.close()
    assert measured == 21  # every criterion of the PAR questionnaire


def _luminance(rgb: str) -> float:
    """WCAG 2.1 relative luminance of a computed 'rgb(r, g, b)' colour."""
    channels = [int(part) / 255 for part in rgb[rgb.index("(") + 1:rgb.index(")")].split(",")[:3]]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(foreground: str, background: str) -> float:
    light, dark = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_new_questions_are_announced_in_the_neutral_notice(browser, live_server, centre):
    """Answering 'co' reveals the feedback questions: news, not an error, and still legible."""
    context = browser.new_context(viewport=NARROW, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{live_server}/q/{centre.code}")
    while not page.locator("#q-feedback_made").count():
        answer_page(page)
        press(page, ".nav button[value=next]")
    answer_page(page)  # chooses 'co' for feedback_made: gy1–gy3 appear on this page
    page.evaluate("document.querySelectorAll('#q-gy1 input, #q-gy2 input, #q-gy3 input')"
                  ".forEach(input => { input.checked = false; })")
    press(page, ".nav button[value=next]")
    notice = page.locator("main .notice")
    assert notice.count() == 1 and page.locator("main .alert").count() == 0
    assert notice.get_attribute("role") == "status"
    assert "vừa hiện ra" in notice.inner_text()
    colours = notice.evaluate("""element => {
        const style = getComputedStyle(element), link = getComputedStyle(element.querySelector('a'));
        return [style.color, style.backgroundColor, link.color];
    }""")
    text, background, link = colours
    assert _contrast(text, background) >= MIN_CONTRAST, colours
    assert _contrast(link, background) >= MIN_CONTRAST, colours
    error_background = page.evaluate("""() => {
        const probe = document.createElement('div');
        probe.className = 'alert';
        document.querySelector('main').append(probe);
        return getComputedStyle(probe).backgroundColor;
    }""")
    assert error_background != background  # the two styles are told apart at a glance
    context.close()
