"""Administrative counts upload: CSV or XLSX by content, every problem reported, all or nothing."""

import io
import re
import zipfile

import openpyxl
import pytest
from openpyxl.chart import BarChart, Reference
from sqlalchemy import func, select

from survey.models import AdminCount, AuditLog
from tests.factories import make_centre, make_field, make_locality

HEADER = "centre_code,field_code,quarter,dossiers_resolved\n"


def _upload(client, data: bytes, name="counts.csv"):
    return client.post("/admin/counts", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def _upload_large(client, data: bytes, name="counts.csv"):
    """Post a body above werkzeug's 500 KB spooling threshold, encoded here: the test client's own
    encoder spools it to a temporary file it never closes (a ResourceWarning, an error here)."""
    boundary = "issue14boundary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return client.post("/admin/counts", data=body, content_type=f"multipart/form-data; boundary={boundary}")


def _setup(db_session):
    a = make_locality(db_session, code="24001", name="Xã A")
    b = make_locality(db_session, code="24002", name="Xã B")
    make_centre(db_session, a)
    make_centre(db_session, b)
    make_field(db_session, "ho_tich")
    make_field(db_session, "dat_dai", "Đất đai")
    db_session.commit()
    return a, b


def _xlsx(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _valid_xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["centre_code", "field_code", "quarter", "dossiers_resolved"])
    workbook.active.append(["24001", "ho_tich", "2026Q3", 7])
    return _xlsx(workbook)


def _xlsx_with_broken_sheet_xml() -> bytes:
    source = zipfile.ZipFile(io.BytesIO(_valid_xlsx()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for name in source.namelist():
            broken = name == "xl/worksheets/sheet1.xml"
            target.writestr(name, b"<worksheet><sheetData><row>" if broken else source.read(name))
    return buffer.getvalue()


def _xlsx_with_only_an_empty_chartsheet() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.create_chartsheet()
    workbook.remove(workbook.active)
    return _xlsx(workbook)


def _xlsx_with_only_a_chart() -> bytes:
    workbook = openpyxl.Workbook()
    data = workbook.active
    data.append([1])
    data.append([2])
    chart = BarChart()
    chart.add_data(Reference(data, min_col=1, min_row=1, max_row=2))
    workbook.create_chartsheet().add_chart(chart)
    workbook.remove(data)
    return _xlsx(workbook)


def _counts(db_session):
    return sorted(
        (c.centre.code, c.field.code, c.quarter, c.dossiers_resolved) for c in db_session.scalars(select(AdminCount))
    )


def test_csv_upload_replaces_each_quarter_it_holds(client, db_session, auth):
    _setup(db_session)
    auth("admin")
    first = HEADER + "24001,ho_tich,2026Q3,120\n24002,dat_dai,2026Q3,40\n24002,dat_dai,2026Q2,9\n"
    assert _upload(client, first.encode("utf-8-sig")).status_code == 302
    second = HEADER + "24001,ho_tich,2026Q3,125\n"
    assert _upload(client, second.encode(), name="anything.txt").status_code == 302
    assert _counts(db_session) == [("24001", "ho_tich", "2026Q3", 125), ("24002", "dat_dai", "2026Q2", 9)]
    details = [
        e.detail
        for e in db_session.scalars(select(AuditLog).where(AuditLog.action == "counts_upload").order_by(AuditLog.id))
    ]
    assert [(d["rows"], d["removed"]) for d in details] == [(3, 0), (1, 2)]


def test_xlsx_is_detected_by_content_whatever_the_name(client, db_session, auth):
    _setup(db_session)
    auth("admin")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["centre_code", "field_code", "quarter", "dossiers_resolved"])
    sheet.append(["24001", "ho_tich", "2026Q3", 7])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert _upload(client, buffer.getvalue(), name="counts.csv").status_code == 302
    assert _counts(db_session) == [("24001", "ho_tich", "2026Q3", 7)]


def test_every_problem_is_reported_and_nothing_is_stored(client, db_session, auth):
    _setup(db_session)
    auth("admin")
    data = HEADER + (
        "24001,ho_tich,2026Q3,10\n"  # fine, but must not be stored
        "99999,ho_tich,2026Q3,5\n"
        "24001,nope,2026Q5,-4\n"
        "24001,ho_tich,2026Q3,11\n"
        "24002,dat_dai,2026Q3,\n"
    )
    response = _upload(client, data.encode())
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    for message in (
        "Dòng 3, cột centre_code: không có trung tâm mã “99999”",
        "Dòng 4, cột field_code: không có lĩnh vực mã hoặc tên “nope”",
        "Dòng 4, cột quarter: “2026Q5” không đúng dạng năm và quý",
        "Dòng 4, cột dossiers_resolved: “-4” không phải số nguyên không âm",
        "Dòng 5, cột centre_code: trùng với dòng 2",
        "Dòng 6, cột dossiers_resolved: bỏ trống",
    ):
        assert message in html, message
    assert _counts(db_session) == []


def test_row_numbers_count_blank_lines(client, db_session, auth):
    """The message names the line an official sees in the spreadsheet, blank lines included."""
    _setup(db_session)
    auth("admin")
    data = HEADER + "24001,ho_tich,2026Q3,10\n\n,,,\n24001,ho_tich,2026Q3,abc\n"
    response = _upload(client, data.encode())
    assert response.status_code == 400
    assert "Dòng 5, cột dossiers_resolved: “abc”" in response.get_data(as_text=True)
    assert _counts(db_session) == []


def test_wrong_files_are_refused_clearly(client, db_session, auth):
    _setup(db_session)
    auth("admin")
    utf16 = (HEADER + "24001,ho_tich,2026Q3,10\n").encode("utf-16")  # Excel's "Unicode text"
    assert "không phải CSV mã hoá UTF-8" in _upload(client, utf16).get_data(as_text=True)
    fake_zip = b"PK\x03\x04" + b"\x00" * 50
    assert "không mở được như bảng tính XLSX" in _upload(client, fake_zip, name="x.xlsx").get_data(as_text=True)
    missing = _upload(client, b"centre,field\n1,2\n").get_data(as_text=True)
    assert "Dòng 1: thiếu cột centre_code, field_code, quarter, dossiers_resolved" in missing
    assert _counts(db_session) == []


def test_officer_uploads_only_for_own_locality(client, db_session, auth):
    a, _ = _setup(db_session)
    auth("officer", a)
    refused = _upload(client, (HEADER + "24001,ho_tich,2026Q3,3\n24002,ho_tich,2026Q3,4\n").encode())
    assert "Dòng 3, cột centre_code: trung tâm “24002” không thuộc địa bàn của bạn" in refused.get_data(as_text=True)
    assert _counts(db_session) == []
    assert _upload(client, (HEADER + "24001,ho_tich,2026Q3,3\n").encode()).status_code == 302
    page = client.get("/admin/counts").get_data(as_text=True)
    assert "Xã A" in page and "Xã B" not in page


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (_xlsx_with_broken_sheet_xml, "không mở được như bảng tính XLSX"),
        (_xlsx_with_only_an_empty_chartsheet, "không có trang tính chứa dữ liệu (chỉ có biểu đồ)"),
        (_xlsx_with_only_a_chart, "không có trang tính chứa dữ liệu (chỉ có biểu đồ)"),
    ],
)
def test_unreadable_workbooks_are_refused_clearly(client, db_session, auth, build, message):
    _setup(db_session)
    auth("admin")
    response = _upload(client, build(), name="counts.xlsx")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _counts(db_session) == []


