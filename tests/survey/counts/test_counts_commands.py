"""`flask counts import` and `flask counts template`: the admin upload's checks on the command line."""

import io

import openpyxl
from sqlalchemy import select

from survey.models import AdminCount
from tests.factories import make_centre, make_field, make_locality


def _places(db_session):
    a = make_centre(db_session, make_locality(db_session, code="24001", name="Xã A"))
    b = make_centre(db_session, make_locality(db_session, code="24002", name="Xã B"))
    make_field(db_session, "ho_tich", "Hộ tịch")
    make_field(db_session, "dat_dai", "Đất đai")
    db_session.commit()
    return a, b


def _counts(db_session):
    return sorted((c.centre.code, c.field.code, c.quarter, c.dossiers_resolved)
                  for c in db_session.scalars(select(AdminCount)))


def test_import_then_reimport_replaces_the_quarter(runner, db_session, tmp_path):
    _places(db_session)
    first = tmp_path / "q4.csv"
    first.write_text("centre_code,field_code,quarter,dossiers_resolved\n"
                     "24001,ho_tich,2026Q4,120\n24002,dat_dai,2026Q4,40\n", encoding="utf-8")
    result = runner.invoke(args=["counts", "import", str(first), "--quarter", "2026Q4"])
    assert result.exit_code == 0, result.output
    assert "đã nhập 2 số liệu, thay 0 số liệu nhập trước đó" in result.output
    again = tmp_path / "q4b.csv"
    again.write_text("centre_code,field_code,dossiers_resolved\n24001,dat_dai,7\n", encoding="utf-8")
    result = runner.invoke(args=["counts", "import", str(again), "--quarter", "2026Q4"])
    assert result.exit_code == 0, result.output
    assert _counts(db_session) == [("24001", "dat_dai", "2026Q4", 7)]


def test_vietnamese_headers_and_field_names(runner, db_session, tmp_path):
    _places(db_session)
    workbook = openpyxl.Workbook()
    workbook.active.append(["Mã trung tâm", "Lĩnh vực", "Quý", "Số hồ sơ đã giải quyết"])
    workbook.active.append(["24001", "Hộ tịch", "Quý 4/2026", 15])
    workbook.active.append(["24002", "dat_dai", "2026Q4", 3])
    path = tmp_path / "so-ho-so.xlsx"
    workbook.save(path)
    result = runner.invoke(args=["counts", "import", str(path), "--quarter", "2026Q4"])
    assert result.exit_code == 0, result.output
    assert _counts(db_session) == [("24001", "ho_tich", "2026Q4", 15), ("24002", "dat_dai", "2026Q4", 3)]


def test_bad_rows_are_named_by_row_and_column_and_nothing_is_stored(runner, db_session, tmp_path):
    _places(db_session)
    path = tmp_path / "bad.csv"
    path.write_text(
        "Mã trung tâm,Lĩnh vực,Quý,Số hồ sơ đã giải quyết\n"
        "24001,Hộ tịch,2026Q4,10\n"
        "99999,Hộ tịch,2026Q4,1\n"
        "24002,Xây dựng,2026Q4,2.5\n"
        "24001,ho_tich,2026Q4,11\n"
        "24002,dat_dai,2026Q3,-1\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["counts", "import", str(path), "--quarter", "2026Q4"])
    assert result.exit_code == 2
    for message in (
        "Dòng 3, cột Mã trung tâm: không có trung tâm mã “99999”",
        "Dòng 4, cột Lĩnh vực: không có lĩnh vực mã hoặc tên “Xây dựng”",
        "Dòng 4, cột Số hồ sơ đã giải quyết: “2.5” không phải số nguyên không âm",
        "Dòng 5, cột Mã trung tâm: trùng với dòng 2",
        "Dòng 6, cột Quý: quý “2026Q3” khác quý đang nhập 2026Q4",
        "Dòng 6, cột Số hồ sơ đã giải quyết: “-1” không phải số nguyên không âm",
    ):
        assert message in result.output, message
    assert "6 lỗi, chưa nhập dòng nào" in result.output
    assert _counts(db_session) == []


def test_bad_arguments_exit_2_with_one_line(runner, db_session, tmp_path):
    _places(db_session)
    result = runner.invoke(args=["counts", "import", str(tmp_path / "missing.csv"), "--quarter", "2026Q4"])
    assert result.exit_code == 2 and "không đọc được tệp" in result.output
    result = runner.invoke(args=["counts", "import", str(tmp_path / "x.csv"), "--quarter", "Q9"])
    assert result.exit_code == 2 and "--quarter: “Q9” không phải một quý" in result.output


def test_template_lists_every_centre_and_field_and_imports_once_filled(runner, db_session, tmp_path):
    _places(db_session)
    out = tmp_path / "mau.xlsx"
    result = runner.invoke(args=["counts", "template", "--out", str(out), "--quarter", "2026Q4"])
    assert result.exit_code == 0, result.output
    workbook = openpyxl.load_workbook(out)
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Mã trung tâm" and rows[0][-1] == "Số hồ sơ đã giải quyết"
    assert sorted((r[0], r[2]) for r in rows[1:]) == sorted(
        (c, f) for c in ("24001", "24002") for f in ("Hộ tịch", "Đất đai"))
    for number, row in enumerate(sheet.iter_rows(min_row=2), start=1):
        row[4].value = number
    workbook.save(out)
    result = runner.invoke(args=["counts", "import", str(out), "--quarter", "2026Q4"])
    assert result.exit_code == 0, result.output
    assert sum(c[3] for c in _counts(db_session)) == 1 + 2 + 3 + 4


def test_admin_page_offers_the_template(client, db_session, auth):
    a, _ = _places(db_session)
    auth("officer", a.locality)
    response = client.get("/admin/counts/template.xlsx?quarter=2026Q4")
    assert response.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(response.data)).worksheets[0].iter_rows(values_only=True))
    assert {r[0] for r in rows[1:]} == {"24001"}  # an officer's template holds their own centres
    assert {r[3] for r in rows[1:]} == {"2026Q4"}
    assert "counts/template.xlsx" in client.get("/admin/counts").get_data(as_text=True)
