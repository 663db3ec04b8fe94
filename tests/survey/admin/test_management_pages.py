"""Management pages change what they say they change, and each change is audit-logged."""

import datetime as dt
import io

from sqlalchemy import select

from survey.models import AuditLog, QuestionnaireVersion, ServiceCentre, ServiceField, User, Wave, WaveStatus
from tests.factories import SIPAS_FILE, login, make_centre, make_locality, make_version


def _audited(db_session, action):
    return db_session.scalars(select(AuditLog).where(AuditLog.action == action)).all()


def test_centre_create_rename_deactivate(client, db_session, auth):
    locality = make_locality(db_session)
    db_session.commit()
    auth("admin")
    created = client.post(
        "/admin/centres/new", data={"code": "t1", "name": "Bộ phận Một cửa T1", "locality_id": locality.id}
    )
    assert created.status_code == 302
    centre = db_session.scalar(select(ServiceCentre).where(ServiceCentre.code == "t1"))
    assert centre.locality_id == locality.id

    again = client.post("/admin/centres/new", data={"code": "t1", "name": "Khác", "locality_id": locality.id})
    assert "Mã này đã được sử dụng." in again.get_data(as_text=True)
    bad = client.post("/admin/centres/new", data={"code": "Có Dấu", "name": "X", "locality_id": locality.id})
    assert "Mã chỉ gồm chữ thường" in bad.get_data(as_text=True)

    assert client.post(f"/admin/centres/{centre.id}", data={"name": "Tên mới"}).status_code == 302
    assert client.post(f"/admin/centres/{centre.id}/active").status_code == 302
    db_session.expire_all()
    centre = db_session.get(ServiceCentre, centre.id)
    assert (centre.name, centre.active) == ("Tên mới", False)
    assert [e.detail["old"] for e in _audited(db_session, "centre_rename")] == ["Bộ phận Một cửa T1"]
    assert len(_audited(db_session, "centre_deactivate")) == 1


def test_officer_creates_centres_only_in_own_locality(client, db_session, auth):
    locality = make_locality(db_session)
    db_session.commit()
    auth("officer", locality)
    page = client.get("/admin/centres/new").get_data(as_text=True)
    assert "Cấp tỉnh" not in page
    created = client.post("/admin/centres/new", data={"code": "t2", "name": "T2", "locality_id": locality.id})
    assert created.status_code == 302


def test_field_create_and_edit(client, db_session, auth):
    auth("admin")
    created = client.post("/admin/fields/new", data={"code": "thue", "name": "Thuế", "sort_order": 3, "active": "y"})
    assert created.status_code == 302
    field = db_session.scalar(select(ServiceField).where(ServiceField.code == "thue"))
    assert client.post(f"/admin/fields/{field.id}", data={"code": "thue", "name": "Thuế và phí"}).status_code == 302
    db_session.expire_all()
    field = db_session.get(ServiceField, field.id)
    assert (field.name, field.active) == ("Thuế và phí", False)
    assert len(_audited(db_session, "field_save")) == 2


def test_wave_create_open_close(client, db_session, auth):
    version = make_version(db_session)
    db_session.commit()
    auth("admin")
    wrong = client.post("/admin/waves/new", data={"code": "2026Q4", "questionnaire_version_id": version.id,
                                                  "opens_on": "2026-12-31", "closes_on": "2026-10-01"})
    assert "Ngày kết thúc phải sau" in wrong.get_data(as_text=True)
    created = client.post("/admin/waves/new", data={"code": "2026Q4", "questionnaire_version_id": version.id,
                                                    "opens_on": "2026-10-01", "closes_on": "2026-12-31"})
    assert created.status_code == 302
    wave = db_session.scalar(select(Wave).where(Wave.code == "2026Q4"))
    assert wave.status == WaveStatus.DRAFT
    inside = dt.date(2026, 11, 1)
    assert not wave.accepts_responses(inside)

    client.post(f"/admin/waves/{wave.id}/open")
    db_session.refresh(wave)
    assert wave.status == WaveStatus.OPEN and wave.accepts_responses(inside)
    client.post(f"/admin/waves/{wave.id}/close")
    db_session.refresh(wave)
    assert wave.status == WaveStatus.CLOSED and not wave.accepts_responses(inside)
    assert [e.action for e in db_session.scalars(select(AuditLog).order_by(AuditLog.id))][-3:] == [
        "wave_create", "wave_open", "wave_close"]


