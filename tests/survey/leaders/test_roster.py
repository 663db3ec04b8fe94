"""Importing the roster: CSV or XLSX, codes or Vietnamese labels, every bad row named, all or none."""

from __future__ import annotations

import io
import unicodedata

from openpyxl import Workbook
from sqlalchemy import func, select

from survey.models import LeaderInvitation

GOOD_CSV = (
    "Nhóm,Đơn vị,Họ và tên,Điện thoại,Email\n"
    "Lãnh đạo sở, ban, ngành,Sở Nội vụ,Nguyễn Văn An,0912 345 678,an@daklak.gov.vn\n"
).replace("Lãnh đạo sở, ban, ngành", '"Lãnh đạo sở, ban, ngành"') + (
    f"lanh_dao_xa,UBND xã  Ea Kao,{unicodedata.normalize('NFD', 'Trần Thị Bình')},,\n"  # decomposed, two spaces
    "  đại biểu hội đồng nhân dân tỉnh ,HĐND tỉnh,H' Hen Niê,,\n"
)
BAD_CSV = (
    "group,unit,full_name,phone,email\n"
    "lanh_dao_so,Sở Tài chính,Lê Văn Cường,0905000111,\n"          # 2: good
    "giam_doc,Sở Xây dựng,Phạm Văn Dũng,,\n"                        # 3: unknown group
    "lanh_dao_xa,,Võ Thị Em,,\n"                                    # 4: empty unit
    "lanh_dao_so,Sở Tài chính,Lê Văn  Cường,,\n"                   # 5: same person as row 2
    "truong_phong,Sở Y tế,Đỗ Văn Giang,12ab,giang-at-yte\n"          # 6: bad phone and email
)


def _count(db_session) -> int:
    db_session.expire_all()
    return db_session.scalar(select(func.count()).select_from(LeaderInvitation))


def _xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_cli_imports_a_csv_with_vietnamese_headers_and_labels(runner, db_session, leader_wave, tmp_path):
    path = tmp_path / "danh-sach.csv"
    path.write_text(GOOD_CSV, encoding="utf-8-sig")
    result = runner.invoke(args=["leaders", "import", str(path), "--wave", leader_wave.code])
    assert result.exit_code == 0, result.output
    assert "Đã nhập 3 người" in result.output
    rows = {i.full_name: i for i in db_session.scalars(select(LeaderInvitation))}
    assert rows["Nguyễn Văn An"].group_code == "lanh_dao_so"
    assert rows["Nguyễn Văn An"].phone == "0912 345 678"
    assert rows["Trần Thị Bình"].group_code == "lanh_dao_xa" and rows["Trần Thị Bình"].email is None
    assert rows["Trần Thị Bình"].unit == "UBND xã Ea Kao"  # stored composed, spaces collapsed
    assert rows["H' Hen Niê"].group_code == "dai_bieu_hdnd"
    assert len({i.token_hash for i in rows.values()}) == 3


def test_every_bad_row_is_reported_and_nothing_is_imported(runner, db_session, leader_wave, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(BAD_CSV, encoding="utf-8")
    result = runner.invoke(args=["leaders", "import", str(path), "--wave", leader_wave.code])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith("Dòng")]
    assert [line.split(",")[0] for line in lines] == ["Dòng 3", "Dòng 4", "Dòng 5", "Dòng 6", "Dòng 6"]
    assert "không có nhóm “giam_doc”" in lines[0]
    assert "cột Đơn vị: bỏ trống" in lines[1]
    assert "trùng với dòng 2" in lines[2]
    assert "cột Điện thoại" in lines[3] and "cột Email" in lines[4]
    assert _count(db_session) == 0


def test_the_same_person_cannot_be_imported_twice_into_a_wave(runner, db_session, leader_wave, tmp_path):
    path = tmp_path / "danh-sach.csv"
    path.write_text(GOOD_CSV, encoding="utf-8")
    assert runner.invoke(args=["leaders", "import", str(path), "--wave", leader_wave.code]).exit_code == 0
    again = runner.invoke(args=["leaders", "import", str(path), "--wave", leader_wave.code])
    assert again.exit_code == 1 and again.output.count("đã có trong danh sách của đợt này") == 3
    assert _count(db_session) == 3


