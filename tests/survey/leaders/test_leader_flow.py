"""A leader at `/l/<token>`: landing page, page by page, leave and come back, submit once, never twice."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from survey.leaders.mix import waiting
from survey.leaders.tokens import hash_token
from survey.models import Answer, LeaderDraft, LeaderInvitation, LeaderResponse, LeaderSealed, Wave
from tests.factories import make_invitations
from tests.survey.leaders.conftest import (
    LEADERS,
    UNUSABLE,
    answer_all,
    close,
    device_of,
    opens,
    page_answers,
    page_of,
    post,
    start,
)

SENT = "Phiếu đã được gửi"


def _count(db_session, model) -> int:
    db_session.expire_all()
    return db_session.scalar(select(func.count()).select_from(model))


def _answers_of(db_session) -> dict:
    """Each released leader's answers, from the answer rows, by leader response."""
    answers: dict = {}
    for owner, code, value in db_session.execute(select(Answer.leader_response_id, Answer.item_code, Answer.value)
                                                 .where(Answer.leader_response_id.is_not(None))):
        answers.setdefault(owner, {})[code] = value
    return answers


def test_a_released_leaders_answers_are_answer_rows_of_no_citizens_response(client, db_session, leader_wave):
    """The one answer store: a released sheet's answers are rows of `answer` with its leader's
    response and no citizen's, the comment scrubbed as for citizens, graded options with no
    score (they earn shares of points, not 1–5); no row may belong to both kinds or to none."""
    tokens = make_invitations(db_session, leader_wave, {"lanh_dao_xa": 5})
    db_session.commit()
    last = len(LEADERS.pages) - 1
    for number, token in enumerate(tokens):
        start(client, token)
        for page in range(last + 1):
            extra = {"other_comments": "Gọi tôi 0912345678"} if page == last and number == 0 else {}
            post(client, token, page=page, action="submit" if page == last else "next",
                 **page_answers(page, "abcde"[number]), **extra)
    close(db_session, leader_wave)
    from survey.clock import local_today
    from survey.leaders.store import settle

    settle(db_session, db_session.get(Wave, leader_wave.id), local_today())
    rows = db_session.scalars(select(Answer).where(Answer.leader_response_id.is_not(None))).all()
    graded = {item.code for item in LEADERS.graded_items}
    assert len(rows) == 5 * len(graded) + 1
    assert all(row.response_id is None and row.response is None for row in rows)
    assert {row.score for row in rows} == {None}
    by_choice = sorted({row.value for row in rows if row.item_code in graded})
    assert by_choice == ["a", "b", "c", "d", "e"]
    comment = next(row for row in rows if row.item_code == "other_comments")
    assert "0912345678" not in comment.value and comment.value.startswith("Gọi tôi")
    assert set(_answers_of(db_session)) == set(db_session.scalars(select(LeaderResponse.id)))
    owner = rows[0].leader_response_id
    for both_or_none in ({"leader_response_id": owner, "response_id": uuid.uuid4()}, {}):
        with pytest.raises(IntegrityError), db_session.begin_nested():
            db_session.execute(insert(Answer.__table__).values(item_code="x", value="a", **both_or_none))


def test_a_sheet_waits_in_the_mix_and_is_stored_once_with_its_block(client, db_session, leader_wave):
    tokens = make_invitations(db_session, leader_wave, {"truong_phong": 5})
    db_session.commit()
    response = answer_all(client, tokens[0], choice="a")
    assert response.status_code == 303 and response.headers["Location"].endswith("/l/cam-on")
    assert SENT in client.get(response.headers["Location"]).get_data(as_text=True)
    assert _count(db_session, LeaderSealed) == 1 and _count(db_session, LeaderResponse) == 0
    assert _count(db_session, LeaderDraft) == 0
    invitation = db_session.scalar(select(LeaderInvitation).where(
        LeaderInvitation.token_hash == hash_token(tokens[0])))
    assert invitation.opened and not invitation.completed
    for token in tokens[1:]:
        answer_all(client, token, choice="b")
    close(db_session, leader_wave)
    assert start(client, tokens[0]).status_code == 200  # any request settles nothing by itself
    from survey.clock import local_today
    from survey.leaders.store import settle

    settle(db_session, db_session.get(Wave, leader_wave.id), local_today())
    stored = db_session.scalars(select(LeaderResponse)).all()
    assert len(stored) == 5 and {r.group_code for r in stored} == {"truong_phong"}
    answers = _answers_of(db_session)
    assert set(answers) == {r.id for r in stored}
    assert sorted(sheet["cd1"] for sheet in answers.values()) == ["a", "b", "b", "b", "b"]
    assert [sheet for sheet in answers.values() if sheet["cd1"] == "a"] == [
        {item.code: "a" for item in LEADERS.graded_items}]
    assert _count(db_session, LeaderSealed) == 0
    db_session.expire_all()
    assert all(i.completed for i in db_session.scalars(select(LeaderInvitation)))


