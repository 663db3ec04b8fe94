"""The first worksheet of an XLSX file as rows of text, read by a streaming parser that counts its work.

An XLSX file is a ZIP of XML parts; an attacker writes the XML. openpyxl builds objects for
every cell element and every style before anyone can count them (issue 23: a 40 KB sheet of
10,000,000 empty `<c/>` cost 46 s and 3.27 GB; a styles bomb 13 s; a shared-strings bomb 23 s).
This reader reads only the parts a table needs — the workbook's relationships, the workbook,
the shared strings and the first worksheet, never the styles — with expat, chunk by chunk,
and counts as it goes: inflated bytes, shared strings, cell elements, rows, columns and each
cell's characters. It stops at the first bound crossed, so a refused file costs at most the
work up to that bound. A DOCTYPE (never present in an XLSX) is refused, so no entity can expand.

Values are read as Excel stores them: text as written, numbers as numbers (7.0 is "7"),
booleans as True/False, formulas by their cached result. Styles are not read, so a date is
its serial number; no table the platform imports holds a date.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from typing import Iterator
from xml.parsers import expat

from survey.uploads.limits import (
    CELL_TOO_LONG,
    NO_WORKSHEET,
    NOT_XLSX,
    STYLES_TOO_LARGE,
    TOO_LARGE_UNCOMPRESSED,
    TOO_MANY_CELLS,
    TOO_MANY_COLUMNS,
    TOO_MANY_ELEMENTS,
    TOO_MANY_ENTRIES,
    TOO_MANY_ROWS,
    TOO_MANY_STRINGS,
    Deadline,
    UploadError,
    UploadLimits,
    excerpt,
    megabytes,
    number,
)

READ_CHUNK = 64 * 1024
MAX_COLUMN = 16_384  # XFD, the last column Excel has
MAX_RELATIONSHIPS = 1_000
WORKBOOK = "xl/workbook.xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
WORKSHEET_TYPE = "/worksheet"
SHARED_STRINGS_TYPE = "/sharedStrings"
STYLES_TYPE = "/styles"


class _Refused(Exception):
    """Raised inside an expat handler; carries the UploadError out of the parser."""

    def __init__(self, error: UploadError):
        super().__init__(error.message)
        self.error = error


def xlsx_rows(data: bytes, limits: UploadLimits, deadline: Deadline) -> Iterator[tuple[int, list[str]]]:
    """`(line, cells)` for each row of the first worksheet, blank rows between included."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise UploadError(NOT_XLSX) from None
    with archive:
        budget = _Budget(archive, limits, deadline)
        relationships = _relationships(budget)
        budget.check_styles(relationships)
        sheet = _first_worksheet(budget, relationships)
        strings_part = next((target for kind, target in relationships.values()
                             if kind.endswith(SHARED_STRINGS_TYPE)), None)
        strings = _shared_strings(budget, strings_part) if strings_part else []
        yield from _Sheet(strings, limits).rows(budget, sheet)


class _Budget:
    """The archive, its declared sizes checked once, and the bytes inflated from it so far."""

    def __init__(self, archive: zipfile.ZipFile, limits: UploadLimits, deadline: Deadline):
        entries = archive.infolist()
        if len(entries) > limits.zip_entries:
            raise UploadError(TOO_MANY_ENTRIES.format(limit=limits.zip_entries))
        self.too_large = UploadError(TOO_LARGE_UNCOMPRESSED.format(limit=megabytes(limits.uncompressed_bytes)))
        # zipfile never inflates an entry past its declared size (a lie fails the CRC check),
        # so the declared total bounds the work; the running count below is the second lock.
        if sum(entry.file_size for entry in entries) > limits.uncompressed_bytes:
            raise self.too_large
        self.archive, self.names = archive, {entry.filename for entry in entries}
        self.limits, self.left, self.deadline = limits, limits.uncompressed_bytes, deadline

    def check_styles(self, relationships) -> None:
        """Refuse a styles part over its bound by its declared size; it is never inflated."""
        for kind, target in relationships.values():
            if kind.endswith(STYLES_TYPE) and target in self.names \
                    and self.archive.getinfo(target).file_size > self.limits.styles_bytes:
                raise UploadError(STYLES_TOO_LARGE.format(limit=megabytes(self.limits.styles_bytes)))

    def parse(self, name: str, handler) -> Iterator[None]:
        """Feed part `name` to `handler`'s expat callbacks a chunk at a time; yield after each."""
        if name not in self.names:
            raise UploadError(NOT_XLSX)
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.buffer_text = True
        elements, limit = 0, self.limits.xml_elements
        local = _LOCAL_NAMES  # handlers get the tag without its namespace

        def start(tag, attributes):
            nonlocal elements
            elements += 1
            if elements > limit:
                raise _Refused(UploadError(TOO_MANY_ELEMENTS.format(part=name, limit=number(limit))))
            handler.start(local.get(tag) or _local(tag), attributes)

        def end(tag):
            handler.end(local.get(tag) or _local(tag))

        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.CharacterDataHandler = handler.text
        parser.StartDoctypeDeclHandler = _refuse_doctype
        try:
            with self.archive.open(name) as stream:
                while chunk := stream.read(READ_CHUNK):
                    self.left -= len(chunk)
                    if self.left < 0:
                        raise self.too_large
                    parser.Parse(chunk, False)
                    yield
                    self.deadline.check()
                parser.Parse(b"", True)
                yield
        except _Refused as refused:
            raise refused.error from None
        except UploadError:
            raise
        except Exception:  # expat.ExpatError, zlib.error, BadZipFile (CRC), NotImplementedError (method)
            raise UploadError(NOT_XLSX) from None

    def read(self, name: str, handler) -> None:
        for _ in self.parse(name, handler):
            pass


