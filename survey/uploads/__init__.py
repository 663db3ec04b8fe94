"""Read an uploaded table (CSV or XLSX) into a header and numbered rows, within fixed bounds.

Every upload is untrusted: a 1.7 KB XLSX may declare a sheet of `A1:XFD20000` and make a
naive reader pad 328 million empty cells; a 700 KB zip may inflate to gigabytes; a valid file
may simply be too long to handle inside one web request. So the reader bounds, and names in
Vietnamese whichever bound a file crosses:

- the bytes received (compressed size), before anything is parsed;
- for XLSX, the number of zip entries and their uncompressed size, and, while the sheet is
  streamed (`survey.uploads.xlsx`, not openpyxl), the cells (empty ones too), the shared
  strings and each cell's length; styles are never read;
- the rows and columns, and the wall-clock time spent reading.

The format is decided by content, not by file name: an XLSX file is a ZIP archive (it starts
with PK\\x03\\x04); anything else must be UTF-8 CSV. Line numbers are those an official sees
in a spreadsheet or text editor, blank lines included, so messages can point at them.
"""

from __future__ import annotations

import csv
import io
import os
import re
import unicodedata
from dataclasses import dataclass, field
from typing import BinaryIO, Iterator, Mapping

from werkzeug.datastructures import FileStorage

from survey.uploads.limits import (  # noqa: F401 (importers and tests use these names from here)
    BROKEN_CSV,
    CELL_TOO_LONG,
    CONTROL_CHARACTER,
    DEFAULT_LIMITS,
    FIELD_TOO_LONG,
    NO_NAMED_SHEET,
    NO_WORKSHEET,
    NOT_CSV,
    NOT_UTF8,
    NOT_XLSX,
    TOO_LARGE,
    TOO_LARGE_UNCOMPRESSED,
    TOO_MANY_CELLS,
    TOO_MANY_COLUMNS,
    TOO_MANY_ENTRIES,
    TOO_MANY_ROWS,
    TOO_MANY_STRINGS,
    TOO_SLOW,
    Deadline,
    UploadError,
    UploadLimits,
    UploadProblems,
    excerpt,
    megabytes,
    number,
)
from survey.uploads.xlsx import xlsx_rows

ZIP_MAGIC = b"PK\x03\x04"
CHECK_CLOCK_EVERY = 256  # rows between two looks at the clock
# C0 controls other than tab, line feed and carriage return (which cells may hold), and DEL.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A problem with one cell of a read table, and the commonest one; each importer adds its own.
ROW_PROBLEM = "Dòng {row}, cột {column}: {problem}"
EMPTY_CELL = "bỏ trống"


@dataclass(frozen=True)
class Table:
    """A read table: the header (first non-blank line) and the data rows after it.

    Each row is `(line, cells)`; `line` is the 1-based line (spreadsheet row) in the file.
    Cells are stripped strings; blank rows are left out.
    """

    header_line: int
    header: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)


def read_upload(source: FileStorage | BinaryIO | bytes | str | os.PathLike,
                limits: UploadLimits = DEFAULT_LIMITS, sheet: str | None = None) -> Table | None:
    """Read a CSV or XLSX upload within `limits`; None when the file holds no non-blank row.

    `sheet` names the worksheet of an XLSX file to read (the first one otherwise).
    """
    numbered = [(line, cells) for line, cells in read_rows(source, limits, sheet) if any(cells)]
    if not numbered:
        return None
    (header_line, header), rows = numbered[0], numbered[1:]
    return Table(header_line, header, rows)


def read_table(source, error: type[UploadProblems], empty: str,
               limits: UploadLimits = DEFAULT_LIMITS, sheet: str | None = None) -> Table:
    """`read_upload`, with an unreadable file raised as `error` of its reason and a file
    without a non-blank row as `error` of `empty`."""
    try:
        table = read_upload(source, limits, sheet=sheet)
    except UploadError as exc:
        raise error([exc.message]) from None
    if table is None:
        raise error([empty])
    return table


