"""The citizen's path from the desk QR to one stored response."""

import re

import pytest
from sqlalchemy import func, select

from survey.models import Answer, Response
from survey.respond.state import load_state
from tests.survey.respond.conftest import Citizen, checked


def _responses(session):
    return session.scalar(select(func.count()).select_from(Response))


def test_desk_qr_to_one_stored_response(citizen, desk, db_session):
    wave, centre, field = desk
    citizen.open(f"/q/{centre.code}?f={field.code}")
    assert citizen.status == 200
    citizen.post("next")  # the field is asked beside the procedure, on page 2
    assert checked(citizen.html, "field", "ho_tich")
    citizen.finish()
    assert citizen.status == 303
    assert citizen.location.endswith("/cam-on?lang=vi")

    response = db_session.scalars(select(Response)).one()
    assert (response.wave_id, response.centre_id, response.channel) == (wave.id, centre.id, "desk")
    assert response.field.code == "ho_tich"
    stored = {a.item_code: a for a in response.answers}
    assert stored["tc1"].value == "4" and stored["tc1"].score == 4
    assert stored["field"].value == "ho_tich"
    assert stored["gy1"].score == 4  # shown because feedback_made == 'co'
    # the compact copies say what the answer rows say
    opinion = {"khong_gap": "0", None: "."}
    assert response.opinions == "".join(
        opinion.get(stored[c].value if c in stored else None, "1") for c in ("harassment", "informal_payment"))
    assert response.duration_seconds >= 0


def test_skip_logic_drops_hidden_answers(citizen, desk, db_session):
    _, centre, _ = desk
    citizen.open(f"/q/{centre.code}").finish({"feedback_made": "khong"})
    codes = set(db_session.scalars(select(Answer.item_code)))
    assert "feedback_made" in codes
    assert not codes & {"gy1", "gy2", "gy3"}


def test_items_revealed_by_an_answer_are_asked_where_the_citizen_is_with_javascript(citizen, desk):
    _, centre, _ = desk
    citizen.open(f"/q/{centre.code}")
    for _ in range(3):
        citizen.post("next")
    assert 'id="q-feedback_made"' in citizen.html and 'id="q-gy1"' not in citizen.html
    citizen.post("next", {"feedback_made": "co", "gy1": None, "gy2": None, "gy3": None}, js=True)
    assert load_state(citizen.state).page == 3
    # marked for the page's script to jump to, and linked from the notice
    assert re.search(r'<fieldset id="q-gy1" class="q likert new"', citizen.html)
    assert "Vui lòng trả lời thêm các câu vừa hiện ra." in citizen.html and 'href="#q-gy1"' in citizen.html


def test_items_revealed_by_an_answer_open_the_next_page_without_javascript(citizen, desk):
    _, centre, _ = desk
    citizen.open(f"/q/{centre.code}")
    for _ in range(3):
        citizen.post("next")
    citizen.post("next", {"feedback_made": "co", "gy1": None, "gy2": None, "gy3": None})
    state = load_state(citizen.state)
    assert state.page == 4 and state.carried == ("gy1", "gy2", "gy3")
    codes = citizen.visible_codes()
    assert codes[:3] == ["gy1", "gy2", "gy3"]  # at the top of the next page, before its own
    assert "Câu hỏi thêm theo câu trả lời" in citizen.html
    missing = citizen.post("next", {"gy2": None})  # still required where they are now
    assert load_state(missing.state).page == 4 and 'id="e-gy2"' in missing.html
    citizen.post("next", {"gy2": "3"})
    assert load_state(citizen.state).page == 5 and "gy1" not in citizen.visible_codes()


def test_required_item_error_is_vietnamese_and_linked(citizen, desk):
    _, centre, _ = desk
    citizen.open(f"/q/{centre.code}").post("next", {"tc2": None})
    assert citizen.status == 200
    assert 'id="e-tc2"' in citizen.html
    assert 'aria-describedby="e-tc2"' in citizen.html
    assert "Vui lòng chọn một câu trả lời." in citizen.html
    assert load_state(citizen.state).page == 0


def test_back_keeps_answers(citizen, desk):
    _, centre, _ = desk
    citizen.open(f"/q/{centre.code}").post("next", {"tc1": "2"})
    citizen.post("back")
    assert load_state(citizen.state).page == 0
    assert checked(citizen.html, "tc1", "2")