def _refuse_doctype(*_):
    raise _Refused(UploadError(NOT_XLSX))


_LOCAL_NAMES: dict[str, str] = {}
"""Namespaced tag ("uri c") to local name ("c"); spreadsheets use a few dozen tags."""


def _local(name: str) -> str:
    local = name.rpartition(" ")[2]
    if len(_LOCAL_NAMES) < 1000:  # a hostile file's invented tags do not grow it without end
        _LOCAL_NAMES[name] = local
    return local


class _Relationships:
    def __init__(self):
        self.found: dict[str, tuple[str, str]] = {}

    def start(self, local, attributes):
        if local == "Relationship":
            if len(self.found) >= MAX_RELATIONSHIPS:
                raise _Refused(UploadError(NOT_XLSX))
            target = attributes.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            self.found[attributes.get("Id", "")] = (attributes.get("Type", ""), path)

    def end(self, local):
        pass

    def text(self, data):
        pass


def _relationships(budget: _Budget) -> dict[str, tuple[str, str]]:
    handler = _Relationships()
    budget.read(WORKBOOK_RELS, handler)
    return handler.found


class _Workbook:
    """Finds the first sheet of the workbook whose relationship is a worksheet (not a chart)."""

    def __init__(self, relationships):
        self.relationships, self.sheet = relationships, None

    def start(self, local, attributes):
        if local != "sheet" or self.sheet is not None:
            return
        rid = next((value for key, value in attributes.items() if " " in key and _local(key) == "id"), "")
        kind, target = self.relationships.get(rid, ("", ""))
        if kind.endswith(WORKSHEET_TYPE):
            self.sheet = target

    def end(self, local):
        pass

    def text(self, data):
        pass


def _first_worksheet(budget: _Budget, relationships) -> str:
    handler = _Workbook(relationships)
    for _ in budget.parse(WORKBOOK, handler):
        if handler.sheet is not None:
            return handler.sheet
    raise UploadError(NO_WORKSHEET)


class _Text:
    """Collects the characters of one piece of text up to a length, remembering it was longer."""

    def __init__(self, limit: int):
        self.limit, self.parts, self.length = limit, [], 0

    def add(self, data: str) -> None:
        if self.length <= self.limit:
            self.parts.append(data[:self.limit + 1 - self.length])
        self.length += len(data)

    def value(self) -> str | _TooLong:
        text = "".join(self.parts)
        return _TooLong(text) if self.length > self.limit else text


class _TooLong:
    """A shared string or cell past the length bound; only its start is kept."""

    def __init__(self, start: str):
        self.start = start


class _SharedStrings:
    def __init__(self, limits: UploadLimits):
        self.limits, self.strings = limits, []
        self.current: _Text | None = None
        self.depth_in_phonetic = 0
        self.in_text = False

    def start(self, local, attributes):
        if local == "si":
            if len(self.strings) >= self.limits.shared_strings:
                raise _Refused(UploadError(TOO_MANY_STRINGS.format(limit=number(self.limits.shared_strings))))
            self.current = _Text(self.limits.cell_chars)
        elif local == "rPh":  # phonetic guide text (furigana) is not part of the value
            self.depth_in_phonetic += 1
        elif local == "t" and self.current is not None and not self.depth_in_phonetic:
            self.in_text = True

    def end(self, local):
        if local == "si" and self.current is not None:
            self.strings.append(self.current.value())
            self.current = None
        elif local == "rPh":
            self.depth_in_phonetic -= 1
        elif local == "t":
            self.in_text = False

    def text(self, data):
        if self.in_text:
            self.current.add(data)


def _shared_strings(budget: _Budget, name: str) -> list:
    handler = _SharedStrings(budget.limits)
    budget.read(name, handler)
    return handler.strings


