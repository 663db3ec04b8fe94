"""Pairing a desk tablet: only a staff member's one-time code opens the kiosk.

The attacker is anyone with the tablet's address (a citizen's phone, a script): without a
device key they get the pairing page and no questionnaire, and cannot send submissions; a code
works once, for its centre only, and a revoked tablet is shut out.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from survey.kiosk.pairing import DEVICE_COOKIE, issue_code
from survey.models import AuditLog, KioskDevice, Response
from tests.factories import make_centre, make_locality


def test_an_unpaired_device_gets_the_pairing_page_in_vietnamese(client, desk):
    centre, _ = desk
    page = client.get(f"/k/{centre.code}")
    assert page.status_code == 403
    assert "Máy tính bảng chưa được ghép nối" in page.get_data(as_text=True)
    assert client.get(f"/k/{centre.code}/questionnaire.json").status_code == 403


def test_an_unpaired_device_cannot_submit(client, desk, submission, db_session):
    centre, _ = desk
    answer = client.post(f"/k/{centre.code}/submissions", json=submission)
    assert answer.status_code == 403
    assert "chưa được ghép nối" in answer.get_json()["error"]
    assert db_session.scalar(select(Response)) is None


def test_a_paired_tablet_opens_the_kiosk_and_its_key_is_stored_hashed(tablet, desk, db_session):
    centre, wave = desk
    page = tablet.get(f"/k/{centre.code}")
    assert page.status_code == 200
    assert 'id="kiosk"' in page.get_data(as_text=True)
    definition = tablet.get(f"/k/{centre.code}/questionnaire.json").get_json()
    assert definition["wave"] == wave.id
    key = tablet.get_cookie(DEVICE_COOKIE, path="/k").value
    device = db_session.scalar(select(KioskDevice))
    assert device.key_hash != key and key not in device.key_hash
    assert device.code_hash is None and device.paired_at is not None
    assert db_session.scalar(select(AuditLog.action).where(AuditLog.action == "kiosk_pair"))


def test_a_code_works_once(app, desk, db_session):
    centre, _ = desk
    code = issue_code(db_session, centre, "admin")
    db_session.commit()
    assert app.test_client().post(f"/k/{centre.code}/pair", data={"code": code.lower()}).status_code == 303
    second = app.test_client().post(f"/k/{centre.code}/pair", data={"code": code})
    assert second.status_code == 400
    assert "không đúng, đã hết hạn hoặc đã được dùng" in second.get_data(as_text=True)


def test_a_code_works_for_its_own_centre_only(app, desk, db_session):
    centre, _ = desk
    other = make_centre(db_session, make_locality(db_session, "24002", "Xã Khác"))
    code = issue_code(db_session, centre, "admin")
    db_session.commit()
    assert app.test_client().post(f"/k/{other.code}/pair", data={"code": code}).status_code == 400


def test_an_expired_code_is_refused(app, desk, db_session):
    centre, _ = desk
    code = issue_code(db_session, centre, "admin")
    db_session.flush()
    device = db_session.scalar(select(KioskDevice))
    device.code_expires_at = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)
    db_session.commit()
    assert app.test_client().post(f"/k/{centre.code}/pair", data={"code": code}).status_code == 400


def test_a_key_paired_with_one_centre_opens_no_other(tablet, db_session):
    other = make_centre(db_session, make_locality(db_session, "24002", "Xã Khác"))
    db_session.commit()
    assert tablet.get(f"/k/{other.code}").status_code == 403


def test_staff_issue_a_code_and_revoke_the_tablet(client, auth, tablet, desk, db_session):
    centre, _ = desk
    officer = auth("officer", locality=centre.locality)
    page = client.post(f"/admin/kiosk/centres/{centre.id}/code")
    assert page.status_code == 200
    assert 'id="pairing-code"' in page.get_data(as_text=True)
    paired = db_session.scalar(select(KioskDevice).where(KioskDevice.key_hash.is_not(None)))
    client.post(f"/admin/kiosk/devices/{paired.id}/revoke")
    assert tablet.get(f"/k/{centre.code}").status_code == 403
    assert officer.username in {d.created_by for d in db_session.scalars(select(KioskDevice))}


def test_an_officer_of_another_locality_cannot_pair_a_centre(client, auth, desk, db_session):
    centre, _ = desk
    auth("officer", locality=make_locality(db_session, "24002", "Xã Khác"))
    assert client.post(f"/admin/kiosk/centres/{centre.id}/code").status_code == 404
    assert client.get(f"/admin/kiosk/centres/{centre.id}").status_code == 404


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/admin/kiosk/centres/1"), ("POST", "/admin/kiosk/centres/1/code"),
    ("POST", "/admin/kiosk/devices/1/revoke"),
])
def test_every_kiosk_staff_url_requires_login(client, method, path):
    response = client.open(path, method=method)
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_the_staff_urls_above_are_all_there_are(app):
    rules = {rule.rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("kiosk_admin.")}
    assert rules == {"/admin/kiosk/centres/<int:centre_id>", "/admin/kiosk/centres/<int:centre_id>/code",
                     "/admin/kiosk/devices/<int:device_id>/revoke"}


def test_an_analyst_cannot_pair_a_tablet(client, auth, desk):
    centre, _ = desk
    auth("analyst")
    assert client.post(f"/admin/kiosk/centres/{centre.id}/code").status_code == 403
