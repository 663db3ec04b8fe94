"""Every admin URL needs a login; roles and locality scope are enforced on the server."""

import uuid

import pytest
from sqlalchemy import select

from survey import create_app
from survey.models import AuditLog, ServiceCentre, UserRole
from tests.conftest import _test_config
from tests.factories import make_centre, make_locality, make_response, make_wave

STAFF_BLUEPRINTS = ("admin",)
SAMPLE_ARGS = {"centre_id": 1, "field_id": 1, "user_id": 1, "wave_id": 1, "batch_id": 1, "action": "open",
               "locality_code": "24001", "wave_code": "2026Q3",
               "response_id": uuid.UUID(int=1)}


def _staff_rules():
    """(method, path) for every route of the staff blueprints, read from the URL map."""
    app = create_app(_test_config("sqlite://"))
    found = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.endpoint.split(".")[0] not in STAFF_BLUEPRINTS and not rule.rule.startswith("/api/"):
                continue
            path = rule.build({k: v for k, v in SAMPLE_ARGS.items() if k in rule.arguments}, append_unknown=False)[1]
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                found.append(pytest.param(method, path, id=f"{method} {rule.rule}"))
    found.append(pytest.param("GET", "/auth/password", id="GET /auth/password"))
    return found


@pytest.mark.parametrize(("method", "path"), _staff_rules())
def test_every_staff_url_requires_login(client, method, path):
    response = client.open(path, method=method)
    if path.startswith("/api/"):
        assert response.status_code == 401
    else:
        assert response.status_code == 302
        assert "/auth/login" in response.headers["Location"]


def test_the_enumeration_covers_the_pages():
    paths = {p.values[1] for p in _staff_rules()}
    assert {"/admin/centres", "/admin/exports", "/admin/audit", "/admin/users", "/admin/monitor"} <= paths


@pytest.mark.parametrize(
    ("role", "method", "path", "status"),
    [
        (UserRole.OFFICER, "GET", "/admin/users", 403),
        (UserRole.OFFICER, "GET", "/admin/audit", 403),
        (UserRole.OFFICER, "GET", "/admin/waves/new", 403),
        (UserRole.OFFICER, "POST", "/admin/fields/new", 403),
        (UserRole.ANALYST, "GET", "/admin/users", 403),
        (UserRole.ANALYST, "GET", "/admin/audit", 403),
        (UserRole.ANALYST, "POST", "/admin/centres/new", 403),
        (UserRole.ANALYST, "POST", "/admin/counts", 403),
        (UserRole.ANALYST, "POST", "/admin/receipts", 403),
        (UserRole.ANALYST, "POST", "/admin/questionnaires", 403),
        (UserRole.ANALYST, "GET", "/admin/monitor", 200),
        (UserRole.ANALYST, "GET", "/admin/exports", 200),
        (UserRole.ANALYST, "GET", "/admin/waves", 200),
    ],
)
def test_roles_limit_pages(client, db_session, auth, role, method, path, status):
    locality = make_locality(db_session) if role == UserRole.OFFICER else None
    auth(role, locality)
    assert client.open(path, method=method).status_code == status


@pytest.fixture
def two_localities(db_session):
    """Locality A with its officer's centre, locality B with a centre and a flagged response."""
    a = make_locality(db_session, code="24001", name="Xã A")
    b = make_locality(db_session, code="24002", name="Xã B")
    centre_a = make_centre(db_session, a)
    centre_b = make_centre(db_session, b)
    wave = make_wave(db_session)
    response_b = make_response(db_session, wave, centre_b, {"tc1": "1"}, flags=["straightline"])
    response_a = make_response(db_session, wave, centre_a, {"tc1": "5"}, flags=["speeder"])
    db_session.commit()
    return {"a": a, "b": b, "centre_a": centre_a, "centre_b": centre_b, "wave": wave,
            "response_a": response_a, "response_b": response_b}


def test_officer_cannot_reach_another_localitys_data_by_url(client, db_session, auth, two_localities):
    auth(UserRole.OFFICER, two_localities["a"])
    b = two_localities["centre_b"].id
    tampered = [
        ("GET", f"/admin/centres/{b}"),
        ("POST", f"/admin/centres/{b}"),
        ("POST", f"/admin/centres/{b}/active"),
        ("GET", f"/admin/centres/{b}/poster"),
        ("GET", f"/admin/centres/{b}/responses"),
        ("GET", f"/admin/responses/{two_localities['response_b'].id}"),
        ("GET", f"/admin/exports?wave=2026Q3&format=csv&centre={b}"),
    ]
    for method, path in tampered:
        assert client.open(path, method=method).status_code in (403, 404), (method, path)
    db_session.expire_all()
    centre_b = db_session.get(ServiceCentre, b)
    assert centre_b.active and centre_b.name == "Trung tâm Xã B"
    assert db_session.scalar(select(AuditLog).where(AuditLog.action == "export_responses")) is None

    # The same pages for the officer's own locality work (its responses are row level: see
    # tests/survey/privacy/test_officer_aggregates.py).
    a = two_localities["centre_a"].id
    assert client.get(f"/admin/centres/{a}").status_code == 200
    assert client.get(f"/admin/centres/{a}/poster").status_code == 200


def test_officer_lists_show_only_their_locality(client, db_session, auth, two_localities):
    auth(UserRole.OFFICER, two_localities["a"])
    for path in ("/admin/centres", "/admin/monitor", "/admin/summary", "/admin/receipts", "/admin/exports"):
        html = client.get(path).get_data(as_text=True)
        assert "Xã A" in html, path
        assert "Xã B" not in html, path


def test_officer_cannot_create_a_centre_in_another_locality(client, db_session, auth, two_localities):
    auth(UserRole.OFFICER, two_localities["a"])
    response = client.post(
        "/admin/centres/new", data={"code": "b2", "name": "Chui", "locality_id": two_localities["b"].id}
    )
    assert response.status_code == 200
    assert "Lựa chọn không hợp lệ." in response.get_data(as_text=True)
    assert db_session.scalar(select(ServiceCentre).where(ServiceCentre.code == "b2")) is None


def test_admin_and_analyst_see_every_locality(client, db_session, auth, two_localities):
    auth(UserRole.ANALYST)
    html = client.get("/admin/monitor").get_data(as_text=True)
    assert "Xã A" in html and "Xã B" in html
    assert client.get(f"/admin/centres/{two_localities['centre_b'].id}/responses").status_code == 200
