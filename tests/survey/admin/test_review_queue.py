"""The review queue scales: filters, paging, bulk decisions; the response page reads in order."""

from __future__ import annotations

import re

from sqlalchemy import select

from survey.admin.paging import PAGE_SIZE
from survey.models import AuditLog, Response
from survey.questionnaire.versions import questionnaire_of
from tests.factories import make_centre, make_locality, make_response, make_wave


def _ids(html: str) -> list[str]:
    return re.findall(r'name="ids" value="([0-9a-f-]{36})"', html)


def test_filters_by_flag_centre_and_status(client, db_session, auth):
    wave = make_wave(db_session)
    one = make_centre(db_session)
    two = make_centre(db_session, make_locality(db_session, "24002", "Xã Hai"))
    fast = make_response(db_session, wave, one, {"tc1": "5"}, flags=["speeder"])
    burst = make_response(db_session, wave, two, {"tc1": "5"}, flags=["burst", "outside_hours"])
    db_session.commit()
    auth("admin")
    get = lambda q: client.get("/admin/review?" + q).get_data(as_text=True)  # noqa: E731
    assert set(_ids(get(""))) == {str(fast.id), str(burst.id)}
    assert _ids(get("flag=burst")) == [str(burst.id)]
    assert _ids(get(f"centre={one.id}")) == [str(fast.id)]
    assert set(_ids(get("status=pending"))) == {str(fast.id), str(burst.id)}
    page = get("")
    assert "Nhiều phiếu dồn dập" in page and "<td>Chưa xem xét</td>" in page


def test_bulk_decision_records_each_response_with_its_reason(client, db_session, auth):
    wave = make_wave(db_session)
    centre = make_centre(db_session)
    chosen = [make_response(db_session, wave, centre, {"tc1": "5"}, flags=["burst"]) for _ in range(3)]
    left = make_response(db_session, wave, centre, {"tc1": "5"}, flags=["burst"])
    db_session.commit()
    auth("admin")
    refused = client.post(
        "/admin/review", data={"ids": [str(r.id) for r in chosen], "decision": "excluded", "reason": ""}
    )
    assert refused.status_code == 302
    assert db_session.scalars(select(AuditLog).where(AuditLog.action == "response_review")).all() == []
    done = client.post("/admin/review?flag=burst", data={
        "ids": [str(r.id) for r in chosen], "decision": "excluded", "reason": "Cán bộ điền thay, xác minh qua camera"})
    assert done.status_code == 302 and "flag=burst" in done.headers["Location"]
    db_session.expire_all()
    assert {db_session.get(Response, r.id).review_status for r in chosen} == {"excluded"}
    assert db_session.get(Response, left.id).review_reason is None
    entries = db_session.scalars(select(AuditLog).where(AuditLog.action == "response_review")).all()
    assert sorted(e.target for e in entries) == sorted(str(r.id) for r in chosen)
    assert _ids(client.get("/admin/review?status=pending").get_data(as_text=True)) == [str(left.id)]


def test_officer_cannot_bulk_decide_or_reach_other_localities(client, db_session, auth):
    wave = make_wave(db_session)
    mine = make_centre(db_session)
    other = make_centre(db_session, make_locality(db_session, "24002", "Xã Hai"))
    theirs = make_response(db_session, wave, other, {"tc1": "5"}, flags=["burst"])
    db_session.commit()
    auth("officer", mine.locality)
    assert str(theirs.id) not in client.get("/admin/review").get_data(as_text=True)
    refused = client.post(
        "/admin/review", data={"ids": [str(theirs.id)], "decision": "excluded", "reason": "Không hợp lệ"}
    )
    assert refused.status_code == 403


def test_queue_pages_instead_of_capping(client, db_session, auth):
    wave = make_wave(db_session)
    centre = make_centre(db_session)
    for _ in range(PAGE_SIZE + 3):
        make_response(db_session, wave, centre, {"tc1": "5"}, flags=["speeder"])
    db_session.commit()
    auth("admin")
    first = client.get("/admin/review").get_data(as_text=True)
    second = client.get("/admin/review?page=2").get_data(as_text=True)
    assert len(_ids(first)) == PAGE_SIZE and len(_ids(second)) == 3
    assert not set(_ids(first)) & set(_ids(second))
    assert f"trong {PAGE_SIZE + 3}" in first


def test_response_page_shows_question_text_in_questionnaire_order(client, db_session, auth):
    wave = make_wave(db_session)
    centre = make_centre(db_session)
    answers = {"mm10": "it", "mm2": "nhieu", "mm1": "rat_nhieu", "cc1": "5", "tt3": "0", "field": "ho_tich",
               "gender": "nu"}
    response = make_response(db_session, wave, centre, answers)
    db_session.commit()
    auth("admin")
    html = client.get(f"/admin/responses/{response.id}").get_data(as_text=True)
    questionnaire = questionnaire_of(wave)
    expected = [
        questionnaire.text(item.label, "vi")
        for page in questionnaire.pages for item in page.items if item.code in answers
    ]
    shown = [q for q in re.findall(r"<tr><td>([^<]+)</td>", html)]
    assert shown == expected  # questionnaire order (mm1, mm2, mm10), not text order (mm1, mm10, mm2)
    for code in answers:
        assert f"<td>{code}</td>" not in html
    choices = questionnaire.items_by_code["mm1"].choices
    assert f"<td>{questionnaire.text(choices.choice('rat_nhieu').label, 'vi')}</td>" in html
    for page in questionnaire.pages:
        if any(item.code in answers for item in page.items):
            assert f"<h3>{questionnaire.text(page.title, 'vi')}</h3>" in html


def test_export_form_defaults_to_excel(client, db_session, auth):
    make_wave(db_session)
    db_session.commit()
    auth("analyst")
    page = client.get("/admin/exports").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*value="xlsx"', page)
    # each radio sits inside its label, so the whole line is clickable
    assert re.search(r'<label class="option" for="format-0"><input[^>]*id="format-0"', page)
