"""WCAG 2.1 A and AA checks by axe-core on every page a citizen sees, in headless Chromium.

axe-core (Deque, MPL-2.0) ships inside the axe-playwright-python wheel; it finds the machine-
checkable part of WCAG 2.1 AA: labels, fieldset/legend names, colour contrast, ARIA references,
landmarks, `lang`. Focus visibility and reading order still need a person with a keyboard.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import PHONE, answer_page, press

# axe audits the markup, the same on either database: the PostgreSQL run of `make test` leaves
# these out (the citizen and leader form tests in this folder still drive it through Chromium).
pytestmark = [pytest.mark.browser, pytest.mark.markup_only]

# Only the violations come back: axe otherwise serialises every passing and inapplicable node too.
WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
              "resultTypes": ["violations"]}


def _violations(page, where: str) -> list[str]:
    """axe's WCAG 2.1 AA violations on the page, each as 'where: rule (impact) ×nodes'."""
    # The app's CSP forbids inline script; axe is injected through the DevTools protocol,
    # which CSP does not govern, so the page is checked under its real headers.
    results = Axe().run(page, options=WCAG_21_AA)
    return [
        f"{where}: {v['id']} ({v['impact']}) ×{len(v['nodes'])}: {v['nodes'][0]['target']}"
        for v in results.response["violations"]
    ]


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_citizen_page_passes_axe(browser, live_server, centre, language):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{live_server}/q/{centre.code}?lang={language}")
    found = []

    press(page, ".nav button[value=next]")  # nothing answered: errors are shown
    assert page.locator("[role=alert]").count() >= 1
    found += _violations(page, "first page with errors")

    for number in range(1, 20):
        found += _violations(page, f"page {number}")
        answer_page(page)
        submit = page.locator(".nav button[value=submit]")
        if submit.count():
            press(page, ".nav button[value=submit]")
            break
        press(page, ".nav button[value=next]")
    page.wait_for_url("**/cam-on**")
    found += _violations(page, "thank-you page")

    page.goto(f"{live_server}/r/not-a-token?lang={language}")
    found += _violations(page, "invalid receipt page")
    page.goto(f"{live_server}/m?lang={language}&ma=ZZZZ-ZZZZ")
    found += _violations(page, "typed receipt code, not found")

    page.goto(f"{live_server}/q/{centre.code}?lang={language}")  # start again, stop after page 1
    answer_page(page)
    press(page, ".nav button[value=next]")
    page.goto(f"{live_server}/q/{centre.code}?lang={language}")
    assert page.locator("a[href*='resume=1']").count() == 1
    found += _violations(page, "offer to resume")
    context.close()
    assert not found, "\n".join(found)


def test_axe_catches_an_unlabelled_answer(browser, live_server, centre):
    """Guard against a silent harness: a radio stripped of its label must be reported."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server}/q/{centre.code}")
    assert _violations(page, "intact page") == []
    page.eval_on_selector("label[for='tc1-0']", "label => label.replaceWith(label.querySelector('input'))")
    found = _violations(page, "broken page")
    context.close()
    assert any("label" in line and "critical" in line for line in found), found


def test_staff_pages_pass_axe(browser, live_server, centre, db_session):
    """Officials use the admin side on phones and desktops; the same WCAG 2.1 AA checks apply."""
    from tests.factories import DEFAULT_PASSWORD, make_user

    make_user(db_session, "quantri", "admin")
    db_session.commit()
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    page.goto(f"{live_server}/auth/login")
    found = _violations(page, "login")
    page.fill("input[name=username]", "quantri")
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url("**/admin/**")
    pages = sorted({link.get_attribute("href") for link in page.locator("nav a").all()} - {None})
    assert len(pages) >= 10
    for path in [*pages, "/admin/centres/new", "/admin/users/new", "/admin/waves/new", "/auth/password"]:
        if "logout" not in path:
            page.goto(f"{live_server}{path}")
            found += _violations(page, path)
    page.set_viewport_size(PHONE)  # the monitor turns into one card per centre on a phone
    page.goto(f"{live_server}/admin/monitor")
    found += _violations(page, "monitor on a phone")
    assert page.eval_on_selector("table.monitor tbody tr", "tr => getComputedStyle(tr).display") == "block"
    assert page.evaluate("document.querySelector('table.monitor').scrollWidth") <= PHONE["width"]
    context.close()
    assert not found, "\n".join(found)


def test_every_leader_page_passes_axe(browser, live_server, db_session):
    from tests.factories import make_invitations, make_leader_wave

    wave = make_leader_wave(db_session)
    token = make_invitations(db_session, wave, {"lanh_dao_so": 1})[0]
    db_session.commit()
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{live_server}/l/{token}")
    found = _violations(page, "leader: landing page")
    press(page, "button[value=start]")
    press(page, ".nav button[value=next]")  # nothing answered: errors are shown
    assert page.locator("[role=alert]").count() >= 1
    found += _violations(page, "leader page with errors")
    for number in range(1, 20):
        found += _violations(page, f"leader page {number}")
        answer_page(page)
        if page.locator(".nav button[value=submit]").count():
            press(page, ".nav button[value=submit]")
            break
        press(page, ".nav button[value=next]")
    found += _violations(page, "leader: sent")
    page.goto(f"{live_server}/l/not-a-token-at-all-xyz")
    press(page, "button[value=start]")
    found += _violations(page, "leader: unknown, used or replaced link")
    context.close()
    assert not found, "\n".join(found)
