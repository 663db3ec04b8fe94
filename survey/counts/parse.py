"""Validate a dossier counts table and store it, a whole quarter at a time.

Headers may be English (`centre_code, field_code, quarter, dossiers_resolved`) or Vietnamese
(`Mã trung tâm, Lĩnh vực, Quý, Số hồ sơ đã giải quyết`); a field may be given by its code or
its name. Every row is checked and every problem reported with its row number and column, in
Vietnamese, so the official can fix the whole file at once. Nothing is stored unless the whole
file is valid, and storing a quarter replaces that quarter's counts in one transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from survey.auth.scope import sees_everything
from survey.models import AdminCount, ServiceCentre, ServiceField, User
from survey.quarters import QUARTER
from survey.uploads import EMPTY_CELL, ROW_PROBLEM, UploadProblems, excerpt, header_columns, read_table
from survey.uploads import normalise_header as normalise

COLUMNS = ("centre_code", "field_code", "quarter", "dossiers_resolved")
VIETNAMESE_HEADERS = {
    "centre_code": "Mã trung tâm",
    "field_code": "Lĩnh vực",
    "quarter": "Quý",
    "dossiers_resolved": "Số hồ sơ đã giải quyết",
}
# "Q4/2026", "Quý 4/2026", "quý 4 - 2026" are read as 2026Q4.
QUARTER_VI = re.compile(r"^(?:q|quý)\s*([1-4])\s*[/\-\s]\s*([0-9]{4})$")
COUNT = re.compile(r"^[0-9]{1,9}$")

EMPTY = "Tệp không có dữ liệu."
MISSING_COLUMNS = (
    "Dòng {row}: thiếu cột {columns}. Dòng tiêu đề phải có: " + ", ".join(COLUMNS)
    + " (hoặc " + ", ".join(VIETNAMESE_HEADERS.values()) + ")."
)
UNKNOWN_CENTRE = "không có trung tâm mã “{value}”"
OUT_OF_SCOPE = "trung tâm “{value}” không thuộc địa bàn của bạn"
UNKNOWN_FIELD = "không có lĩnh vực mã hoặc tên “{value}”"
BAD_QUARTER = "“{value}” không đúng dạng năm và quý, ví dụ 2026Q3"
OTHER_QUARTER = "quý “{value}” khác quý đang nhập {quarter}"
BAD_COUNT = "“{value}” không phải số nguyên không âm"
DUPLICATE = "trùng với dòng {first} (cùng trung tâm, lĩnh vực và quý)"


class CountsFileError(UploadProblems):
    """The file cannot be used; `problems` lists every reason, row by row."""


@dataclass(frozen=True)
class CountRow:
    row: int
    centre_id: int
    field_id: int
    quarter: str
    dossiers_resolved: int


HEADER_NAMES = {normalise(name): name for name in COLUMNS} | {
    normalise(vi): column for column, vi in VIETNAMESE_HEADERS.items()
}


def read_quarter(text: str) -> str | None:
    """`text` as a quarter code such as 2026Q3, or None when it is not one."""
    compact = text.strip().upper().replace(" ", "")
    if QUARTER.match(compact):
        return compact
    match = QUARTER_VI.match(normalise(text))
    return f"{match.group(2)}Q{match.group(1)}" if match else None


def parse_counts(session: Session, user: User | None, upload, quarter: str | None = None) -> list[CountRow]:
    """Validate the whole file (bytes or an uploaded file, read by `survey.uploads` within its
    bounds) against the database and the user's scope; raise on any problem.

    `user` None is the command line, which sees every centre. With `quarter`, the quarter
    column may be left out, and any row naming another quarter is an error.
    """
    table = read_table(upload, CountsFileError, EMPTY)
    header_line, found_columns = table.header_line, header_columns(table.header, HEADER_NAMES)
    position = {column: index for column, (index, _) in found_columns.items()}
    label = {column: cell for column, (_, cell) in found_columns.items()}
    required = [c for c in COLUMNS if not (c == "quarter" and quarter)]
    missing = [c for c in required if c not in position]
    if missing:
        raise CountsFileError([MISSING_COLUMNS.format(row=header_line, columns=", ".join(missing))])
    lookup = _Lookup(session, user)
    problems: list[str] = []
    rows: list[CountRow] = []
    seen: dict[tuple[int, int, str], int] = {}
    for number, raw in table.rows:
        values = {name: (raw[i] if i < len(raw) else "") for name, i in position.items()}
        if not values.get("quarter"):
            values["quarter"] = quarter or ""
        found, row = lookup.check(number, values, quarter)
        if row is not None:
            key = (row.centre_id, row.field_id, row.quarter)
            if key in seen:
                found.append(("centre_code", DUPLICATE.format(first=seen[key])))
            seen.setdefault(key, number)
        problems.extend(ROW_PROBLEM.format(row=number, column=excerpt(label.get(col, col)), problem=p)
                        for col, p in found)
        if not found and row is not None:
            rows.append(row)
    if problems:
        raise CountsFileError(problems)
    if not rows:
        raise CountsFileError([EMPTY])
    return rows


class _Lookup:
    """Centres and fields known to the database, and the checks of one row against them."""

    def __init__(self, session: Session, user: User | None):
        self.user = user
        self.centres = {c.code: (c.id, c.locality_id) for c in session.scalars(select(ServiceCentre))}
        self.fields: dict[str, int] = {}
        for f in session.scalars(select(ServiceField)):
            self.fields.setdefault(normalise(f.name), f.id)
        # codes win over names when a name happens to equal another field's code
        self.fields |= {normalise(f.code): f.id for f in session.scalars(select(ServiceField))}

    def check(self, number: int, values: dict[str, str], quarter: str | None):
        found: list[tuple[str, str]] = [(column, EMPTY_CELL) for column in COLUMNS if not values[column]]
        centre = self.centres.get(values["centre_code"])
        if values["centre_code"] and centre is None:
            found.append(("centre_code", UNKNOWN_CENTRE.format(value=excerpt(values["centre_code"]))))
        elif centre is not None and self.user is not None and not sees_everything(self.user) \
                and centre[1] != self.user.locality_id:
            found.append(("centre_code", OUT_OF_SCOPE.format(value=excerpt(values["centre_code"]))))
        field_id = self.fields.get(normalise(values["field_code"]))
        if values["field_code"] and field_id is None:
            found.append(("field_code", UNKNOWN_FIELD.format(value=excerpt(values["field_code"]))))
        row_quarter = read_quarter(values["quarter"]) if values["quarter"] else None
        if values["quarter"] and row_quarter is None:
            found.append(("quarter", BAD_QUARTER.format(value=excerpt(values["quarter"]))))
        elif row_quarter and quarter and row_quarter != quarter:
            found.append(("quarter", OTHER_QUARTER.format(value=excerpt(values["quarter"]), quarter=quarter)))
        count = values["dossiers_resolved"]
        if count and not COUNT.match(count):
            found.append(("dossiers_resolved", BAD_COUNT.format(value=excerpt(count))))
        if centre is None or field_id is None or row_quarter is None or not COUNT.match(count):
            return found, None
        return found, CountRow(number, centre[0], field_id, row_quarter, int(count))


@dataclass(frozen=True)
class QuartersReplaced:
    quarters: tuple[str, ...]
    removed: int
    added: int


def replace_quarters(session: Session, rows: list[CountRow], centre_ids: list[int] | None = None) -> QuartersReplaced:
    """Replace the counts of every quarter in `rows` (within `centre_ids`, if given) by `rows`.

    Runs inside the caller's transaction, so the old counts disappear only if the new ones are
    committed; the rows go in with one multi-row INSERT.
    """
    quarters = tuple(sorted({row.quarter for row in rows}))
    removal = delete(AdminCount).where(AdminCount.quarter.in_(quarters))
    if centre_ids is not None:
        removal = removal.where(AdminCount.centre_id.in_(centre_ids))
    removed = session.execute(removal.execution_options(synchronize_session=False)).rowcount
    session.execute(insert(AdminCount), [
        {"centre_id": r.centre_id, "field_id": r.field_id, "quarter": r.quarter,
         "dossiers_resolved": r.dossiers_resolved}
        for r in rows
    ])
    return QuartersReplaced(quarters, removed, len(rows))
