"""Issue 23's hostile spreadsheets: each is refused by the bound it crosses, named in Vietnamese.

The attacker is an officer (or anyone holding an officer's session) uploading to /admin/counts
or the leaders' roster. Time and memory are measured by bench/upload_bombs.py, one process per
bomb (docs/benchmarks.md); these tests check what is refused and what the answer repeats.
"""

import io
import zipfile

import pytest

from bench import upload_bombs
from survey import uploads
from survey.uploads import UploadError, UploadLimits, read_upload
from tests.factories import make_centre, make_field, make_locality

REFUSALS = {
    "empty_cells": "Dòng 2: tệp có hơn 300.000 ô (kể cả ô trống), vượt giới hạn. "
                   "Hãy xoá các ô thừa hoặc chia nhỏ tệp.",
    "styles": "Phần định dạng (styles) của tệp XLSX lớn hơn giới hạn 5 MB. "
              "Hãy chép dữ liệu sang một bảng tính mới (chỉ dán giá trị) rồi tải lại.",
    "shared_strings": "Tệp XLSX có hơn 100.000 chuỗi văn bản dùng chung, vượt giới hạn.",
    "long_cell": "Dòng 2, cột A: ô dài hơn giới hạn 1.000 ký tự (bắt đầu bằng “" + "A" * 40 + "…”).",
    "long_inline_cell": "Dòng 2, cột B: ô dài hơn giới hạn 1.000 ký tự (bắt đầu bằng “" + "A" * 40 + "…”).",
    "unknown_elements": "Phần “xl/worksheets/sheet1.xml” của tệp XLSX có hơn 1.000.000 thành phần XML, "
                        "không phải bảng tính thông thường.",
    "wide_csv": "Dòng 2: tệp có hơn 300.000 ô (kể cả ô trống), vượt giới hạn. Hãy xoá các ô thừa hoặc chia nhỏ tệp.",
}


@pytest.mark.parametrize("name", sorted(REFUSALS))
def test_each_bomb_is_refused_by_its_named_bound(name):
    data = upload_bombs.BOMBS[name]()
    assert len(data) < 5 * 1024 * 1024
    with pytest.raises(UploadError) as refused:
        read_upload(data)
    assert refused.value.message == REFUSALS[name]


def test_the_bombs_are_as_small_as_the_issue_says():
    """Issue 23: 40 KB (empty cells), 125 KB (styles), 105 KB (shared strings), 47 KB (one cell)."""
    sizes = {name: len(upload_bombs.BOMBS[name]()) // 1024
             for name in ("empty_cells", "styles", "shared_strings", "long_cell")}
    assert all(size < 200 for size in sizes.values()), sizes


def test_the_baseline_file_is_read_whole():
    table = read_upload(upload_bombs.valid())
    assert table.header == list(upload_bombs.HEADER)
    assert table.rows == [(2, ["24001", "ho_tich", "2026Q3", "7"])]


def test_a_long_csv_cell_is_refused_with_an_excerpt_only():
    data = b"centre_code,field_code\n24001," + b"B" * 5000 + b"\n"
    with pytest.raises(UploadError) as refused:
        read_upload(data)
    assert refused.value.message == (
        "Dòng 2, cột 2: ô dài hơn giới hạn 1.000 ký tự (bắt đầu bằng “" + "B" * 40 + "…”).")


def test_a_doctype_is_refused_so_no_entity_expands():
    """A billion-laughs sheet: entities are never declared, let alone expanded."""
    data = upload_bombs.xlsx(b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row>')
    source, buffer = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for name in source.namelist():
            content = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                content = content.replace(b"?>", b'?><!DOCTYPE worksheet [<!ENTITY lol "lol">'
                                          b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>', 1)
            target.writestr(name, content)
    with pytest.raises(UploadError) as refused:
        read_upload(buffer.getvalue())
    assert refused.value.message == uploads.NOT_XLSX


def test_cells_shared_strings_and_length_bounds_follow_the_limits():
    rows = b"".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>'.encode() for r in range(1, 12))
    with pytest.raises(UploadError, match="hơn 10 ô"):
        read_upload(upload_bombs.xlsx(rows), UploadLimits(cells=10))
    assert len(read_upload(upload_bombs.xlsx(rows), UploadLimits(cells=11)).rows) == 10


def _setup(db_session):
    make_centre(db_session, make_locality(db_session, code="24001", name="Xã A"))
    make_field(db_session, "ho_tich")
    db_session.commit()


def test_the_counts_page_answers_a_bomb_with_400_and_the_named_bound(client, auth, db_session):
    _setup(db_session)
    auth("admin")
    answer = client.post("/admin/counts", data={"file": (io.BytesIO(upload_bombs.empty_cells()), "x.xlsx")},
                         content_type="multipart/form-data")
    assert answer.status_code == 400
    assert "tệp có hơn 300.000 ô (kể cả ô trống)" in answer.get_data(as_text=True)


def test_the_counts_page_repeats_only_an_excerpt_of_a_bad_cell(client, auth, db_session):
    """Issue 23: a 45 MB cell came back in a 47.2 MB error page; a bad value now shows 40 characters."""
    _setup(db_session)
    auth("admin")
    bad = "Z" * 900
    data = f"centre_code,field_code,quarter,dossiers_resolved\n{bad},ho_tich,2026Q3,{bad}\n".encode()
    answer = client.post("/admin/counts", data={"file": (io.BytesIO(data), "x.csv")},
                         content_type="multipart/form-data")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert "Z" * 40 + "…" in page
    assert "Z" * 41 not in page
