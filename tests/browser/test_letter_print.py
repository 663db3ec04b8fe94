"""Each invitation letter prints on one A4 page, number, date and signature block included."""

from __future__ import annotations

import re

import pytest

from tests.factories import make_invitations, make_leader_wave

pytestmark = [pytest.mark.browser, pytest.mark.markup_only]

PDF_PAGE = re.compile(rb"/Type\s*/Page(?!s)")


@pytest.mark.parametrize("details", [
    (),
    ("--number", "125/SNV-CCHC", "--date", "2026-12-04", "--signer-title", "KT. GIÁM ĐỐC",
     "--signer-title", "PHÓ GIÁM ĐỐC", "--signer-name", "Nguyễn Thị Thanh Hương"),
], ids=["blanks", "filled"])
def test_every_letter_is_one_a4_page(browser, app, runner, db_session, tmp_path, details):
    wave = make_leader_wave(db_session)
    make_invitations(db_session, wave, {"lanh_dao_xa": 2, "dai_bieu_hdnd": 1})
    db_session.commit()
    app.config["PUBLIC_BASE_URL"] = "https://khaosat.daklak.gov.vn"
    out = tmp_path / "thu-moi.html"
    result = runner.invoke(args=["leaders", "invitations", "--wave", wave.code, "--format", "html",
                                 "--out", str(out), *details])
    assert result.exit_code == 0, result.output
    page = browser.new_page()
    page.goto(out.as_uri())
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    page.close()
    assert len(PDF_PAGE.findall(pdf)) == 3


def test_the_roster_page_with_the_letter_fields_passes_axe(browser, live_server, db_session):
    """The admin form that prints letters, with its four new fields, meets WCAG 2.1 AA."""
    from tests.browser.test_accessibility import _violations
    from tests.factories import DEFAULT_PASSWORD, make_user

    wave = make_leader_wave(db_session)
    make_user(db_session, "quantri", "admin")
    db_session.commit()
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    page.goto(f"{live_server}/auth/login")
    page.fill("input[name=username]", "quantri")
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url("**/admin/**")
    page.goto(f"{live_server}/admin/leaders/{wave.code}/roster")
    assert page.locator("input[name=signed_on][type=date]").count() == 1
    found = _violations(page, "roster with letter fields")
    context.close()
    assert not found, "\n".join(found)
