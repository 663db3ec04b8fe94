"""Read and validate an administrative counts file (số hồ sơ đã giải quyết), CSV or XLSX.

The file is read by `survey.uploads`, which decides the format by content and bounds its
size, rows, columns and reading time. Every row is checked and every problem reported with
its row number and column, in Vietnamese, so the official can fix the whole file at once.
Nothing is stored unless the whole file is valid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from survey.auth.scope import sees_everything
from survey.models import AdminCount, ServiceCentre, ServiceField, User
from survey.uploads import UploadError, read_upload

COLUMNS = ("centre_code", "field_code", "quarter", "dossiers_resolved")
QUARTER = re.compile(r"^[0-9]{4}Q[1-4]$")
COUNT = re.compile(r"^[0-9]{1,9}$")

EMPTY = "Tệp không có dữ liệu."
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


def parse_counts(session: Session, user: User, upload) -> list[CountRow]:
    """Validate the whole file (bytes or an upload) against the database and the user's scope; raise on any problem."""
    try:
        table = read_upload(upload)
    except UploadError as exc:
        raise CountsFileError([exc.message]) from None
    if table is None:
        raise CountsFileError([EMPTY])
    header_line = table.header_line
    header = [cell.strip().lower() for cell in table.header]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise CountsFileError([MISSING_COLUMNS.format(row=header_line, columns=", ".join(missing))])
    position = {name: header.index(name) for name in COLUMNS}
    centres = {c.code: c for c in session.scalars(select(ServiceCentre))}
    fields = {f.code: f.id for f in session.scalars(select(ServiceField))}
    problems: list[str] = []
    rows: list[CountRow] = []
    seen: dict[tuple[str, str, str], int] = {}
    for number, raw in table.rows:
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
    """Insert or update each (centre, field, quarter) in bulk; return (added, updated)."""
    existing = {
        (c.centre_id, c.field_id, c.quarter): c
        for c in session.scalars(
            select(AdminCount).where(AdminCount.quarter.in_({row.quarter for row in rows}))
        )
    }
    added: list[dict] = []
    updated = 0
    for row in rows:
        count = existing.get((row.centre_id, row.field_id, row.quarter))
        if count is None:
            added.append({"centre_id": row.centre_id, "field_id": row.field_id, "quarter": row.quarter,
                          "dossiers_resolved": row.dossiers_resolved})
        elif count.dossiers_resolved != row.dossiers_resolved:
            count.dossiers_resolved = row.dossiers_resolved
            updated += 1
    if added:
        # One executemany, not one ORM object per row: a province's file has tens of thousands.
        session.execute(insert(AdminCount), added)
    return len(added), updated
