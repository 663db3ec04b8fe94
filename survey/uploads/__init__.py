"""Read an uploaded table (CSV or XLSX) into a header and numbered rows, within fixed bounds.

Every upload is untrusted: a 1.7 KB XLSX may declare a sheet of `A1:XFD20000` and make a
naive reader pad 328 million empty cells; a 700 KB zip may inflate to gigabytes; a valid file
may simply be too long to handle inside one web request. So the reader bounds, and names in
Vietnamese whichever bound a file crosses:

- the bytes received (compressed size), before anything is parsed;
- for XLSX, the number of zip entries and their uncompressed size, both as declared in the
  zip's directory and as actually inflated (a lying directory is caught while reading);
- the rows and columns (XLSX is read with openpyxl's read-only streaming reader, with the
  sheet's declared dimension thrown away so only cells really present are produced);
- the wall-clock time spent reading.

The format is decided by content, not by file name: an XLSX file is a ZIP archive (it starts
with PK\\x03\\x04); anything else must be UTF-8 CSV. Line numbers are those an official sees
in a spreadsheet or text editor, blank lines included, so messages can point at them.
"""

from __future__ import annotations

import csv
import io
import os
import re
import time
import unicodedata
import zipfile
from dataclasses import dataclass, field
from typing import BinaryIO, Iterator, Mapping

from openpyxl import load_workbook
from werkzeug.datastructures import FileStorage

ZIP_MAGIC = b"PK\x03\x04"
MEBIBYTE = 1024 * 1024
READ_CHUNK = 64 * 1024
CHECK_CLOCK_EVERY = 256  # rows between two looks at the clock
# C0 controls other than tab, line feed and carriage return (which cells may hold), and DEL.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

NOT_XLSX = "Tệp có dạng ZIP nhưng không mở được như bảng tính XLSX."
NOT_CSV = "Tệp không phải XLSX và cũng không phải CSV mã hoá UTF-8. Hãy lưu lại dưới dạng CSV UTF-8 hoặc XLSX."
NOT_UTF8 = (
    "Tệp không phải XLSX và cũng không phải CSV mã hoá UTF-8 (byte không hợp lệ ở dòng {row}). "
    "Hãy lưu lại dưới dạng CSV UTF-8 hoặc XLSX."
)
BROKEN_CSV = "Dòng {row}: không đọc được tệp như CSV ({reason})."
NO_WORKSHEET = "Bảng tính XLSX không có trang tính chứa dữ liệu (chỉ có biểu đồ)."
FIELD_TOO_LONG = "Dòng {row}: có ô dài quá {limit} ký tự, không đọc được tệp như CSV."
CONTROL_CHARACTER = "Dòng {row}: có ký tự điều khiển không hiển thị được (mã {code}). Hãy xoá ký tự này rồi tải lại."
TOO_LARGE = "Tệp lớn hơn giới hạn {limit} MB."
TOO_MANY_ENTRIES = "Tệp XLSX có quá nhiều thành phần (hơn {limit}), không phải bảng tính thông thường."
TOO_LARGE_UNCOMPRESSED = "Tệp XLSX khi giải nén lớn hơn giới hạn {limit} MB."
TOO_MANY_ROWS = "Tệp có hơn {limit} dòng, vượt giới hạn. Hãy chia thành nhiều tệp nhỏ hơn."
TOO_MANY_COLUMNS = "Dòng {row}: có hơn {limit} cột, vượt giới hạn."
TOO_SLOW = "Đọc tệp quá {limit} giây, đã dừng. Hãy chia thành nhiều tệp nhỏ hơn."
# A problem with one cell of a read table, and the commonest one; each importer adds its own.
ROW_PROBLEM = "Dòng {row}, cột {column}: {problem}"
EMPTY_CELL = "bỏ trống"


class UploadError(ValueError):
    """The upload cannot be read; `message` says why, in Vietnamese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class UploadProblems(ValueError):
    """A read table cannot be used; `problems` lists every reason, row by row, in Vietnamese."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class UploadLimits:
    """How much one upload may cost. Defaults fit a province's quarterly counts with room."""

    compressed_bytes: int = 5 * MEBIBYTE
    uncompressed_bytes: int = 50 * MEBIBYTE
    zip_entries: int = 200
    rows: int = 50_000
    columns: int = 50
    seconds: float = 20.0


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
                limits: UploadLimits = UploadLimits()) -> Table | None:
    """Read a CSV or XLSX upload within `limits`; None when the file holds no non-blank row."""
    numbered = [(line, cells) for line, cells in read_rows(source, limits) if any(cells)]
    if not numbered:
        return None
    (header_line, header), rows = numbered[0], numbered[1:]
    return Table(header_line, header, rows)


def read_table(source, error: type[UploadProblems], empty: str,
               limits: UploadLimits = UploadLimits()) -> Table:
    """`read_upload`, with an unreadable file raised as `error` of its reason and a file
    without a non-blank row as `error` of `empty`."""
    try:
        table = read_upload(source, limits)
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


