"""Bounded upload reader: hostile XLSX and CSV stop at a named limit, never at the worker's death."""

import io
import re
import struct
import zipfile

import openpyxl
import pytest
from werkzeug.datastructures import FileStorage

from survey import uploads
from survey.uploads import UploadError, UploadLimits, read_rows, read_upload

HEADER = ["centre_code", "field_code", "quarter", "dossiers_resolved"]
SHEET = "xl/worksheets/sheet1.xml"


def _xlsx(rows) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _rewrite(data: bytes, name: str, change, compression=zipfile.ZIP_DEFLATED, level=9) -> bytes:
    """The same zip with entry `name` replaced by `change(old bytes)`."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression, compresslevel=level) as target:
        for entry in source.namelist():
            content = source.read(entry)
            target.writestr(entry, change(content) if entry == name else content)
    return buffer.getvalue()


def _declared_dimension_file() -> bytes:
    """The 1.7 KB workbook from issue 14: two real rows, a sheet declaring A1:XFD20000."""
    small = _xlsx([HEADER, ["24001", "ho_tich", "2026Q3", 7]])
    return _rewrite(small, SHEET, lambda xml: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD20000"', xml))


def test_declared_dimension_is_ignored():
    """Before: openpyxl padded 20,000 × 16,384 cells (2.7 GB) from this 1.7 KB file."""
    data = _declared_dimension_file()
    assert len(data) < 8 * 1024
    assert b'ref="A1:XFD20000"' in zipfile.ZipFile(io.BytesIO(data)).read(SHEET)
    table = read_upload(data)
    assert table.header == HEADER
    assert table.rows == [(2, ["24001", "ho_tich", "2026Q3", "7"])]


@pytest.mark.slow
def test_zip_bomb_stops_at_the_uncompressed_limit():
    """A sheet inflating to 200 MB from a few hundred KB is refused before openpyxl reads it."""
    padding = b" " * (200 * 1024 * 1024)
    bomb = _rewrite(_xlsx([HEADER]), SHEET, lambda xml: xml.replace(b"<sheetData>", b"<sheetData>" + padding))
    assert len(bomb) < 1024 * 1024
    with pytest.raises(UploadError) as refused:
        read_upload(bomb)
    assert refused.value.message == "Tệp XLSX khi giải nén lớn hơn giới hạn 50 MB."


def _understate_sizes(data: bytes, name: str, size: int) -> bytes:
    """Patch both the local header and the central directory to claim `name` inflates to `size` bytes."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    info = archive.getinfo(name)
    patched = bytearray(data)
    struct.pack_into("<I", patched, info.header_offset + 22, size)  # local header: uncompressed size
    central = data.index(b"PK\x01\x02")
    while data[central + 46:central + 46 + len(name)] != name.encode():
        central = data.index(b"PK\x01\x02", central + 4)
    struct.pack_into("<I", patched, central + 24, size)  # central directory: uncompressed size
    return bytes(patched)


def test_zip_directory_that_understates_sizes_is_refused():
    """The declared sizes pass the check; inflating the entry shows the lie and stops the read."""
    padding = b" " * (2 * 1024 * 1024)
    large = _rewrite(_xlsx([HEADER]), SHEET, lambda xml: xml.replace(b"<sheetData>", b"<sheetData>" + padding))
    lying = _understate_sizes(large, SHEET, 1000)
    assert zipfile.ZipFile(io.BytesIO(lying)).getinfo(SHEET).file_size == 1000
    with pytest.raises(UploadError) as refused:
        read_upload(lying, UploadLimits(uncompressed_bytes=1024 * 1024))
    assert refused.value.message == uploads.NOT_XLSX


def test_too_many_zip_entries_are_refused():
    data = _xlsx([HEADER])
    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a") as archive:
        for i in range(30):
            archive.writestr(f"junk/{i}.bin", b"")
    with pytest.raises(UploadError, match="quá nhiều thành phần"):
        read_upload(buffer.getvalue(), UploadLimits(zip_entries=20))


def test_a_cell_on_the_last_sheet_row_stops_at_the_row_limit():
    """A sheet whose only other row is numbered 1,000,000 would yield a million empty rows."""
    far = _rewrite(_xlsx([HEADER]), SHEET, lambda xml: xml.replace(
        b"</sheetData>", b'<row r="1000000"><c r="A1000000" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'))
    with pytest.raises(UploadError) as refused:
        read_upload(far)
    assert refused.value.message == "Tệp có hơn 50.000 dòng, vượt giới hạn. Hãy chia thành nhiều tệp nhỏ hơn."


def test_a_cell_in_the_last_column_stops_at_the_column_limit():
    wide = _rewrite(_xlsx([HEADER]), SHEET, lambda xml: xml.replace(
        b"</sheetData>", b'<row r="2"><c r="XFD2" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'))
    with pytest.raises(UploadError) as refused:
        read_upload(wide)
    assert refused.value.message == "Dòng 2: có hơn 50 cột, vượt giới hạn."


