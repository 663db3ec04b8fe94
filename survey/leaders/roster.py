"""The roster of invited leaders: read a CSV or XLSX file, check every row, import all or none.

Columns ``group,unit,full_name,phone,email`` or the Vietnamese headers
``Nhóm,Đơn vị,Họ và tên,Điện thoại,Email`` (phone and email may be left out). A group is the
code of the questionnaire's ``respondent_group`` list or its Vietnamese label. Every problem is
reported with its row, in Vietnamese; nothing is stored unless every row is good.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.leaders.tokens import hash_token, new_token
from survey.models import UNIT_TYPE_OF_GROUP, LeaderInvitation, Wave
from survey.questionnaire import QuestionnaireDefinition
from survey.spreadsheets import csv_text
from survey.text import comparison_key, remove_invisible
from survey.uploads import (
    EMPTY_CELL,
    ROW_PROBLEM,
    UploadLimits,
    UploadProblems,
    excerpt,
    header_columns,
    read_table,
)

GROUP_LIST = "respondent_group"
MAX_ROWS = 5000
LIMITS = UploadLimits(rows=MAX_ROWS + 1, columns=20)
"""A province invites a few hundred leaders; the header is one of the rows counted."""
COLUMNS = ("group", "unit", "full_name", "phone", "email")
REQUIRED = ("group", "unit", "full_name")
VIETNAMESE_HEADERS = {"nhóm": "group", "đơn vị": "unit", "họ và tên": "full_name",
                      "điện thoại": "phone", "email": "email"}
HEADER_NAMES = {column: column for column in COLUMNS} | VIETNAMESE_HEADERS
"""Column by its normalised header, English or Vietnamese."""
TEMPLATE_HEADERS = ("Nhóm", "Đơn vị", "Họ và tên", "Điện thoại", "Email")
LENGTHS = {"unit": 200, "full_name": 200, "phone": 40, "email": 200}
COLUMN_NAMES = {"group": "Nhóm", "unit": "Đơn vị", "full_name": "Họ và tên",
                "phone": "Điện thoại", "email": "Email"}
PHONE = re.compile(r"^\+?[0-9 .-]{8,20}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

EMPTY = "Tệp không có dòng danh sách nào."
MISSING_COLUMNS = ("Dòng {row}: thiếu cột {columns}. Dòng tiêu đề phải có: Nhóm, Đơn vị, Họ và tên "
                   "(có thể thêm Điện thoại, Email) hoặc group, unit, full_name, phone, email.")
NO_GROUPS = "Phiếu của đợt {wave} không có danh sách nhóm đối tượng ({name})."
UNKNOWN_GROUP = "không có nhóm “{value}”; dùng một trong: {known}"
NO_UNIT_TYPE = "nhóm “{value}” chưa được gắn loại đơn vị (sở, xã, HĐND)"
TOO_LONG = "dài quá {limit} ký tự"
BAD_PHONE = "“{value}” không phải số điện thoại"
BAD_EMAIL = "“{value}” không phải địa chỉ email"
DUPLICATE = "trùng với dòng {first} (cùng họ tên và đơn vị)"
ALREADY = "“{name}” ({unit}) đã có trong danh sách của đợt này"


class RosterError(UploadProblems):
    """The roster cannot be imported; ``problems`` lists every reason, row by row."""


@dataclass(frozen=True)
class RosterRow:
    row: int
    group_code: str
    unit: str
    full_name: str
    phone: str | None
    email: str | None


def _tidy(text: str) -> str:
    """Text as stored: NFC (Vietnamese can be typed in two byte forms), no invisible characters,
    spaces collapsed."""
    return " ".join(unicodedata.normalize("NFC", remove_invisible(text)).split())


def _plain(text: str) -> str:
    """Text as compared: NFKC, look-alike letters folded, lower case (`survey.text`)."""
    return comparison_key(text)


def group_lookup(questionnaire: QuestionnaireDefinition) -> dict[str, str]:
    """Group code by the way an official may write it: its code or its Vietnamese label."""
    groups = questionnaire.choice_lists.get(GROUP_LIST)
    if groups is None:
        return {}
    lookup = {}
    for choice in groups.choices:
        lookup[_plain(choice.value)] = choice.value
        lookup[_plain(choice.label.get("vi", ""))] = choice.value
    return lookup


def parse_roster(session: Session, wave: Wave, questionnaire: QuestionnaireDefinition,
                 upload) -> list[RosterRow]:
    """Every row of the upload (a file, its bytes or a path) checked against the wave's groups
    and roster; raise on any problem."""
    table = read_table(upload, RosterError, EMPTY, LIMITS)
    groups = group_lookup(questionnaire)
    if not groups:
        raise RosterError([NO_GROUPS.format(wave=wave.code, name=GROUP_LIST)])
    header_line = table.header_line
    position = {column: index for column, (index, _) in header_columns(table.header, HEADER_NAMES).items()}
    missing = [COLUMN_NAMES[c] for c in REQUIRED if c not in position]
    if missing:
        raise RosterError([MISSING_COLUMNS.format(row=header_line, columns=", ".join(missing))])
    existing = {(_plain(name), _plain(unit)) for name, unit in session.execute(
        select(LeaderInvitation.full_name, LeaderInvitation.unit)
        .where(LeaderInvitation.wave_id == wave.id))}
    known = ", ".join(sorted(set(groups.values())))
    problems: list[str] = []
    rows: list[RosterRow] = []
    seen: dict[tuple[str, str], int] = {}
    for number, raw in table.rows:
        values = {c: (raw[i].strip() if i < len(raw) else "") for c, i in position.items()}
        values = {c: values.get(c, "") for c in COLUMNS}
        found = _check_row(values, groups, known)
        person = (_plain(values["full_name"]), _plain(values["unit"]))
        if values["full_name"] and values["unit"]:
            if person in seen:
                found.append(("full_name", DUPLICATE.format(first=seen[person])))
            elif person in existing:
                found.append(("full_name", ALREADY.format(name=excerpt(values["full_name"]),
                                                          unit=excerpt(values["unit"]))))
            seen.setdefault(person, number)
        problems.extend(ROW_PROBLEM.format(row=number, column=COLUMN_NAMES[c], problem=p) for c, p in found)
        if not found:
            rows.append(RosterRow(number, groups[_plain(values["group"])], _tidy(values["unit"]),
                                  _tidy(values["full_name"]), values["phone"] or None,
                                  values["email"] or None))
    if problems:
        raise RosterError(problems)
    if not rows:
        raise RosterError([EMPTY])
    return rows


def _check_row(values: dict[str, str], groups: dict[str, str], known: str) -> list[tuple[str, str]]:
    found = [(c, EMPTY_CELL) for c in REQUIRED if not values[c]]
    group = values["group"]
    if group and _plain(group) not in groups:
        found.append(("group", UNKNOWN_GROUP.format(value=excerpt(group), known=known)))
    elif group and groups[_plain(group)] not in UNIT_TYPE_OF_GROUP:
        found.append(("group", NO_UNIT_TYPE.format(value=excerpt(group))))
    for column, limit in LENGTHS.items():
        if len(values[column]) > limit:
            found.append((column, TOO_LONG.format(limit=limit)))
    if values["phone"] and not PHONE.match(values["phone"]):
        found.append(("phone", BAD_PHONE.format(value=excerpt(values["phone"]))))
    if values["email"] and not EMAIL.match(values["email"]):
        found.append(("email", BAD_EMAIL.format(value=excerpt(values["email"]))))
    return found


def import_roster(session: Session, wave: Wave, rows: list[RosterRow], today) -> int:
    """Add every row as an invitation of ``wave`` (caller commits); returns how many.

    Each gets a random token nobody knows: a link exists only once letters are printed.
    """
    session.add_all(LeaderInvitation(
        wave_id=wave.id, group_code=row.group_code, unit=row.unit, full_name=row.full_name,
        phone=row.phone, email=row.email, token_hash=hash_token(new_token()), invited_on=today,
    ) for row in rows)
    session.flush()
    return len(rows)


def template_csv() -> bytes:
    """An empty roster with the Vietnamese headers, UTF-8 with a BOM so Excel reads the accents."""
    return csv_text([TEMPLATE_HEADERS]).encode("utf-8")