def normalise_header(text: str) -> str:
    """Lower case, NFC, single spaces: how headers (and names typed in cells) are compared."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def header_columns(header: list[str], aliases: Mapping[str, str]) -> dict[str, tuple[int, str]]:
    """Where each known column stands in `header`, and the header cell as written there.

    `aliases` maps a normalised header (see `normalise_header`), English or Vietnamese, to its
    column; when two cells name the same column the first one counts.
    """
    columns: dict[str, tuple[int, str]] = {}
    for index, cell in enumerate(header):
        column = aliases.get(normalise_header(cell))
        if column and column not in columns:
            columns[column] = (index, cell.strip())
    return columns


def read_rows(source, limits: UploadLimits = DEFAULT_LIMITS,
              sheet: str | None = None) -> list[tuple[int, list[str]]]:
    """Every line of the file as `(line, cells)`, blank ones included, within `limits`; of the
    XLSX worksheet named `sheet` when given."""
    data = _read_bounded(source, limits.compressed_bytes)
    deadline = Deadline(limits.seconds)
    if data.startswith(ZIP_MAGIC):
        rows = xlsx_rows(data, limits, deadline, sheet)
    else:
        rows = _csv_rows(data, limits)
    return _bounded(rows, limits, deadline)


def _read_bounded(source, limit: int) -> bytes:
    if isinstance(source, bytes):
        data = source
    elif isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as stream:
            data = stream.read(limit + 1)
    else:
        stream = source.stream if isinstance(source, FileStorage) else source
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise UploadError(TOO_LARGE.format(limit=megabytes(limit)))
    return data


def _bounded(rows: Iterator[tuple[int, list[str]]], limits: UploadLimits,
             deadline: Deadline) -> list[tuple[int, list[str]]]:
    kept: list[tuple[int, list[str]]] = []
    cells_seen = 0
    for line, cells in rows:
        if line > limits.rows:
            raise UploadError(TOO_MANY_ROWS.format(limit=number(limits.rows)))
        cells_seen += len(cells)
        if cells_seen > limits.cells:
            raise UploadError(TOO_MANY_CELLS.format(row=line, limit=number(limits.cells)))
        if len(cells) > limits.columns and any(cells[limits.columns:]):
            raise UploadError(TOO_MANY_COLUMNS.format(row=line, limit=limits.columns))
        cells = cells[:limits.columns]
        if cells and max(map(len, cells)) > limits.cell_chars:
            column, cell = next((i, c) for i, c in enumerate(cells) if len(c) > limits.cell_chars)
            raise UploadError(CELL_TOO_LONG.format(row=line, column=column + 1, limit=number(limits.cell_chars),
                                                   excerpt=excerpt(cell)))
        if (bad := CONTROL_CHARACTERS.search("\n".join(cells))) is not None:
            raise UploadError(CONTROL_CHARACTER.format(row=line, code=f"U+{ord(bad.group()):04X}"))
        kept.append((line, cells))
        if line % CHECK_CLOCK_EVERY == 0:
            deadline.check()
    deadline.check()
    return kept


def _refuse_too_many_commas(text: str, limits: UploadLimits) -> None:
    """Refuse a file with more separators than the cell bound before the csv module turns a
    line of them into a list of millions of empty cells (a quoted comma counts too: no honest
    file comes near the bound)."""
    if text.count(",") <= limits.cells:
        return
    seen = 0
    for line, content in enumerate(text.split("\n"), start=1):
        seen += content.count(",")
        if seen > limits.cells:
            raise UploadError(TOO_MANY_CELLS.format(row=line, limit=number(limits.cells)))


def _csv_rows(data: bytes, limits: UploadLimits) -> Iterator[tuple[int, list[str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UploadError(NOT_UTF8.format(row=data[:exc.start].count(b"\n") + 1)) from None
    _refuse_too_many_commas(text, limits)
    reader = csv.reader(io.StringIO(text, newline=""))
    line = 0  # lines consumed so far; a quoted cell may span several
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "field limit" in str(exc):
                limit = number(csv.field_size_limit())
                raise UploadError(FIELD_TOO_LONG.format(row=line + 1, limit=limit)) from None
            raise UploadError(BROKEN_CSV.format(row=line + 1, reason=exc)) from None
        if len(row) > limits.cells:  # one line of commas: refused before a second copy is made
            raise UploadError(TOO_MANY_CELLS.format(row=line + 1, limit=number(limits.cells)))
        # A record spanning several lines (a quoted line break) is numbered by its first line.
        yield line + 1, [cell.strip() for cell in row]
        line = reader.line_num
        if line > limits.rows:  # a file of blank lines is still work
            raise UploadError(TOO_MANY_ROWS.format(limit=number(limits.rows)))