def test_language_switch_keeps_answers_and_translates(citizen, desk):
    _, centre, _ = desk
    citizen.open(f"/q/{centre.code}").post("next", {"tc1": "5"})
    citizen.post("lang:en")
    state = load_state(citizen.state)
    assert state.language == "en" and state.answers["tc1"] == "5"
    assert "Very satisfied" in citizen.html and 'lang="en"' in citizen.html


def test_double_tap_stores_exactly_one_response(citizen, desk, db_session, client):
    _, centre, _ = desk
    citizen.open(f"/q/{centre.code}")
    while 'value="submit"' not in citizen.html:
        citizen.post("next")
    last_state, last_csrf = citizen.state, citizen.csrf
    citizen.post("submit")
    assert citizen.status == 303
    answers = dict(citizen.answers)
    again = client.post("/s", data={"state": last_state, "csrf_token": last_csrf,
                                    "action": "submit", **answers})
    assert again.status_code == 303
    assert _responses(db_session) == 1


def test_closed_wave_shows_a_page_and_stores_nothing(citizen, desk, db_session):
    wave, centre, _ = desk
    citizen.open(f"/q/{centre.code}")
    while 'value="submit"' not in citizen.html:
        citizen.post("next")
    wave.status = "closed"
    db_session.commit()
    citizen.post("submit")
    assert "Đợt khảo sát chưa mở hoặc đã kết thúc" in citizen.html
    assert _responses(db_session) == 0
    assert "Đợt khảo sát chưa mở" in citizen.open(f"/q/{centre.code}").html


def test_a_wave_closing_mid_form_is_said_on_the_next_page(citizen, desk, db_session):
    wave, centre, _ = desk
    citizen.open(f"/q/{centre.code}")
    wave.status = "closed"
    db_session.commit()
    citizen.post("next")
    assert "Đợt khảo sát chưa mở hoặc đã kết thúc" in citizen.html
    assert _responses(db_session) == 0


def test_bare_address_and_reopened_form_address_explain_the_way_in(client, desk):
    home = client.get("/")
    assert home.status_code == 200 and "quét mã QR" in home.get_data(as_text=True)
    reopened = client.get("/s?lang=en")
    assert reopened.status_code == 200
    assert "Please open the survey again" in reopened.get_data(as_text=True)


def test_unknown_centre_is_a_friendly_404(citizen, desk):
    citizen.open("/q/khong-co")
    assert citizen.status == 404
    assert "Mã QR không hợp lệ" in citizen.html


def test_forged_state_is_refused_without_a_traceback(client, desk):
    response = client.post("/s", data={"state": "forged", "action": "next"})
    assert response.status_code == 400
    assert "Mã QR không hợp lệ" in response.get_data(as_text=True)


@pytest.mark.parametrize(("language", "message"), [("vi", "Lựa chọn không hợp lệ."), ("en", "Not a valid choice.")])
def test_a_tampered_choice_is_refused_in_the_citizens_language(citizen, desk, language, message):
    _, centre, _ = desk
    citizen.open(f"/q/{centre.code}?lang={language}")
    citizen.post("next", {"tc1": "9"})
    assert message in citizen.html


def test_kept_question_markup_never_shows_one_citizens_answer_to_another(app, desk):
    """Choice questions are rendered once per answer and reused (survey.respond.fragments):
    each citizen still sees their own answer checked, and only theirs."""
    _, centre, _ = desk
    first, second = Citizen(app.test_client()), Citizen(app.test_client())
    first.open(f"/q/{centre.code}").post("next", {"tc1": "2"}).post("back")
    second.open(f"/q/{centre.code}").post("next", {"tc1": "5"}).post("back")
    assert checked(first.html, "tc1", "2") and not checked(first.html, "tc1", "5")
    assert checked(second.html, "tc1", "5") and not checked(second.html, "tc1", "2")
    blank = Citizen(app.test_client()).open(f"/q/{centre.code}").post("next", {"tc1": ""})
    assert not re.search(r'<input checked [^>]*name="tc1"', blank.html)
    assert 'aria-invalid="true"' in blank.html  # the error state is kept apart from the answered one
