"""A leader at `/l/<token>`: page by page, leave and come back, submit once, never twice."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import func, select

from survey.models import LeaderDraft, LeaderInvitation, LeaderResponse, Wave, WaveStatus
from tests.survey.leaders.conftest import LEADERS, answer_all, page_answers, page_of

USED = "Phiếu đã được gửi. Trân trọng cảm ơn Ông/Bà."


def _count(db_session, model) -> int:
    db_session.expire_all()
    return db_session.scalar(select(func.count()).select_from(model))


def test_the_whole_questionnaire_is_stored_once_and_the_draft_deleted(client, db_session, tokens):
    response = answer_all(client, tokens[0], choice="a")
    assert response.status_code == 303
    again = client.get(response.headers["Location"])
    assert USED in again.get_data(as_text=True)
    stored = db_session.scalars(select(LeaderResponse)).one()
    assert stored.group_code == "lanh_dao_so" and stored.unit_type == "so"
    assert stored.answers == {item.code: "a" for item in LEADERS.graded_items}
    assert _count(db_session, LeaderDraft) == 0
    invitation = db_session.scalars(select(LeaderInvitation).where(
        LeaderInvitation.completed_on.is_not(None))).one()
    assert invitation.completed_on == stored.submitted_on
    assert invitation.opened_on is not None


def test_a_leader_leaves_and_comes_back_to_the_same_page_and_answers(client, db_session, tokens):
    client.get(f"/l/{tokens[1]}")
    client.post(f"/l/{tokens[1]}", data={"page": 0, "action": "next", **page_answers(0, "c")})
    client.post(f"/l/{tokens[1]}", data={"page": 1, "action": "next", **page_answers(1, "d")})
    # a new browser (no cookie of any kind) opens the same link later
    html = client.application.test_client().get(f"/l/{tokens[1]}").get_data(as_text=True)
    assert page_of(html) == 2
    html = client.post(f"/l/{tokens[1]}", data={"page": 2, "action": "back"}).get_data(as_text=True)
    assert page_of(html) == 1
    for code in page_answers(1):
        assert _checked(html, code, "d"), code
    draft = db_session.get(LeaderDraft, db_session.scalar(select(LeaderInvitation.id).where(
        LeaderInvitation.opened_on.is_not(None))))
    assert draft.answers == {**page_answers(0, "c"), **page_answers(1, "d")}
    assert _count(db_session, LeaderResponse) == 0


def _checked(html: str, name: str, value: str) -> bool:
    return re.search(rf'<input checked [^>]*name="{name}" [^>]*value="{value}"', html) is not None


def test_a_page_with_a_missing_answer_is_shown_again_with_the_error(client, tokens):
    client.get(f"/l/{tokens[0]}")
    answers = page_answers(0)
    answers.pop("cd1")
    response = client.post(f"/l/{tokens[0]}", data={"page": 0, "action": "next", **answers})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and page_of(html) == 0
    assert "Ông/Bà vui lòng chọn một phương án" in html and 'href="#q-cd1"' in html


def test_a_used_token_says_it_was_sent_and_a_resend_stores_nothing(client, db_session, tokens):
    answer_all(client, tokens[2])
    assert USED in client.get(f"/l/{tokens[2]}").get_data(as_text=True)
    last = len(LEADERS.pages) - 1
    resent = client.post(f"/l/{tokens[2]}", data={"page": last, "action": "submit",
                                                  **page_answers(last)})
    assert resent.status_code == 200 and USED in resent.get_data(as_text=True)
    assert _count(db_session, LeaderResponse) == 1
    assert _count(db_session, LeaderDraft) == 0


def test_a_double_tap_on_submit_stores_one_response(client, db_session, tokens):
    answer_all(client, tokens[3])
    last = len(LEADERS.pages) - 1
    second = client.post(f"/l/{tokens[3]}", data={"page": last, "action": "submit", **page_answers(last)})
    assert second.status_code == 200
    assert _count(db_session, LeaderResponse) == 1


def test_an_unknown_token_is_a_plain_404(client, tokens):
    for token in ("x" * 22, tokens[0][:-1] + ("A" if tokens[0][-1] != "A" else "B"), "<script>"):
        response = client.get(f"/l/{token}")
        assert response.status_code == 404
        assert "Không tìm thấy phiếu" in response.get_data(as_text=True)
    assert client.post("/l/" + "y" * 22, data={"page": "abc"}).status_code == 404


def test_a_closed_wave_gets_a_clear_page_and_its_drafts_are_deleted(client, db_session, tokens, leader_wave):
    client.get(f"/l/{tokens[1]}")
    client.post(f"/l/{tokens[1]}", data={"page": 0, "action": "next", **page_answers(0)})
    assert _count(db_session, LeaderDraft) == 1
    wave = db_session.get(Wave, leader_wave.id)
    wave.status = WaveStatus.CLOSED
    db_session.commit()
    for response in (client.get(f"/l/{tokens[0]}"), client.post(f"/l/{tokens[0]}", data={"page": 0})):
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and "không nhận phiếu" in html and leader_wave.code in html
    assert _count(db_session, LeaderDraft) == 0


def test_garbage_posts_never_fail(client, db_session, tokens):
    client.get(f"/l/{tokens[4]}")
    for data in ({"page": "-5"}, {"page": "999", "action": "submit"}, {"page": "1e9"},
                 {"page": 0, "cd1": "z", "action": "next"}, {"action": "weird"}):
        response = client.post(f"/l/{tokens[4]}", data=data)
        assert response.status_code == 200, data
    assert _count(db_session, LeaderResponse) == 0


def test_free_text_is_scrubbed_when_stored(client, db_session, tokens):
    last = len(LEADERS.pages) - 1
    client.get(f"/l/{tokens[5]}")
    for number in range(last):
        client.post(f"/l/{tokens[5]}", data={"page": number, "action": "next", **page_answers(number)})
    client.post(f"/l/{tokens[5]}", data={"page": last, "action": "submit", **page_answers(last),
                                         "other_comments": "Gọi tôi: 0912 345 678"})
    stored = db_session.scalars(select(LeaderResponse)).one()
    assert "0912" not in stored.answers["other_comments"]
    # the day only: a date, never a time of day
    assert type(stored.submitted_on) is dt.date


def test_simultaneous_submits_store_one_response_and_no_draft(client, db_session, tokens, live_server):
    """Four taps at once on the last page, through a threaded server: one response, no 500."""
    import threading
    import urllib.parse
    import urllib.request

    last = len(LEADERS.pages) - 1
    client.get(f"/l/{tokens[0]}")
    for number in range(last):
        client.post(f"/l/{tokens[0]}", data={"page": number, "action": "next", **page_answers(number)})
    body = urllib.parse.urlencode({"page": last, "action": "submit", **page_answers(last)}).encode()
    statuses: list[int] = []

    def tap() -> None:
        with urllib.request.urlopen(f"{live_server}/l/{tokens[0]}", data=body, timeout=30) as reply:
            statuses.append(reply.status)

    taps = [threading.Thread(target=tap) for _ in range(4)]
    for thread in taps:
        thread.start()
    for thread in taps:
        thread.join(timeout=60)
    assert statuses == [200] * 4
    assert _count(db_session, LeaderResponse) == 1
    assert _count(db_session, LeaderDraft) == 0
