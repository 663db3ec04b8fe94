"""A locality officer sees aggregates of their own locality, never a response: every admin
route is tried, and a 4-response cell shows no figures."""

from __future__ import annotations

import io
from zoneinfo import ZoneInfo

import openpyxl
import pandas as pd
import pytest
from flask import url_for
from sqlalchemy import select

from survey import create_app
from survey.clock import utcnow
from survey.models import AuditLog
from tests.conftest import _test_config
from tests.factories import login
from tests.survey.privacy.conftest import MARKER

ROW_LEVEL_EXPECTED = {"admin.centre_responses", "admin.response_detail", "admin.review_queue", "admin.digest_edit"}


def _admin_routes():
    """(endpoint, method) for every route of the admin blueprint, from the URL map."""
    app = create_app(_test_config("sqlite://"))
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("admin."):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                found.append(pytest.param(rule.endpoint, method, id=f"{method} {rule.rule}"))
    return found


def _row_level_endpoints(app) -> set[str]:
    return {endpoint for endpoint, view in app.view_functions.items() if getattr(view, "row_level", False)}


def _own_url(app, endpoint: str, commune) -> str:
    """The route's URL filled with the officer's own objects: their centre, response, account."""
    values = {"centre_id": commune["centre"].id, "response_id": commune["responses"][0].id,
              "user_id": commune["officer"].id, "field_id": commune["field"].id,
              "wave_id": commune["wave"].id, "action": "open", "batch_id": 1,
              "locality_code": commune["locality"].code, "wave_code": commune["wave"].code}
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    with app.test_request_context():
        return url_for(endpoint, **{k: v for k, v in values.items() if k in rule.arguments})


def _identifying(app, commune) -> list[str]:
    """Strings that would single out a response: its id, its comment, its minute of sending."""
    zone = ZoneInfo(app.config["TIMEZONE"])
    found = [MARKER]
    for response in commune["responses"]:
        found.append(str(response.id))
        found.append(response.submitted_at.astimezone(zone).strftime("%d/%m/%Y %H:%M"))
        found.append(response.submitted_at.astimezone(zone).strftime("%H:%M"))
    return found


def _estimates(page: str) -> str:
    """The body of the estimates table of the summary page."""
    return page.split("Chỉ số hài lòng (SIPAS)")[1].split("<tbody>")[1].split("</tbody>")[0]


@pytest.fixture
def officer(client, commune):
    assert login(client, commune["officer"]).status_code == 302
    return client


def test_the_row_level_views_are_marked(app):
    assert ROW_LEVEL_EXPECTED <= _row_level_endpoints(app)


@pytest.mark.parametrize(("endpoint", "method"), _admin_routes())
def test_officer_reaches_no_response_of_their_own_locality(app, officer, commune, endpoint, method):
    url = _own_url(app, endpoint, commune)
    zone = ZoneInfo(app.config["TIMEZONE"])
    before = utcnow().astimezone(zone).strftime("%H:%M")
    response = officer.open(url, method=method)
    # A page may show the time it was made ("cập nhật lúc 09:12"): not a response's minute,
    # even when the test runs at the minute a fixture response was sent.
    page_clock = {before, utcnow().astimezone(zone).strftime("%H:%M")}
    if endpoint in _row_level_endpoints(app):
        assert response.status_code == 403
        return
    body = _text_of(response)
    for text in _identifying(app, commune):
        if text in page_clock:
            continue
        assert text not in body, (url, text)


def _text_of(response) -> str:
    """A page's text, or every cell of a workbook download (such as the counts template)."""
    if response.mimetype.endswith("spreadsheetml.sheet"):
        book = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True)
        return "\n".join(str(cell) for sheet in book for row in sheet.iter_rows(values_only=True)
                         for cell in row if cell is not None)
    return response.get_data(as_text=True)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_officer_export_is_aggregate_and_suppresses_a_four_response_cell(officer, commune, db_session, fmt):
    response = officer.get(f"/admin/exports?wave={commune['wave'].code}&format={fmt}")
    assert response.status_code == 200
    if fmt == "csv":
        sheets = {"estimates": pd.read_csv(io.BytesIO(response.data), encoding="utf-8-sig", dtype=str)}
    else:
        book = openpyxl.load_workbook(io.BytesIO(response.data))
        assert book.sheetnames == ["estimates", "per_day"]
        sheets = {
            name: pd.read_excel(io.BytesIO(response.data), sheet_name=name, dtype=str) for name in book.sheetnames
        }
        (day,) = sheets["per_day"].itertuples()
        assert day.responses == "4" and pd.isna(day.flagged) and day.note == "dưới 5 phiếu"
    estimates = sheets["estimates"]
    assert len(estimates) > 1 and estimates["estimate"].isna().all() and estimates["responses"].isna().all()
    assert set(estimates["note"]) == {"dưới 5 phiếu"}
    for table in sheets.values():
        assert "response_id" not in table.columns and "submitted_at" not in table.columns
        assert MARKER not in table.to_csv()
    assert db_session.scalar(select(AuditLog).where(AuditLog.action == "export_aggregates")) is not None


def test_a_four_response_cell_is_suppressed_and_the_fifth_shows_it(officer, commune, add_response):
    page = officer.get("/admin/summary").get_data(as_text=True)
    assert "Xã Ea Tu" in page and "<strong>4</strong>" in page
    assert "%" not in _estimates(page)  # no estimate shown
    assert page.count("dưới 5") >= 2

    add_response(days=2)
    page = officer.get("/admin/summary").get_data(as_text=True)
    estimates = _estimates(page)
    assert "%" in estimates and "trên 5 phiếu" in page
    # scores 5, 4, 2, 1, 3 on every item: two of five satisfied (4–5), 40.0%
    assert "40.0%" in estimates