def test_empty_trailing_columns_are_not_counted():
    """Spreadsheets often carry formatted but empty cells to the right; only content counts."""
    table = read_upload(_xlsx([HEADER, ["24001", "ho_tich", "2026Q3", 7] + [None] * 80 + [""]]))
    assert table.rows == [(2, ["24001", "ho_tich", "2026Q3", "7"] + [""] * 46)]


def test_csv_of_45000_rows_is_read_whole():
    """Issue 14's valid 45,000-row file: read in full with its line numbers."""
    lines = [",".join(HEADER)] + [f"c{i % 30},f{i % 15},{2000 + i // 1800}Q{1 + i % 4},{i}" for i in range(45_000)]
    table = read_upload(("\n".join(lines) + "\n").encode())
    assert len(table.rows) == 45_000
    assert table.rows[-1] == (45_001, ["c29", "f14", "2024Q4", "44999"])


def test_csv_over_the_row_limit_names_the_limit():
    data = ("a\n" + "1\n" * 11).encode()
    with pytest.raises(UploadError) as refused:
        read_upload(data, UploadLimits(rows=10))
    assert refused.value.message == "Tệp có hơn 10 dòng, vượt giới hạn. Hãy chia thành nhiều tệp nhỏ hơn."


def test_compressed_size_is_bounded_before_parsing():
    stream = io.BytesIO(b"a,b\n" * 150_000)
    with pytest.raises(UploadError) as refused:
        read_upload(FileStorage(stream, "x.csv"), UploadLimits(compressed_bytes=1024 * 1024 // 2))
    assert refused.value.message == "Tệp lớn hơn giới hạn 0,5 MB."


def test_reading_time_is_bounded():
    data = ("a\n" + "1\n" * 1000).encode()
    with pytest.raises(UploadError) as refused:
        read_upload(data, UploadLimits(seconds=0))
    assert refused.value.message == "Đọc tệp quá 0 giây, đã dừng. Hãy chia thành nhiều tệp nhỏ hơn."


def test_non_utf8_csv_names_the_line():
    data = "a,b\nHà Nội,1\n".encode("utf-8") + "Đăk Lăk,2\n".encode("cp1258")  # Windows Vietnamese code page
    with pytest.raises(UploadError) as refused:
        read_upload(data)
    assert "CSV mã hoá UTF-8 (byte không hợp lệ ở dòng 3)" in refused.value.message


def test_broken_csv_names_the_line():
    with pytest.raises(UploadError) as refused:
        read_upload(b'a,b\n1,2\n3,"4\x00\n', UploadLimits())
    assert refused.value.message.startswith("Dòng 3:")


def test_control_characters_in_a_cell_are_refused_with_their_line():
    with pytest.raises(UploadError) as refused:
        read_upload(b"a,b\n1,2\n3,x\x01y\n")
    assert refused.value.message == (
        "Dòng 3: có ký tự điều khiển không hiển thị được (mã U+0001). Hãy xoá ký tự này rồi tải lại."
    )


def test_multi_line_cells_keep_later_line_numbers():
    table = read_upload(b'a,b\n1,"two\nlines"\n\n3,4\n')
    assert table.rows == [(2, ["1", "two\nlines"]), (5, ["3", "4"])]


def test_path_and_file_storage_sources_read_alike(tmp_path):
    data = _xlsx([HEADER, ["24001", "ho_tich", "2026Q3", 7]])
    path = tmp_path / "counts.xlsx"
    path.write_bytes(data)
    from_path = read_rows(path)
    assert from_path == read_rows(str(path)) == read_rows(FileStorage(io.BytesIO(data), "counts.xlsx"))
    assert from_path == [(1, HEADER), (2, ["24001", "ho_tich", "2026Q3", "7"])]


def test_broken_zip_is_refused_as_not_xlsx():
    with pytest.raises(UploadError) as refused:
        read_upload(b"PK\x03\x04" + b"\x00" * 50)
    assert refused.value.message == uploads.NOT_XLSX


def test_blank_file_has_no_table():
    assert read_upload(b"\n\n ,\n") is None


def _openpyxl_text(value) -> str:
    """How the reader before issue 23 (openpyxl, read-only, data only) turned a value into text."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def test_the_streaming_reader_reads_what_openpyxl_reads():
    """Issue 23 replaced openpyxl's reader; every kind of value an official's file holds reads the same."""
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(["24001", "Hộ tịch", "2026Q3", 7])
    sheet.append([24002, "  đất đai ", "Quý 3/2026", 7.0])
    sheet.append([None, None, None, None])
    sheet.append(["tinh", True, 2.5, -3])
    sheet.append([CellRichText("Trung tâm ", TextBlock(InlineFont(b=True), "tỉnh")), 1e20, False, "=1+1"])
    sheet["F8"] = "xa"
    data = io.BytesIO()
    workbook.save(data)
    expected = openpyxl.load_workbook(io.BytesIO(data.getvalue()), read_only=True, data_only=True).active
    rows = {line: cells for line, cells in read_rows(data.getvalue())}
    for line, values in enumerate(expected.iter_rows(values_only=True), start=1):
        texts = [_openpyxl_text(v) for v in values]
        while texts and not texts[-1]:
            texts.pop()
        got = rows[line]
        while got and not got[-1]:
            got.pop()
        assert got == texts, line
