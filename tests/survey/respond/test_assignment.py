"""The policy block as a planned subsample: drawn at random when a questionnaire starts, kept in
the signed state, stored on the response; the drawn are asked it, the others never."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import select

from survey.models import Answer, Response
from survey.respond import assignment
from survey.respond.assignment import draw_blocks
from survey.respond.length import path_lengths, usual_length
from survey.respond.posters import poster_html
from survey.respond.state import load_state
from tests.survey.respond.conftest import QUESTIONNAIRE

BLOCK = QUESTIONNAIRE.blocks[0]
BLOCK_ITEMS = {item.code for page in QUESTIONNAIRE.pages if page.code in BLOCK.pages for item in page.items}
DRAWS = 6000
LOOSE = 0.04
"""About 6.5 standard errors of a share near 1/3 over DRAWS draws: a failure by chance is
rarer than one run in a billion."""


class _Wave:
    def __init__(self, assigned_share: float | None) -> None:
        self.assigned_share = assigned_share


def test_the_operating_systems_source_draws_at_the_declared_share(monkeypatch):
    monkeypatch.setattr(assignment, "SOURCE", random.SystemRandom())  # the production source
    for wave_share, expected in ((None, BLOCK.share), (0.5, 0.5)):
        drawn = sum(bool(draw_blocks(QUESTIONNAIRE, _Wave(wave_share))) for _ in range(DRAWS)) / DRAWS
        assert abs(drawn - expected) < LOOSE, (wave_share, drawn)
    assert all(draw_blocks(QUESTIONNAIRE, _Wave(1.0)) == (BLOCK.code,) for _ in range(200))


def test_each_start_draws_and_keeps_the_draw_in_the_signed_state(app, client, desk, block_draw):
    block_draw.seeded(21)
    _, centre, _ = desk
    drawn = []
    for _ in range(300):
        page = client.get(f"/q/{centre.code}?new=1").get_data(as_text=True)
        token = page.split('name="state" type="hidden" value="', 1)[1].split('"', 1)[0]
        drawn.append(load_state(token).assigned)
    assert set(drawn) == {(), (BLOCK.code,)}
    assert abs(drawn.count((BLOCK.code,)) / len(drawn) - BLOCK.share) < 0.1  # seeded: the same 300 draws


def test_a_respondent_not_drawn_is_never_asked_and_cannot_answer_the_block(db_session, desk, citizen):
    wave, centre, _ = desk
    citizen.open(f"/q/{centre.code}")
    assert 'id="assigned-note"' not in citizen.html
    seen = set()
    for _ in range(20):
        seen |= set(citizen.visible_codes())
        assert 'value="optional"' not in citizen.html  # no optional part left to offer
        action = "submit" if 'value="submit"' in citizen.html else "next"
        citizen.post(action, {"cs_gt1": "5"})  # a forged answer to a question never shown
        if citizen.status != 200:
            break
    assert citizen.status == 303 and not seen & BLOCK_ITEMS
    response = db_session.scalar(select(Response).where(Response.wave_id == wave.id))
    assert response.assigned_blocks == []
    codes = set(db_session.scalars(select(Answer.item_code).where(Answer.response_id == response.id)))
    assert codes and not codes & BLOCK_ITEMS


def test_a_respondent_drawn_answers_the_block_as_ordinary_pages(db_session, desk, citizen, block_draw):
    block_draw.always()
    wave, centre, _ = desk
    citizen.open(f"/q/{centre.code}")
    minutes = usual_length(QUESTIONNAIRE).minutes
    assert f"trả lời thêm {len(BLOCK.pages)} trang ở cuối phiếu; cả phiếu mất khoảng {minutes} phút" in citizen.html
    pages = 0
    no_answer = {code: "0" for code in BLOCK_ITEMS}
    no_answer["cs_gt2"] = None  # left blank: not required
    for _ in range(20):
        pages += 1
        if BLOCK_ITEMS & set(citizen.visible_codes()):
            assert "Không trả lời" in citizen.html and "Phần tự chọn" not in citizen.html
            assert f"Trang {pages}/{len(QUESTIONNAIRE.pages)}" in citizen.html  # counted like any page
        action = "submit" if 'value="submit"' in citizen.html else "next"
        citizen.post(action, no_answer)
        if citizen.status != 200:
            break
    assert citizen.status == 303 and pages == len(QUESTIONNAIRE.pages)
    response = db_session.scalar(select(Response).where(Response.wave_id == wave.id))
    assert response.assigned_blocks == [BLOCK.code]
    stored = dict(db_session.execute(select(Answer.item_code, Answer.value)
                                     .where(Answer.response_id == response.id)).all())
    assert {code: stored.get(code) for code in BLOCK_ITEMS} == {**no_answer, "cs_gt2": None}
    assert all(score is None for score in db_session.scalars(
        select(Answer.score).where(Answer.response_id == response.id, Answer.item_code.in_(BLOCK_ITEMS))))


def test_a_wave_may_set_its_own_share(db_session, desk, client, monkeypatch):
    wave, centre, _ = desk
    monkeypatch.setattr(assignment, "SOURCE", random.SystemRandom())
    wave.assigned_share = 1.0
    db_session.commit()
    for _ in range(20):
        page = client.get(f"/q/{centre.code}?new=1").get_data(as_text=True)
        assert 'id="assigned-note"' in page


def test_a_resumed_questionnaire_keeps_its_draw(db_session, desk, citizen, block_draw):
    block_draw.always()
    _, centre, _ = desk
    citizen.open(f"/q/{centre.code}").post("next")
    block_draw.never()  # a new draw would now say "not drawn"; the resumed one must not redraw
    resumed = citizen.open(f"/q/{centre.code}?resume=1")
    token = resumed.html.split('name="state" type="hidden" value="', 1)[1].split('"', 1)[0]
    assert load_state(token).assigned == (BLOCK.code,)


def test_the_poster_states_both_paths(app, desk):
    _, centre, _ = desk
    lengths = path_lengths(QUESTIONNAIRE)
    assert lengths.extra_pages == len(BLOCK.pages)
    assert lengths.assigned.minutes > lengths.unassigned.minutes
    assert lengths.unassigned == usual_length(QUESTIONNAIRE.asked(()))
    with app.test_request_context():
        poster = poster_html(centre, "https://khaosat.example.gov.vn")
    assert f"trả lời mất khoảng {lengths.unassigned.minutes} phút." in poster
    assert (f"Nếu Ông/Bà được chọn ngẫu nhiên để trả lời thêm một phần, khoảng "
            f"{lengths.assigned.minutes} phút.") in poster


@pytest.mark.parametrize("share", ["0", "1.5", "abc", "1/0"])
def test_the_admin_form_refuses_a_share_outside_0_to_1(auth, client, db_session, share):
    from tests.factories import make_version

    version = make_version(db_session)
    db_session.commit()
    auth("admin")
    page = client.post("/admin/waves/new", data={
        "code": "2027Q1", "questionnaire_version_id": version.id, "opens_on": "2027-01-01",
        "closes_on": "2027-03-31", "assigned_share": share}).get_data(as_text=True)
    assert "Tỷ lệ phải lớn hơn 0 và không quá 1" in page


def test_the_admin_form_sets_a_waves_share_and_refuses_demo_codes(auth, client, db_session):
    from survey.models import Wave
    from tests.factories import make_version

    version = make_version(db_session)
    db_session.commit()
    auth("admin")
    form = {"questionnaire_version_id": version.id, "opens_on": "2027-01-01", "closes_on": "2027-03-31"}
    page = client.post("/admin/waves/new", data={**form, "code": "DEMO-2027Q1"}).get_data(as_text=True)
    assert "Mã bắt đầu bằng DEMO- dành cho đợt dữ liệu mô phỏng" in page
    assert client.post("/admin/waves/new", data={**form, "code": "2027Q1", "assigned_share": "0,5"}).status_code == 302
    assert client.post("/admin/waves/new", data={**form, "code": "2027Q2"}).status_code == 302
    shares = dict(db_session.execute(select(Wave.code, Wave.assigned_share)).all())
    assert shares == {"2027Q1": 0.5, "2027Q2": None}
    listing = client.get("/admin/waves").get_data(as_text=True)
    assert "Đánh giá về tổ chức thực hiện chính sách: 50%" in listing
    assert "Đánh giá về tổ chức thực hiện chính sách: 33%" in listing
