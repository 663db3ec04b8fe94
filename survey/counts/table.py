"""Read an uploaded table (CSV or XLSX) into rows of text cells.

The format is decided by content, not by file name: an XLSX file is a ZIP archive (it starts
with PK\\x03\\x04) that openpyxl can open; anything else must be UTF-8 CSV.
"""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

ZIP_MAGIC = b"PK\x03\x04"

NOT_XLSX = "Tệp có dạng ZIP nhưng không mở được như bảng tính XLSX."
NOT_CSV = "Tệp không phải XLSX và cũng không phải CSV mã hoá UTF-8. Hãy lưu lại dưới dạng CSV UTF-8 hoặc XLSX."
NO_WORKSHEET = "Bảng tính XLSX không có trang tính chứa dữ liệu (chỉ có biểu đồ)."
FIELD_TOO_LONG = "Dòng {row}: có ô dài quá {limit} ký tự, không đọc được tệp như CSV."


class CountsFileError(ValueError):
    """The file cannot be used; `problems` lists every reason, row by row."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def read_table(data: bytes) -> list[list[str]]:
    """The file's rows as lists of stripped strings, header first."""
    if data.startswith(ZIP_MAGIC):
        return _read_xlsx(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CountsFileError([NOT_CSV]) from None
    return _read_csv(text)


def _read_xlsx(data: bytes) -> list[list[str]]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        # openpyxl fails on untrusted bytes with whatever its zip, XML or model layer raises
        # (BadZipFile, ParseError, KeyError, AttributeError, ...); all mean "not a usable XLSX".
        raise CountsFileError([NOT_XLSX]) from None
    try:
        sheets = workbook.worksheets  # chartsheets are not listed here
        # read-only sheets parse their XML lazily, so a broken sheet fails only while iterating
        rows = [[_cell_text(v) for v in row] for row in sheets[0].iter_rows(values_only=True)] if sheets else None
    except Exception:  # as above: any openpyxl failure means an unusable file
        raise CountsFileError([NOT_XLSX]) from None
    finally:
        workbook.close()
    if rows is None:
        raise CountsFileError([NO_WORKSHEET])
    return rows


def _read_csv(text: str) -> list[list[str]]:
    rows: list[list[str]] = []
    try:
        for row in csv.reader(io.StringIO(text)):
            rows.append([cell.strip() for cell in row])
    except csv.Error as exc:
        if "field limit" in str(exc):
            limit = f"{csv.field_size_limit():,}".replace(",", ".")
            raise CountsFileError([FIELD_TOO_LONG.format(row=len(rows) + 1, limit=limit)]) from None
        raise CountsFileError([NOT_CSV]) from None
    return rows


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
