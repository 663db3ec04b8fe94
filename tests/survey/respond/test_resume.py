"""Re-scanning the desk QR mid-form on the same phone offers to continue where it stopped."""

from __future__ import annotations

import html as htmllib
import re

from survey.respond.state import load_state


def _link(page: str, text: str) -> str:
    return htmllib.unescape(re.search(rf'href="([^"]+)">{text}</a>', page).group(1))


def test_rescan_offers_to_continue_with_the_answers_so_far(citizen, desk):
    _, centre, _ = desk
    citizen.open(f"/q/{centre.code}").post("next", {"tc1": "2"}).post("next")
    before = load_state(citizen.state)
    assert before.page == 2

    citizen.open(f"/q/{centre.code}")
    assert "Ông/Bà đang trả lời dở phiếu này" in citizen.html and "trang 3/" in citizen.html
    citizen.open(_link(citizen.html, "Tiếp tục trả lời"))
    resumed = load_state(citizen.state)
    assert (resumed.submission_id, resumed.page) == (before.submission_id, 2)
    assert resumed.answers["tc1"] == "2" and resumed.answers == before.answers

    citizen.finish()
    assert citizen.status == 303
    citizen.open(f"/q/{centre.code}")  # sent: the next scan starts a new questionnaire
    assert load_state(citizen.state).page == 0 and load_state(citizen.state).submission_id != before.submission_id


def test_restart_starts_a_new_questionnaire(citizen, desk):
    _, centre, _ = desk
    citizen.open(f"/q/{centre.code}").post("next")
    first = load_state(citizen.state)
    citizen.open(f"/q/{centre.code}")
    citizen.open(_link(citizen.html, "Bắt đầu phiếu mới"))
    fresh = load_state(citizen.state)
    assert fresh.page == 0 and fresh.answers == {} and fresh.submission_id != first.submission_id


def test_nothing_to_resume_at_another_centre_or_before_any_answer(citizen, desk, db_session):
    from tests.factories import make_centre, make_locality

    _, centre, _ = desk
    other = make_centre(db_session, make_locality(db_session, "24002", "Xã Hai"))
    db_session.commit()
    citizen.open(f"/q/{centre.code}")
    citizen.open(f"/q/{centre.code}")
    assert 'name="state"' in citizen.html  # nothing answered yet: no question asked
    citizen.post("next")
    citizen.open(f"/q/{other.code}")
    assert 'name="state"' in citizen.html and load_state(citizen.state).centre_code == other.code


def test_a_forged_resume_cookie_is_ignored(citizen, client, desk):
    _, centre, _ = desk
    client.set_cookie("sv_resume", "forged.value")
    citizen.open(f"/q/{centre.code}")
    assert citizen.status == 200 and load_state(citizen.state).page == 0


def test_odd_query_arguments_on_the_offer_are_harmless(citizen, desk):
    _, centre, _ = desk
    citizen.open(f"/q/{centre.code}").post("next")
    citizen.open(f"/q/{centre.code}?centre_code=x&new=0&f=ho_tich&_scheme=javascript&_external=0")
    assert citizen.status == 200 and "Tiếp tục trả lời" in citizen.html


# A shared desk tablet (attacker: none; the victim is the previous citizen, whose answers the
# next person at the same tablet must never see).

def _checked_count(page: str) -> int:
    return len(re.findall(r"<input checked ", page))


def test_continuing_shows_none_of_the_answers_given_before(citizen, desk):
    _, centre, _ = desk
    citizen.open(f"/q/{centre.code}").post("next", {"tc1": "2"}).post("next")
    before = load_state(citizen.state)
    citizen.open(f"/q/{centre.code}")
    citizen.open(_link(citizen.html, "Tiếp tục trả lời"))
    assert _checked_count(citizen.html) == 0 and 'value="back"' not in citizen.html
    resumed = load_state(citizen.state)
    assert resumed.floor == resumed.page == before.page
    citizen.post("back")  # a form posted with Back stays at the page it was resumed on
    assert load_state(citizen.state).page == before.page and 'value="back"' not in citizen.html
    citizen.finish()
    assert citizen.status == 303  # the earlier answers were kept for the response, out of sight


def test_nothing_to_continue_on_another_device(citizen, client, desk):
    _, centre, _ = desk
    citizen.open(f"/q/{centre.code}").post("next", {"tc1": "2"})
    client.set_cookie("sv_device", "another-tablet")  # the resume cookie copied to another device
    citizen.open(f"/q/{centre.code}")
    assert load_state(citizen.state).page == 0 and _checked_count(citizen.html) == 0


def test_nothing_to_continue_once_the_window_has_passed(app, citizen, desk, db_session):
    import datetime as dt

    from sqlalchemy import update

    from survey.clock import utcnow
    from survey.models import ResponseDraft

    _, centre, _ = desk
    citizen.open(f"/q/{centre.code}").post("next", {"tc1": "2"}).post("next")
    window = dt.timedelta(minutes=app.config["RESUME_MINUTES"])
    db_session.execute(update(ResponseDraft).values(updated_at=utcnow() - window - dt.timedelta(seconds=1)))
    db_session.commit()
    citizen.open(f"/q/{centre.code}")
    assert "Tiếp tục trả lời" not in citizen.html
    assert load_state(citizen.state).page == 0 and _checked_count(citizen.html) == 0


def test_a_page_posted_long_after_it_was_shown_starts_afresh(app, citizen, desk):
    """The next person re-sends the previous citizen's page from the browser's history."""
    import dataclasses
    import datetime as dt

    from survey.clock import utcnow
    from survey.respond.state import dump_state

    _, centre, _ = desk
    citizen.open(f"/q/{centre.code}").post("next", {"tc1": "2"}).post("next")
    previous = load_state(citizen.state)
    shown = utcnow() - dt.timedelta(minutes=app.config["RESUME_MINUTES"], seconds=1)
    old = dump_state(dataclasses.replace(previous, shown_at=shown.isoformat(timespec="seconds")))
    for action in ("next", "back"):
        citizen.post(action, state=old)
        fresh = load_state(citizen.state)
        assert citizen.status == 200 and "một phiếu mới được bắt đầu" in citizen.html
        assert fresh.page == 0 and fresh.submission_id != previous.submission_id
        assert _checked_count(citizen.html) == 0


def test_a_page_from_before_the_resume_that_lacks_an_answer_comes_back_blank(citizen, desk, db_session):
    """Sending a continued questionnaire whose earlier page lacks a required answer (a later
    answer revealed it) shows that page without the answers given there before the resume."""
    import dataclasses

    from survey.respond.drafts import remember
    from survey.respond.state import dump_state
    from tests.survey.respond.conftest import QUESTIONNAIRE

    _, centre, _ = desk
    citizen.open(f"/q/{centre.code}").to_last_page()
    whole = load_state(citizen.state)
    answers = {code: value for code, value in whole.answers.items() if code != "tc1"}
    resumed = dataclasses.replace(whole, answers=answers, floor=whole.page)
    remember(db_session, QUESTIONNAIRE, resumed)  # the draft as the resume left it
    citizen.post("submit", state=dump_state(resumed))
    shown = load_state(citizen.state)
    assert citizen.status == 200 and shown.page == 0 and shown.floor == 0
    assert _checked_count(citizen.html) == 0 and 'value="back"' not in citizen.html
