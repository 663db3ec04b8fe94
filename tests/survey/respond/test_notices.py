"""Which notices are errors (red, role=alert) and which are news (neutral, role=status), issue 25.

"Vui lòng trả lời thêm các câu vừa hiện ra" used the red error style, so a citizen who had done
nothing wrong was told off. Red stays for answers to fix and for a survey not recorded.
"""

from __future__ import annotations

import re

from tests.factories import make_invitations, make_leader_wave
from tests.survey.leaders.conftest import page_answers, post, start

NOTICE = re.compile(r'<div class="(notice|alert)" role="(status|alert)">')


def _notices(html: str) -> list[tuple[str, str]]:
    return NOTICE.findall(html)


def test_new_questions_are_a_neutral_notice(citizen, desk):
    _, centre, _ = desk
    citizen.open(f"/q/{centre.code}")
    for _ in range(3):
        citizen.post("next")
    citizen.post("next", {"feedback_made": "co", "gy1": None, "gy2": None, "gy3": None}, js=True)
    assert "các câu vừa hiện ra" in citizen.html
    assert _notices(citizen.html) == [("notice", "status")]


def test_answers_to_fix_keep_the_error_style(citizen, desk):
    _, centre, _ = desk
    citizen.open(f"/q/{centre.code}")
    citizen.post("next", {"tc1": None})
    assert 'id="e-tc1"' in citizen.html
    assert _notices(citizen.html) == [("alert", "alert")]


def test_a_leaders_missing_answer_keeps_the_error_style(client, db_session):
    token = make_invitations(db_session, make_leader_wave(db_session), {"lanh_dao_so": 1})[0]
    db_session.commit()
    start(client, token)
    answers = page_answers(0)
    answers.pop("cd1")
    html = post(client, token, page=0, action="next", **answers).get_data(as_text=True)
    assert 'href="#q-cd1"' in html
    assert _notices(html) == [("alert", "alert")]


def test_a_page_without_a_notice_shows_neither(citizen, desk):
    _, centre, _ = desk
    citizen.open(f"/q/{centre.code}")
    assert 'id="q-tc1"' in citizen.html and _notices(citizen.html) == []