def read_rows(source, limits: UploadLimits = UploadLimits()) -> list[tuple[int, list[str]]]:
    """Every line of the file as `(line, cells)`, blank ones included, within `limits`."""
    data = _read_bounded(source, limits.compressed_bytes)
    deadline = _Deadline(limits.seconds)
    if data.startswith(ZIP_MAGIC):
        rows = _xlsx_rows(data, limits, deadline)
    else:
        rows = _csv_rows(data, deadline)
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
        raise UploadError(TOO_LARGE.format(limit=_megabytes(limit)))
    return data


class _Deadline:
    def __init__(self, seconds: float):
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.at:
            raise UploadError(TOO_SLOW.format(limit=_number(self.seconds)))


def _bounded(rows: Iterator[list[str]], limits: UploadLimits, deadline: _Deadline) -> list[tuple[int, list[str]]]:
    kept: list[tuple[int, list[str]]] = []
    for line, cells in enumerate(rows, start=1):
        if line > limits.rows:
            raise UploadError(TOO_MANY_ROWS.format(limit=_number(limits.rows)))
        if len(cells) > limits.columns and any(cells[limits.columns:]):
            raise UploadError(TOO_MANY_COLUMNS.format(row=line, limit=limits.columns))
        cells = cells[:limits.columns]
        for cell in cells:
            if (bad := CONTROL_CHARACTERS.search(cell)) is not None:
                raise UploadError(CONTROL_CHARACTER.format(row=line, code=f"U+{ord(bad.group()):04X}"))
        kept.append((line, cells))
        if line % CHECK_CLOCK_EVERY == 0:
            deadline.check()
    deadline.check()
    return kept


def _csv_rows(data: bytes, deadline: _Deadline) -> Iterator[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UploadError(NOT_UTF8.format(row=data[:exc.start].count(b"\n") + 1)) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    line = 0  # lines consumed so far; a quoted cell may span several
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "field limit" in str(exc):
                limit = f"{csv.field_size_limit():,}".replace(",", ".")
                raise UploadError(FIELD_TOO_LONG.format(row=line + 1, limit=limit)) from None
            raise UploadError(BROKEN_CSV.format(row=line + 1, reason=exc)) from None
        cells = [cell.strip() for cell in row]
        # A record spanning several lines (a quoted line break) is numbered by its first line;
        # the lines it swallowed are reported as blank so later numbers stay right.
        yield cells
        for _ in range(reader.line_num - line - 1):
            yield []
        line = reader.line_num


def _xlsx_rows(data: bytes, limits: UploadLimits, deadline: _Deadline) -> Iterator[list[str]]:
    _check_zip(data, limits, deadline)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        # openpyxl fails on untrusted bytes with whatever its zip, XML or model layer raises
        # (BadZipFile, ParseError, KeyError, AttributeError, ...); all mean "not a usable XLSX".
        raise UploadError(NOT_XLSX) from None
    return _sheet_rows(workbook)


def _sheet_rows(workbook) -> Iterator[list[str]]:
    try:
        sheets = workbook.worksheets  # chartsheets are not listed here
        if not sheets:
            raise UploadError(NO_WORKSHEET)
        sheet = sheets[0]
        # The declared dimension is the file's own claim; padding every row to it is how a
        # tiny file becomes hundreds of millions of cells. Only cells present are read.
        sheet.reset_dimensions()
        # read-only sheets parse their XML lazily, so a broken sheet fails only while iterating
        for values in sheet.iter_rows(min_row=1, min_col=1, values_only=True):
            yield [_cell_text(v) for v in values]
    except UploadError:
        raise
    except Exception:  # as above: any openpyxl failure means an unusable file
        raise UploadError(NOT_XLSX) from None
    finally:
        workbook.close()


def _check_zip(data: bytes, limits: UploadLimits, deadline: _Deadline) -> None:
    """Refuse a zip whose entries are too many or inflate past the limit, declared or actual."""
    too_large = UploadError(TOO_LARGE_UNCOMPRESSED.format(limit=_megabytes(limits.uncompressed_bytes)))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise UploadError(NOT_XLSX) from None
    with archive:
        entries = archive.infolist()
        if len(entries) > limits.zip_entries:
            raise UploadError(TOO_MANY_ENTRIES.format(limit=limits.zip_entries))
        if sum(entry.file_size for entry in entries) > limits.uncompressed_bytes:
            raise too_large
        # The directory's sizes are the file's own claim; inflate each entry and count.
        inflated = 0
        try:
            for entry in entries:
                with archive.open(entry) as stream:
                    while chunk := stream.read(READ_CHUNK):
                        inflated += len(chunk)
                        if inflated > limits.uncompressed_bytes:
                            raise too_large
                        deadline.check()
        except UploadError:
            raise
        except Exception:  # zlib.error, BadZipFile (CRC, truncated), NotImplementedError (method)
            raise UploadError(NOT_XLSX) from None


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _megabytes(size: int) -> str:
    return _number(size / MEBIBYTE)


def _number(value: float) -> str:
    """A number the Vietnamese way: 50.000, 2,5."""
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    return f"{value:.1f}".replace(".", ",")