def test_a_leader_leaves_and_comes_back_to_the_same_page_and_answers(client, db_session, tokens):
    start(client, tokens[1])
    post(client, tokens[1], page=0, action="next", **page_answers(0, "c"))
    post(client, tokens[1], page=1, action="next", **page_answers(1, "d"))
    # another browser with the same link (the letter's QR on another phone) starts afresh ...
    html = start(client.application.test_client(), tokens[1]).get_data(as_text=True)
    assert page_of(html) == 0 and "checked" not in html
    # ... and the leader's own browser, later, finds the page and the answers it left
    html = start(client, tokens[1]).get_data(as_text=True)
    assert page_of(html) == 2
    html = post(client, tokens[1], page=2, action="back").get_data(as_text=True)
    assert page_of(html) == 1
    for code in page_answers(1):
        assert _checked(html, code, "d"), code
    assert _count(db_session, LeaderDraft) == 1
    assert _count(db_session, LeaderSealed) == 0 and _count(db_session, LeaderResponse) == 0


def _checked(html: str, name: str, value: str) -> bool:
    return re.search(rf'<input checked [^>]*name="{name}" [^>]*value="{value}"', html) is not None


def test_a_page_with_a_missing_answer_is_shown_again_with_the_error(client, tokens):
    start(client, tokens[0])
    answers = page_answers(0)
    answers.pop("cd1")
    response = post(client, tokens[0], page=0, action="next", **answers)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and page_of(html) == 0
    assert "Ông/Bà vui lòng chọn một phương án" in html and 'href="#q-cd1"' in html


def test_a_used_link_opens_nothing_and_a_resend_stores_nothing(client, db_session, tokens):
    answer_all(client, tokens[2])
    assert not opens(client, tokens[2])
    last = len(LEADERS.pages) - 1
    resent = post(client, tokens[2], page=last, action="submit", **page_answers(last))
    assert resent.status_code == 200 and UNUSABLE in resent.get_data(as_text=True)
    assert _count(db_session, LeaderSealed) == 1
    assert _count(db_session, LeaderDraft) == 0


def test_a_double_tap_on_submit_stores_one_sheet(client, db_session, tokens):
    answer_all(client, tokens[3])
    last = len(LEADERS.pages) - 1
    second = post(client, tokens[3], page=last, action="submit", **page_answers(last))
    assert second.status_code == 200 and "phiếu đã được nhận" in second.get_data(as_text=True)
    assert _count(db_session, LeaderSealed) == 1


def test_an_unknown_token_gets_the_landing_page_then_the_one_unusable_page(client, tokens):
    for token in ("x" * 22, tokens[0][:-1] + ("A" if tokens[0][-1] != "A" else "B"), "<script>"):
        landing = client.get(f"/l/{token}")
        assert landing.status_code == 200 and "Bắt đầu" in landing.get_data(as_text=True)
        assert not opens(client, token)
    assert UNUSABLE in post(client, "y" * 22, page="abc").get_data(as_text=True)


def test_a_closed_wave_gets_the_unusable_page_and_its_drafts_are_deleted(client, db_session, tokens,
                                                                       leader_wave):
    start(client, tokens[1])
    post(client, tokens[1], page=0, action="next", **page_answers(0))
    assert _count(db_session, LeaderDraft) == 1
    close(db_session, leader_wave)
    for response in (start(client, tokens[0]), post(client, tokens[0], page=0)):
        assert response.status_code == 200 and UNUSABLE in response.get_data(as_text=True)
    assert _count(db_session, LeaderDraft) == 0


def test_garbage_posts_never_fail(client, db_session, tokens):
    start(client, tokens[4])
    for data in ({"page": "-5"}, {"page": "999", "action": "submit"}, {"page": "1e9"},
                 {"page": 0, "cd1": "z", "action": "next"}, {"action": "weird"}):
        response = post(client, tokens[4], **data)
        assert response.status_code == 200, data
    assert client.post("/l/", data={}).status_code == 200
    assert client.post("/l/", data={"token": "é" * 30}).status_code == 200
    assert _count(db_session, LeaderSealed) == 0


def test_free_text_is_scrubbed_when_sealed(client, db_session, leader_wave, tokens):
    last = len(LEADERS.pages) - 1
    start(client, tokens[5])
    for number in range(last):
        post(client, tokens[5], page=number, action="next", **page_answers(number))
    post(client, tokens[5], page=last, action="submit", **page_answers(last),
         other_comments="Gọi tôi: 0912 345 678")
    [(_, sheet)] = waiting(db_session, db_session.get(Wave, leader_wave.id))["lanh_dao_xa"]
    assert "0912" not in sheet["answers"]["other_comments"]


def test_simultaneous_submits_store_one_sheet_and_no_draft(client, db_session, tokens, live_server):
    """Four taps at once on the last page, through a threaded server: one sheet, no 500."""
    import threading
    import urllib.parse
    import urllib.request

    last = len(LEADERS.pages) - 1
    start(client, tokens[0])
    for number in range(last):
        post(client, tokens[0], page=number, action="next", **page_answers(number))
    body = urllib.parse.urlencode({"token": tokens[0], "page": last, "action": "submit",
                                   **page_answers(last)}).encode()
    cookie = {"Cookie": f"sv_leader_device={device_of(client)}"}  # the same browser
    statuses: list[int] = []

    def tap() -> None:
        request = urllib.request.Request(f"{live_server}/l/", data=body, headers=cookie)
        with urllib.request.urlopen(request, timeout=30) as reply:
            statuses.append(reply.status)

    taps = [threading.Thread(target=tap) for _ in range(4)]
    for thread in taps:
        thread.start()
    for thread in taps:
        thread.join(timeout=60)
    assert statuses == [200] * 4
    assert _count(db_session, LeaderSealed) == 1
    assert _count(db_session, LeaderDraft) == 0