def test_admin_uploads_an_xlsx_and_sees_errors_by_row(client, auth, db_session, leader_wave):
    auth("admin")
    url = f"/admin/leaders/{leader_wave.code}/roster"
    bad = _xlsx([("Nhóm", "Đơn vị", "Họ và tên"), ("lanh_dao_so", "Sở Nội vụ", ""),
                 ("khong_ro", "Sở Nội vụ", "Ngô Văn Hải")])
    response = client.post(url, data={"file": (io.BytesIO(bad), "ds.xlsx")},
                           content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Dòng 2, cột Họ và tên: bỏ trống" in html and "Dòng 3, cột Nhóm" in html
    assert _count(db_session) == 0
    good = _xlsx([("Nhóm", "Đơn vị", "Họ và tên"), ("lanh_dao_so", "Sở Nội vụ", "Ngô Văn Hải")])
    response = client.post(url, data={"file": (io.BytesIO(good), "ds.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 302 and _count(db_session) == 1
    assert "Ngô Văn Hải" in client.get(url).get_data(as_text=True)


def test_unreadable_and_empty_files_are_refused_in_vietnamese(client, auth, db_session, leader_wave):
    auth("admin")
    url = f"/admin/leaders/{leader_wave.code}/roster"
    for body in (b"PK\x03\x04 not a workbook", "Nhóm,Đơn vị\n".encode("utf-16"), b"",
                 "Nhóm,Họ và tên\nlanh_dao_so,Ai đó\n".encode()):
        response = client.post(url, data={"file": (io.BytesIO(body), "ds.csv")},
                               content_type="multipart/form-data")
        assert response.status_code in (200, 400)
        assert "alert" in response.get_data(as_text=True)
    assert _count(db_session) == 0


def test_template_download_has_the_vietnamese_headers(client, auth):
    auth("admin")
    response = client.get("/admin/leaders/roster-template.csv")
    assert response.status_code == 200
    assert response.data.decode("utf-8-sig").strip() == "Nhóm,Đơn vị,Họ và tên,Điện thoại,Email"


def test_only_province_admins_see_the_roster(client, auth, leader_wave):
    auth("analyst")
    assert client.get(f"/admin/leaders/{leader_wave.code}/roster").status_code == 403
    assert client.get(f"/admin/leaders/{leader_wave.code}/progress").status_code == 403
    assert client.get(f"/admin/reports/{leader_wave.code}").status_code == 200  # the PAR score is its report


def test_a_roster_beyond_the_row_bound_is_refused_whole(runner, db_session, leader_wave, tmp_path):
    from survey.leaders.roster import MAX_ROWS

    path = tmp_path / "qua-dai.csv"
    rows = "".join(f"lanh_dao_xa,Xã {n},Người {n},,\n" for n in range(MAX_ROWS + 1))
    path.write_text("group,unit,full_name\n" + rows, encoding="utf-8")
    result = runner.invoke(args=["leaders", "import", str(path), "--wave", leader_wave.code])
    assert result.exit_code == 1 and "vượt giới hạn" in result.output
    assert _count(db_session) == 0


def test_an_official_creates_the_leaders_wave_of_a_quarter_beside_the_citizens_one(client, auth, db_session):
    from survey.models import Wave
    from tests.factories import LEADERS_FILE, make_version, make_wave

    make_wave(db_session, code="2026Q3")
    version = make_version(db_session, LEADERS_FILE)
    db_session.commit()
    auth("admin")
    response = client.post("/admin/waves/new", data={
        "code": "PAR-2026Q3", "questionnaire_version_id": version.id,
        "opens_on": "2026-07-01", "closes_on": "2026-09-30"})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert db_session.scalar(select(Wave).where(Wave.code == "PAR-2026Q3")) is not None
    assert "PAR-2026Q3" in client.get("/admin/leaders/").get_data(as_text=True)