class _Sheet:
    """The expat callbacks of a worksheet: rows out, every bound counted on the way."""

    def __init__(self, strings: list, limits: UploadLimits):
        self.strings, self.limits = strings, limits
        self.ready: list[tuple[int, list[str]]] = []
        self.line = 0  # the last row emitted
        self.cells_seen = 0
        self.row: dict[int, str] | None = None
        self.row_number = 0
        self.column = -1
        self.kind = ""
        self.value: _Text | None = None
        self.collecting = False
        self.in_inline = False
        self.depth_in_phonetic = 0

    def rows(self, budget: _Budget, name: str) -> Iterator[tuple[int, list[str]]]:
        for _ in budget.parse(name, self):
            yield from self.ready
            self.ready.clear()

    def _refuse(self, template: str, **values) -> _Refused:
        return _Refused(UploadError(template.format(**values)))

    def start(self, local, attributes):
        if local == "c" and self.row is not None:
            self._start_cell(attributes)
        elif local == "row":
            self._start_row(attributes)
        elif local == "v" and self.value is not None:
            self.collecting = True
        elif local == "is" and self.value is not None:
            self.in_inline = True
        elif local == "rPh":
            self.depth_in_phonetic += 1
        elif local == "t" and self.in_inline and not self.depth_in_phonetic:
            self.collecting = True

    def _start_row(self, attributes):
        given = attributes.get("r")
        number_ = _whole(given) if given is not None else self.line + 1
        if number_ is None or number_ <= self.line:
            raise _Refused(UploadError(NOT_XLSX))
        if number_ > self.limits.rows:
            raise self._refuse(TOO_MANY_ROWS, limit=number(self.limits.rows))
        self.row, self.row_number, self.column = {}, number_, -1

    def _start_cell(self, attributes):
        self.cells_seen += 1
        if self.cells_seen > self.limits.cells:
            raise self._refuse(TOO_MANY_CELLS, row=self.row_number, limit=number(self.limits.cells))
        reference = attributes.get("r")
        column = _column(reference) if reference else self.column + 1
        if column is None or column <= self.column:
            raise _Refused(UploadError(NOT_XLSX))
        self.column, self.kind = column, attributes.get("t", "n")
        self.value = _Text(self.limits.cell_chars)

    def end(self, local):
        if local in ("v", "t"):
            self.collecting = False
        elif local == "is":
            self.in_inline = False
        elif local == "rPh":
            self.depth_in_phonetic -= 1
        elif local == "c" and self.value is not None:
            self._end_cell()
        elif local == "row" and self.row is not None:
            self._end_row()

    def _end_cell(self):
        text = _cell_value(self.kind, self.value.value(), self.strings)
        self.value = None
        if isinstance(text, _TooLong):
            raise self._refuse(CELL_TOO_LONG, row=self.row_number, column=_letters(self.column),
                               limit=number(self.limits.cell_chars), excerpt=excerpt(text.start.strip()))
        if not text:
            return
        if self.column >= self.limits.columns:
            raise self._refuse(TOO_MANY_COLUMNS, row=self.row_number, limit=self.limits.columns)
        self.row[self.column] = text

    def _end_row(self):
        for blank in range(self.line + 1, self.row_number):
            self.ready.append((blank, []))
        width = max(self.column + 1, 0) if self.row else 0
        cells = [""] * min(width, self.limits.columns)
        for column, text in self.row.items():
            cells[column] = text
        self.ready.append((self.row_number, cells))
        self.line, self.row = self.row_number, None

    def text(self, data):
        if self.collecting:
            self.value.add(data)


def _cell_value(kind: str, raw, strings: list):
    """The cell's text as an official would read it; raw is the collected `<v>` or inline text."""
    if isinstance(raw, _TooLong):
        if kind in ("inlineStr", "str", "s", "d", "e"):
            return raw
        raise _Refused(UploadError(NOT_XLSX))
    if not raw:
        return ""
    if kind == "s":
        index = _whole(raw)
        if index is None or index >= len(strings):
            raise _Refused(UploadError(NOT_XLSX))
        found = strings[index]
        return found if isinstance(found, _TooLong) else found.strip()
    if kind in ("inlineStr", "str", "d", "e"):
        return raw.strip()
    if kind == "b":
        return {"1": "True", "0": "False"}.get(raw.strip(), "")
    return _number_text(raw.strip())


def _number_text(raw: str) -> str:
    if not raw:
        return ""
    try:
        return str(int(raw))
    except ValueError:
        pass
    try:
        value = float(raw)
    except ValueError:
        raise _Refused(UploadError(NOT_XLSX)) from None
    return str(int(value)) if value.is_integer() else str(value)


def _whole(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


_COLUMNS: dict[str, int | None] = {}


def _column(reference: str) -> int | None:
    """0-based column of a cell reference such as "AB12"; None when it is not one."""
    letters = reference.rstrip("0123456789")
    if letters in _COLUMNS:
        return _COLUMNS[letters]
    column = _letters_column(letters)
    if len(_COLUMNS) < MAX_COLUMN:
        _COLUMNS[letters] = column
    return column


def _letters_column(letters: str) -> int | None:
    if not 1 <= len(letters) <= 3 or not letters.isascii() or not letters.isalpha():
        return None
    index = 0
    for letter in letters.upper():
        index = index * 26 + ord(letter) - ord("A") + 1
    return index - 1 if index <= MAX_COLUMN else None


def _letters(column: int) -> str:
    letters = ""
    column += 1
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