def test_todays_responses_wait_and_estimates_move_in_blocks_of_five(officer, commune, add_response, client):
    add_response(days=2)  # 5 before today
    add_response(days=1)  # a 6th, yesterday
    add_response(days=0)  # today: not counted for an officer until tomorrow
    page = officer.get("/admin/summary").get_data(as_text=True)
    assert "<strong>6</strong>" in page  # counted up to yesterday
    assert "trên 5 phiếu" in page  # the 6th waits for four more before the estimates move


def test_admin_sees_the_live_summary_of_any_locality(app, commune, add_response, auth, client):
    add_response(days=2)
    add_response(days=0)
    auth("admin")
    page = client.get("/admin/summary?locality=24001").get_data(as_text=True)
    assert "<strong>6</strong>" in page and "trên 6 phiếu" in page


def test_monitor_hides_an_officers_flags_until_five_responses_and_never_shows_todays(officer, commune, add_response):
    page = officer.get("/admin/monitor").get_data(as_text=True)
    # Flag names also fill the filter's options; a shown count reads "<label>: <n>".
    assert "Trả lời quá nhanh: " not in page and "dưới 5 phiếu" in page
    add_response(days=1)
    add_response(days=0, flags=["outside_hours"])
    page = officer.get("/admin/monitor").get_data(as_text=True)
    assert "Trả lời quá nhanh: 1" in page and "Ngoài giờ làm việc: " not in page
    assert "/admin/centres/" not in page.split("<tbody>")[1]  # no link to the centre's responses


def test_row_level_views_are_audited(app, commune, auth, client, db_session):
    auth("analyst")
    response_id = commune["responses"][0].id
    assert client.get(f"/admin/responses/{response_id}").status_code == 200
    assert client.get(f"/admin/centres/{commune['centre'].id}/responses").status_code == 200
    assert client.get("/admin/review").status_code == 200
    viewed = db_session.scalars(select(AuditLog).where(AuditLog.action == "view_responses")).all()
    assert sorted(e.target for e in viewed) == sorted(ROW_LEVEL_EXPECTED - {"admin.digest_edit"})
    assert all(e.username == "analyst-all" for e in viewed)


def test_analysts_see_the_date_and_time_band_not_the_minute(app, commune, auth, client):
    auth("analyst")
    page = client.get(f"/admin/centres/{commune['centre'].id}/responses").get_data(as_text=True)
    zone = ZoneInfo(app.config["TIMEZONE"])
    sent = commune["responses"][0].submitted_at.astimezone(zone)
    assert f"{sent:%d/%m/%Y}, 09-11 giờ" in page and f"{sent:%H:%M}" not in page


def test_a_node_answered_by_fewer_than_five_is_suppressed_in_a_larger_locality(officer, commune, db_session):
    """The policy items are optional: a fifth response without them shows the service
    estimates (5 answers) but keeps the policy ones (4 answers) suppressed."""
    from tests.factories import make_response
    from tests.survey.privacy.conftest import answers, sent_days_ago

    without_policy = {k: v for k, v in answers("3").items() if not k.startswith("cs_")}
    sent_days_ago(make_response(db_session, commune["wave"], commune["centre"], without_policy), 2)
    db_session.commit()
    rows = {row.split("</th>")[0].split(">")[-1]: row for row in _estimates(
        officer.get("/admin/summary").get_data(as_text=True)).split("<tr>")[1:]}
    service = rows["Sự hài lòng về cung ứng dịch vụ hành chính công"]
    policy = rows["Sự hài lòng về tổ chức thực hiện chính sách"]
    assert ">5<" in service and "40.0%" in service
    assert "dưới 5" in policy and "%" not in policy


DIGEST = "Chủ đề thái độ công chức: 5 góp ý đề nghị hướng dẫn rõ hơn khi nộp hồ sơ."


def test_comments_reach_the_officer_only_as_a_published_digest(app, officer, commune, add_response, db_session):
    from tests.factories import make_user

    path = f"/admin/digests/24001/{commune['wave'].code}"
    assert officer.get(path).status_code == 403
    make_user(db_session, "so-noi-vu", "admin")
    db_session.commit()
    admin = app.test_client()
    assert login(admin, "so-noi-vu").status_code == 302

    page = admin.get(path).get_data(as_text=True)
    assert MARKER in page and "còn nhận phiếu" in page  # the wave is still open: read, not publish
    commune["wave"].status = "closed"
    db_session.commit()
    assert "dưới 5 góp ý" in admin.get(path).get_data(as_text=True)  # 4 comments: no digest
    assert admin.post(path, data={"body": DIGEST}).status_code == 200
    assert db_session.scalar(select(AuditLog).where(AuditLog.action == "digest_publish")) is None

    add_response(days=2)  # a fifth comment
    published = admin.post(path, data={"body": DIGEST})
    assert published.status_code == 302
    summary = officer.get("/admin/summary").get_data(as_text=True)
    assert DIGEST in summary and MARKER not in summary
    entry = db_session.scalar(select(AuditLog).where(AuditLog.action == "digest_publish"))
    assert entry.target == f"24001/{commune['wave'].code}" and entry.detail == {"comments": 5}
