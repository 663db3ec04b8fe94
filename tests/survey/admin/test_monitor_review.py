"""Live monitor counts and the review queue for flagged responses."""

import datetime as dt

from sqlalchemy import select

from survey.admin.targets import expected_by
from survey.models import AuditLog, Response, ReviewStatus
from tests.factories import login, make_centre, make_locality, make_response, make_user, make_wave


def test_expected_pacing_grows_through_the_wave(db_session):
    wave = make_wave(db_session, opens_on=dt.date(2026, 7, 1), closes_on=dt.date(2026, 9, 29))
    assert expected_by(wave, dt.date(2026, 6, 1), 90) == 0
    assert expected_by(wave, dt.date(2026, 7, 30), 90) == 30
    assert expected_by(wave, dt.date(2026, 12, 1), 90) == 90


def test_monitor_counts_today_wave_and_flags_per_centre(client, db_session, auth):
    wave = make_wave(db_session)
    centre = make_centre(db_session, make_locality(db_session, name="Xã Một"))
    make_centre(db_session, make_locality(db_session, code="24002", name="Xã Hai"))
    make_response(db_session, wave, centre, {"tc1": "5"})
    make_response(db_session, wave, centre, {"tc1": "5"}, flags=["speeder", "straightline"])
    old = make_response(db_session, wave, centre, {"tc1": "4"}, flags=["speeder"])
    old.started_at -= dt.timedelta(days=3)
    old.submitted_at -= dt.timedelta(days=3)
    db_session.commit()
    auth("admin")
    html = client.get("/admin/monitor").get_data(as_text=True)
    row = html.split(">Xã Một</a>")[1].split("</tr>")[0]
    numbers = [cell.split("</td>")[0].split("<")[0] for cell in row.split('<td class="num" data-label=')[1:]]
    numbers = [n.split(">", 1)[1] for n in numbers]
    assert numbers[:2] == ["2", "3"]  # today, this wave
    assert numbers[4] == "2"  # flagged responses
    assert "Trả lời quá nhanh: 2" in row and "straightline: 1" in row  # an unknown code shows as itself
    other_row = html.split(">Xã Hai</a>")[1].split("</tr>")[0]
    assert '<td class="num" data-label="Trong đợt">0</td>' in other_row
    assert 'http-equiv="refresh"' not in html  # reloading unasked fails WCAG 2.2.1
    auto = client.get("/admin/monitor?auto=1").get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="60">' in auto and "Tắt tự làm mới" in auto


def test_review_queue_lists_only_flagged_and_decisions_need_a_reason(client, db_session, auth):
    wave = make_wave(db_session)
    centre = make_centre(db_session)
    clean = make_response(db_session, wave, centre, {"tc1": "5"})
    flagged = make_response(db_session, wave, centre, {"tc1": "1"}, flags=["speeder"])
    db_session.commit()
    auth("admin")
    queue = client.get("/admin/review").get_data(as_text=True)
    assert str(flagged.id) in queue and str(clean.id) not in queue

    no_reason = client.post(f"/admin/responses/{flagged.id}", data={"decision": "excluded", "reason": ""})
    assert no_reason.status_code == 400 and "Vui lòng ghi lý do" in no_reason.get_data(as_text=True)
    db_session.refresh(flagged)
    assert flagged.review_status == ReviewStatus.INCLUDED

    done = client.post(
        f"/admin/responses/{flagged.id}", data={"decision": "excluded", "reason": "Trả lời trong 20 giây"}
    )
    assert done.status_code == 302
    db_session.expire_all()
    flagged = db_session.get(Response, flagged.id)
    assert (flagged.review_status, flagged.review_reason) == ("excluded", "Trả lời trong 20 giây")
    entry = db_session.scalar(select(AuditLog).where(AuditLog.action == "response_review"))
    assert entry.target == str(flagged.id)
    assert entry.detail == {
        "old": "included", "new": "excluded", "reason": "Trả lời trong 20 giây", "flags": ["speeder"]
    }
    excluded = client.get("/admin/review?status=excluded").get_data(as_text=True)
    assert str(flagged.id) in excluded and "<td>Đã xem xét</td>" in excluded and "<td>Loại</td>" in excluded
    assert str(flagged.id) not in client.get("/admin/review?status=pending").get_data(as_text=True)


def test_analysts_see_but_do_not_decide_and_officers_do_neither(app, client, db_session, auth):
    wave = make_wave(db_session)
    centre = make_centre(db_session)
    flagged = make_response(db_session, wave, centre, {"tc1": "1"}, flags=["speeder"])
    db_session.commit()
    officer = app.test_client()
    officer_user = make_user(db_session, "canbo", "officer", centre.locality)
    db_session.commit()
    login(officer, officer_user)
    assert officer.get(f"/admin/responses/{flagged.id}").status_code == 403
    auth("analyst")
    page = client.get(f"/admin/responses/{flagged.id}")
    assert page.status_code == 200 and 'name="reason"' not in page.get_data(as_text=True)
    refused = client.post(f"/admin/responses/{flagged.id}", data={"decision": "excluded", "reason": "Không thích"})
    assert refused.status_code == 403
    db_session.refresh(flagged)
    assert flagged.review_status == ReviewStatus.INCLUDED