def test_questionnaire_check_reports_problems_and_publish_adds_a_version(client, db_session, auth):
    auth("admin")
    broken = client.post("/admin/questionnaires", data={"file": (io.BytesIO(b"code: x\nkind: nonsense\n"), "bad.yaml"),
                                                        "publish": "1"}, content_type="multipart/form-data")
    html = broken.get_data(as_text=True)
    assert "chưa xuất bản" in html and "bad.yaml" in html
    assert db_session.scalar(select(QuestionnaireVersion)) is None

    binary = client.post("/admin/questionnaires", data={"file": (io.BytesIO(b"\xff\xfe\x00"), "x.yaml"), "check": "1"},
                         content_type="multipart/form-data")
    assert "không phải văn bản UTF-8" in binary.get_data(as_text=True)

    content = SIPAS_FILE.read_bytes()
    checked = client.post("/admin/questionnaires", data={"file": (io.BytesIO(content), "sipas.yaml"), "check": "1"},
                          content_type="multipart/form-data")
    assert "Tệp hợp lệ" in checked.get_data(as_text=True)
    assert db_session.scalar(select(QuestionnaireVersion)) is None  # checking does not publish

    published = client.post("/admin/questionnaires", data={"file": (io.BytesIO(content), "sipas.yaml"), "publish": "1"},
                            content_type="multipart/form-data")
    assert published.status_code == 302
    assert len(db_session.scalars(select(QuestionnaireVersion)).all()) == 1
    assert len(_audited(db_session, "questionnaire_publish")) == 1
    assert "Đã xuất bản" in client.get("/admin/questionnaires").get_data(as_text=True)


def test_user_create_edit_reset(app, client, db_session, auth):
    admin = auth("admin")
    locality = make_locality(db_session)
    db_session.commit()
    needs_locality = client.post(
        "/admin/users/new", data={"username": "canbo1", "role": "officer", "locality_id": 0, "active": "y"}
    )
    assert "phải được gắn với một xã/phường" in needs_locality.get_data(as_text=True)
    created = client.post(
        "/admin/users/new",
        data={"username": "canbo1", "role": "officer", "locality_id": locality.id, "active": "y"},
    )
    password = created.get_data(as_text=True).split("<code>")[1].split("</code>")[0]
    assert login(app.test_client(), "canbo1", password).status_code == 302

    user = db_session.scalar(select(User).where(User.username == "canbo1"))
    client.post(f"/admin/users/{user.id}", data={"username": "ignored", "role": "analyst", "locality_id": locality.id})
    db_session.expire_all()
    user = db_session.get(User, user.id)
    assert (user.username, user.role, user.locality_id, user.active) == ("canbo1", "analyst", None, False)

    reset = client.post(f"/admin/users/{user.id}/reset")
    new_password = reset.get_data(as_text=True).split("<code>")[1].split("</code>")[0]
    assert new_password != password
    actions = {e.action for e in db_session.scalars(select(AuditLog))}
    assert {"user_create", "user_update", "user_password_reset"} <= actions

    demote_self = client.post(f"/admin/users/{admin.id}", data={"username": "x", "role": "analyst", "active": "y"})
    assert "không thể tự bỏ quyền quản trị" in demote_self.get_data(as_text=True)


def test_receipt_batch_issue_downloads_tokens(client, db_session, auth):
    centre = make_centre(db_session)
    db_session.commit()
    auth("officer", centre.locality)
    response = client.post("/admin/receipts", data={"centre_id": centre.id, "field_id": 0, "count": 3})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    lines = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0] == "centre_code,field_code,token,url" and len(lines) == 4
    token, url = lines[1].split(",")[2:]
    assert url.endswith(f"/r/{token}")
    assert len(_audited(db_session, "receipt_batch_issue")) == 1


def test_poster_page_uses_the_citizen_side_poster(client, db_session, auth):
    centre = make_centre(db_session)
    db_session.commit()
    auth("officer", centre.locality)
    response = client.get(f"/admin/centres/{centre.id}/poster")
    assert response.status_code == 200 and centre.code in response.get_data(as_text=True)
