"""A leader, invited from an imported roster, answers on a phone in headless Chromium."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from survey.leaders.mix import waiting
from survey.models import LeaderDraft, LeaderInvitation, LeaderResponse, Wave
from tests.browser.conftest import PHONE, press
from tests.factories import make_leader_wave

pytestmark = pytest.mark.browser
ROSTER = "Nhóm,Đơn vị,Họ và tên,Điện thoại,Email\nlanh_dao_xa,UBND phường Buôn Ma Thuột,Y Khoa Niê,,\n"


def _choose(page, option: str) -> dict[str, str]:
    chosen = {}
    for fieldset in page.locator("fieldset.q").all():
        code = fieldset.get_attribute("id").removeprefix("q-")
        target = fieldset.locator(f"input[type=radio][value='{option}']")
        fieldset.locator(f"label[for='{target.get_attribute('id')}']").click()
        chosen[code] = option
    return chosen


def test_import_open_answer_leave_resume_submit_and_reuse(browser, live_server, app, runner,
                                                          db_session, tmp_path):
    wave = make_leader_wave(db_session)
    db_session.commit()
    roster = tmp_path / "danh-sach.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    assert runner.invoke(args=["leaders", "import", str(roster), "--wave", wave.code]).exit_code == 0
    app.config["PUBLIC_BASE_URL"] = live_server
    issued = runner.invoke(args=["leaders", "invitations", "--wave", wave.code, "--format", "csv"])
    # stdout only: the live server is on 127.0.0.1, so stderr carries the loopback warning
    link = next(csv.DictReader(io.StringIO(issued.stdout.lstrip("\ufeff"))))["Đường dẫn"]
    assert link.startswith(f"{live_server}/l/")

    context = browser.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(link)
    assert "Bắt đầu" in page.content()  # the landing page: nothing is opened until the leader presses
    press(page, "button[value=start]")
    assert page.url == f"{live_server}/l/"  # from here on, the token is in no address
    first = _choose(page, "b")
    press(page, ".nav button[value=next]")
    second = _choose(page, "c")
    press(page, ".nav button[value=next]")
    page.close()  # the leader leaves in the middle of the questionnaire

    other = browser.new_context(viewport=PHONE, locale="vi-VN")  # the link in another browser
    stranger = other.new_page()
    stranger.goto(link)
    press(stranger, "button[value=start]")
    assert stranger.locator("progress").get_attribute("value") == "1"
    assert not stranger.locator("input:checked").count()  # no draft opens without the leader's browser
    other.close()

    page = context.new_page()  # later, the leader's own browser
    page.goto(link)
    press(page, "button[value=start]")
    assert page.locator("progress").get_attribute("value") == "3"
    press(page, "button[value=back]")
    assert all(page.locator(f"input[name={code}][value=c]").is_checked() for code in second)
    press(page, ".nav button[value=next]")
    answers = {**first, **second}
    while not page.locator(".nav button[value=submit]").count():
        answers.update(_choose(page, "a"))
        press(page, ".nav button[value=next]")
    answers.update(_choose(page, "e"))
    page.locator("textarea").fill("Cần đẩy mạnh chuyển đổi số.")
    press(page, ".nav button[value=submit]")
    assert page.url == f"{live_server}/l/cam-on"
    assert "Phiếu đã được gửi" in page.content() and "Trân trọng cảm ơn Ông/Bà" in page.content()
    page.goto(link)  # the same link again
    press(page, "button[value=start]")
    assert "Không mở được phiếu" in page.content()
    context.close()

    db_session.expire_all()
    # the sheet waits in the mix for four more commune leaders; only the server's key opens it
    [(_, sheet)] = waiting(db_session, db_session.get(Wave, wave.id))["lanh_dao_xa"]
    assert sheet["answers"] == {**answers, "other_comments": "Cần đẩy mạnh chuyển đổi số."}
    assert db_session.scalars(select(LeaderResponse)).all() == []
    assert db_session.scalars(select(LeaderDraft)).all() == []
    invitation = db_session.scalars(select(LeaderInvitation)).one()
    assert invitation.opened and not invitation.completed


def test_each_letter_prints_on_one_a4_page(browser, runner, app, db_session, tmp_path):
    """Chromium prints the letters file (CSS inlined) to PDF: as many pages as letters."""
    import re

    from tests.factories import make_invitations

    wave = make_leader_wave(db_session)
    make_invitations(db_session, wave, {"lanh_dao_xa": 2, "dai_bieu_hdnd": 1})
    db_session.commit()
    app.config["PUBLIC_BASE_URL"] = "https://khaosat.daklak.gov.vn"
    letters = tmp_path / "thu-moi.html"
    result = runner.invoke(args=["leaders", "invitations", "--wave", wave.code, "--format", "html",
                                 "--out", str(letters)])
    assert result.exit_code == 0, result.output
    page = browser.new_page()
    page.goto(letters.as_uri())
    pdf = page.pdf(prefer_css_page_size=True)
    page.close()
    assert re.findall(rb"/Count (\d+)", pdf)[-1] == b"3"
