"""Read and validate an administrative counts file (số hồ sơ đã giải quyết), CSV or XLSX.

The format is decided by content, not by file name: an XLSX file is a ZIP archive (it starts
with PK\\x03\\x04) that openpyxl can open; anything else must be UTF-8 CSV. Every row is
checked and every problem reported with its row number and column, in Vietnamese, so the
official can fix the whole file at once. Nothing is stored unless the whole file is valid.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.models import AdminCount, ServiceCentre, ServiceField, User
from survey.auth.scope import sees_everything

COLUMNS = ("centre_code", "field_code", "quarter", "dossiers_resolved")
QUARTER = re.compile(r"^[0-9]{4}Q[1-4]$")
COUNT = re.compile(r"^[0-9]{1,9}$")
ZIP_MAGIC = b"PK\x03\x04"

NOT_XLSX = "Tệp có dạng ZIP nhưng không mở được như bảng tính XLSX."
NOT_CSV = "Tệp không phải XLSX và cũng không phải CSV mã hoá UTF-8. Hãy lưu lại dưới dạng CSV UTF-8 hoặc XLSX."
EMPTY = "Tệp không có dữ liệu."
NO_WORKSHEET = "Bảng tính XLSX không có trang tính chứa dữ liệu (chỉ có biểu đồ)."
FIELD_TOO_LONG = "Dòng {row}: có ô dài quá {limit} ký tự, không đọc được tệp như CSV."
MISSING_COLUMNS = "Dòng {row}: thiếu cột {columns}. Dòng tiêu đề phải có: " + ", ".join(COLUMNS) + "."
ROW = "Dòng {row}, cột {column}: {problem}"
EMPTY_CELL = "bỏ trống"
UNKNOWN_CENTRE = "không có trung tâm mã “{value}”"
OUT_OF_SCOPE = "trung tâm “{value}” không thuộc địa bàn của bạn"
UNKNOWN_FIELD = "không có lĩnh vực mã “{value}”"
BAD_QUARTER = "“{value}” không đúng dạng năm và quý, ví dụ 2026Q3"
BAD_COUNT = "“{value}” không phải số nguyên không âm"
DUPLICATE = "trùng với dòng {first} (cùng trung tâm, lĩnh vực và quý)"


class CountsFileError(ValueError):
    """The file cannot be used; `problems` lists every reason, row by row."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class CountRow:
    row: int
    centre_id: int
    field_id: int
    quarter: str
    dossiers_resolved: int


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


def parse_counts(session: Session, user: User, data: bytes) -> list[CountRow]:
    """Validate the whole file against the database and the user's scope; raise on any problem."""
    # Keep each row's line number in the file, so messages point at the right line even when
    # blank lines are skipped.
    table = [(number, row) for number, row in enumerate(read_table(data), start=1) if any(row)]
    if not table:
        raise CountsFileError([EMPTY])
    header_line, header_row = table[0]
    header = [cell.strip().lower() for cell in header_row]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise CountsFileError([MISSING_COLUMNS.format(row=header_line, columns=", ".join(missing))])
    position = {name: header.index(name) for name in COLUMNS}
    centres = {c.code: c for c in session.scalars(select(ServiceCentre))}
    fields = {f.code: f.id for f in session.scalars(select(ServiceField))}
    problems: list[str] = []
    rows: list[CountRow] = []
    seen: dict[tuple[str, str, str], int] = {}
    for number, raw in table[1:]:
        values = {name: (raw[i] if i < len(raw) else "") for name, i in position.items()}
        found = _check_row(values, centres, fields, user)
        key = (values["centre_code"], values["field_code"], values["quarter"])
        if not found and key in seen:
            found.append(("centre_code", DUPLICATE.format(first=seen[key])))
        seen.setdefault(key, number)
        problems.extend(ROW.format(row=number, column=col, problem=p) for col, p in found)
        if not found:
            rows.append(CountRow(number, centres[key[0]].id, fields[key[1]], key[2], int(values["dossiers_resolved"])))
    if problems:
        raise CountsFileError(problems)
    if not rows:
        raise CountsFileError([EMPTY])
    return rows


def _check_row(values: dict[str, str], centres, fields, user: User) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for column in COLUMNS:
        if not values[column]:
            found.append((column, EMPTY_CELL))
    centre = centres.get(values["centre_code"])
    if values["centre_code"] and centre is None:
        found.append(("centre_code", UNKNOWN_CENTRE.format(value=values["centre_code"])))
    elif centre is not None and not sees_everything(user) and centre.locality_id != user.locality_id:
        found.append(("centre_code", OUT_OF_SCOPE.format(value=values["centre_code"])))
    if values["field_code"] and values["field_code"] not in fields:
        found.append(("field_code", UNKNOWN_FIELD.format(value=values["field_code"])))
    if values["quarter"] and not QUARTER.match(values["quarter"]):
        found.append(("quarter", BAD_QUARTER.format(value=values["quarter"])))
    count = values["dossiers_resolved"]
    if count and not COUNT.match(count):
        found.append(("dossiers_resolved", BAD_COUNT.format(value=count)))
    return found


def upsert_counts(session: Session, rows: list[CountRow]) -> tuple[int, int]:
    """Insert or update each (centre, field, quarter); return (added, updated)."""
    added = updated = 0
    for row in rows:
        existing = session.scalar(
            select(AdminCount).where(
                AdminCount.centre_id == row.centre_id,
                AdminCount.field_id == row.field_id,
                AdminCount.quarter == row.quarter,
            )
        )
        if existing is None:
            session.add(AdminCount(centre_id=row.centre_id, field_id=row.field_id, quarter=row.quarter,
                                   dossiers_resolved=row.dossiers_resolved))
            added += 1
        elif existing.dossiers_resolved != row.dossiers_resolved:
            existing.dossiers_resolved = row.dossiers_resolved
            updated += 1
    return added, updated