def test_csv_field_over_the_csv_limit_is_refused_with_its_row(client, db_session, auth):
    _setup(db_session)
    auth("admin")
    data = HEADER + "24001,ho_tich,2026Q3,10\n24002," + "x" * 200_000 + ",2026Q3,4\n"
    response = _upload(client, data.encode())
    assert response.status_code == 400
    assert "Dòng 3: có ô dài quá 131.072 ký tự" in response.get_data(as_text=True)
    assert _counts(db_session) == []


@pytest.mark.slow
def test_45000_row_csv_is_stored_in_one_upload(client, db_session, auth):
    """Issue 14: this valid file took 31 s row by row and the worker was killed; now it is read and inserted in bulk."""
    localities = [make_locality(db_session, code=f"25{i:03d}", name=f"Xã {i}") for i in range(30)]
    for locality in localities:
        make_centre(db_session, locality)
    for i in range(15):
        make_field(db_session, f"f{i}", f"Lĩnh vực {i}")
    db_session.commit()
    auth("admin")
    quarters = [f"{year}Q{q}" for year in range(2001, 2026) for q in range(1, 5)]
    lines = [
        f"{locality.code},f{field},{quarter},{n}"
        for n, (locality, field, quarter) in enumerate(
            (loc, f, qu) for qu in quarters for loc in localities for f in range(15)
        )
    ]
    assert len(lines) == 45_000
    response = _upload_large(client, (HEADER + "\n".join(lines) + "\n").encode())
    assert response.status_code == 302
    assert db_session.scalar(select(func.count()).select_from(AdminCount)) == 45_000
    again = _upload(client, (HEADER + lines[0].rsplit(",", 1)[0] + ",999999\n").encode())
    assert again.status_code == 302
    details = db_session.scalars(
        select(AuditLog.detail).where(AuditLog.action == "counts_upload").order_by(AuditLog.id)
    ).all()
    # the second file replaces its quarter (2001Q1: 30 centres × 15 fields) by its one row
    assert [(d["rows"], d["removed"]) for d in details] == [(45_000, 0), (1, 450)]
    assert db_session.scalar(select(func.count()).select_from(AdminCount)) == 45_000 - 449


def test_declared_dimension_workbook_is_read_through_the_page(client, db_session, auth):
    """The 1.7 KB A1:XFD20000 workbook of issue 14 used to take a worker down; now its two rows are stored."""
    _setup(db_session)
    auth("admin")
    source = zipfile.ZipFile(io.BytesIO(_valid_xlsx()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            content = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                content = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD20000"', content)
            target.writestr(name, content)
    assert _upload(client, buffer.getvalue(), name="counts.xlsx").status_code == 302
    assert _counts(db_session) == [("24001", "ho_tich", "2026Q3", 7)]


@pytest.mark.slow
def test_zip_bomb_is_refused_with_the_limit_named(client, db_session, auth):
    _setup(db_session)
    auth("admin")
    source = zipfile.ZipFile(io.BytesIO(_valid_xlsx()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for name in source.namelist():
            content = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                content = content.replace(b"<sheetData>", b"<sheetData>" + b" " * (200 * 1024 * 1024))
            target.writestr(name, content)
    response = _upload(client, buffer.getvalue(), name="counts.xlsx")
    assert response.status_code == 400
    assert "Tệp XLSX khi giải nén lớn hơn giới hạn 50 MB." in response.get_data(as_text=True)
    assert _counts(db_session) == []
