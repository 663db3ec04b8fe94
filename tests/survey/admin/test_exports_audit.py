"""Exports stay within the viewer's scope and are audit-logged; the audit log is admin-only."""

import io

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import select

from survey.models import AppendOnlyError, AuditLog
from tests.factories import make_centre, make_locality, make_response, make_wave


@pytest.fixture
def responses(db_session):
    wave = make_wave(db_session)
    a = make_centre(db_session, make_locality(db_session, code="24001", name="Xã A"))
    b = make_centre(db_session, make_locality(db_session, code="24002", name="Xã B"))
    make_response(db_session, wave, a, {"tc1": "5"})
    make_response(db_session, wave, b, {"tc1": "2"})
    make_response(db_session, wave, b, {"tc1": "3"})
    db_session.commit()
    return {"a": a, "b": b}


def _csv(response):
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith("\ufeff".encode())  # BOM, so Excel shows Vietnamese
    return pd.read_csv(io.BytesIO(response.data), dtype=str, encoding="utf-8-sig")


def test_admin_export_has_everything_and_is_audited(client, db_session, auth, responses):
    auth("admin")
    frame = _csv(client.get("/admin/exports?wave=2026Q3&format=csv"))
    assert sorted(frame["centre_code"]) == ["24001", "24002", "24002"]
    entry = db_session.scalar(select(AuditLog).where(AuditLog.action == "export_responses"))
    assert entry.username == "admin-all" and entry.target == "2026Q3"
    assert entry.detail == {"format": "csv", "scope": "all", "rows": 3}


def test_officer_export_is_limited_to_their_locality(client, db_session, auth, responses):
    """Officers export aggregate tables (tests/survey/privacy has their content), in scope only."""
    auth("officer", responses["a"].locality)
    frame = _csv(client.get("/admin/exports?wave=2026Q3&format=csv"))
    assert set(frame["locality_code"]) == {"24001"} and "response_id" not in frame.columns
    own = _csv(client.get(f"/admin/exports?wave=2026Q3&format=csv&centre={responses['a'].id}"))
    assert set(own["locality_code"]) == {"24001"}
    assert client.get(f"/admin/exports?wave=2026Q3&format=csv&centre={responses['b'].id}").status_code == 404
    scopes = [
        e.detail["scope"] for e in db_session.scalars(select(AuditLog).where(AuditLog.action == "export_aggregates"))
    ]
    assert sorted(scopes) == ["24001", "locality:24001"]
    assert db_session.scalar(select(AuditLog).where(AuditLog.action == "export_responses")) is None


def test_analyst_exports_xlsx(client, auth, responses):
    auth("analyst")
    response = client.get("/admin/exports?wave=2026Q3&format=xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data))["responses"]
    assert sheet.max_row == 4


def test_analyst_and_officer_export_parquet(client, auth, responses):
    """The export page offers Parquet: the analyst gets every row typed, the officer the
    locality's aggregate estimates, both readable with the codebook's column names."""
    auth("analyst")
    response = client.get("/admin/exports?wave=2026Q3&format=parquet")
    assert response.status_code == 200 and response.mimetype == "application/vnd.apache.parquet"
    assert response.headers["Content-Disposition"].endswith('.parquet"')
    rows = pd.read_parquet(io.BytesIO(response.data))
    assert len(rows) == 3 and pd.api.types.is_float_dtype(rows["design_weight"])
    assert 'value="parquet"' in client.get("/admin/exports").get_data(as_text=True)
    client.post("/auth/logout")
    auth("officer", responses["a"].locality)
    aggregates = client.get("/admin/exports?wave=2026Q3&format=parquet")
    assert aggregates.status_code == 200 and aggregates.mimetype == "application/vnd.apache.parquet"
    estimates = pd.read_parquet(io.BytesIO(aggregates.data))
    assert set(estimates["locality_code"]) == {"24001"} and "response_id" not in estimates.columns


def test_unknown_wave_is_a_form_error(client, auth, responses):
    auth("admin")
    response = client.get("/admin/exports?wave=1999Q1&format=csv")
    assert response.status_code == 400 and "Lựa chọn không hợp lệ." in response.get_data(as_text=True)


def test_audit_viewer_shows_logins_and_exports_to_the_admin(client, db_session, auth, responses):
    auth("admin")
    client.get("/admin/exports?wave=2026Q3&format=csv")
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "<td>Xuất phiếu trả lời</td>" in page and "<td>Đăng nhập</td>" in page
    filtered = client.get("/admin/audit?action=login").get_data(as_text=True)
    assert "<td>Xuất phiếu trả lời</td>" not in filtered and "<td>Đăng nhập</td>" in filtered


def test_audit_entries_cannot_be_changed(client, db_session, auth):
    auth("admin")
    entry = db_session.scalar(select(AuditLog))
    entry.action = "tampered"
    with pytest.raises(AppendOnlyError):
        db_session.commit()
