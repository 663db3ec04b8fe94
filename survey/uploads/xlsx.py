"""The first worksheet of an XLSX file as rows of text, read by a streaming parser that counts its work.

An XLSX file is a ZIP of XML parts; an attacker writes the XML. openpyxl builds objects for
every cell element and every style before anyone can count them (issue 23: a 40 KB sheet of
10,000,000 empty `<c/>` cost 46 s and 3.27 GB; a styles bomb 13 s; a shared-strings bomb 23 s).
This reader reads only the parts a table needs — the workbook's relationships, the workbook,
the shared strings and the first worksheet, never the styles — with expat, chunk by chunk,
and counts as it goes: inflated bytes, shared strings, cell elements, rows, columns and each
cell's characters. It stops at the first bound crossed, so a refused file costs at most the
work up to that bound. A DOCTYPE (never present in an XLSX) is refused, so no entity can expand.
This module reads the archive and its parts; `survey.uploads.cells` holds the handlers of the
sheet and the shared strings.

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

from survey.uploads.cells import Refused, SharedStrings, Sheet
from survey.uploads.limits import (
    NO_NAMED_SHEET,
    NO_WORKSHEET,
    NOT_XLSX,
    STYLES_TOO_LARGE,
    TOO_LARGE_UNCOMPRESSED,
    TOO_MANY_ELEMENTS,
    TOO_MANY_ENTRIES,
    Deadline,
    UploadError,
    UploadLimits,
    megabytes,
    number,
)

READ_CHUNK = 64 * 1024
MAX_RELATIONSHIPS = 1_000
WORKBOOK = "xl/workbook.xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
WORKSHEET_TYPE = "/worksheet"
SHARED_STRINGS_TYPE = "/sharedStrings"
STYLES_TYPE = "/styles"


def xlsx_rows(data: bytes, limits: UploadLimits, deadline: Deadline,
              sheet_name: str | None = None) -> Iterator[tuple[int, list[str]]]:
    """`(line, cells)` for each row of the first worksheet (or the one named `sheet_name`),
    blank rows between included."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise UploadError(NOT_XLSX) from None
    with archive:
        budget = _Budget(archive, limits, deadline)
        relationships = _relationships(budget)
        budget.check_styles(relationships)
        sheet = _first_worksheet(budget, relationships, sheet_name)
        strings_part = next((target for kind, target in relationships.values()
                             if kind.endswith(SHARED_STRINGS_TYPE)), None)
        strings = _shared_strings(budget, strings_part) if strings_part else []
        sheet_handler = Sheet(strings, limits)
        yield from sheet_handler.rows(budget.parse(sheet, sheet_handler))


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
                raise Refused(UploadError(TOO_MANY_ELEMENTS.format(part=name, limit=number(limit))))
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
        except Refused as refused:
            raise refused.error from None
        except UploadError:
            raise
        except Exception:  # expat.ExpatError, zlib.error, BadZipFile (CRC), NotImplementedError (method)
            raise UploadError(NOT_XLSX) from None

    def read(self, name: str, handler) -> None:
        for _ in self.parse(name, handler):
            pass


def _refuse_doctype(*_):
    raise Refused(UploadError(NOT_XLSX))


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
                raise Refused(UploadError(NOT_XLSX))
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
    """Finds the first sheet of the workbook whose relationship is a worksheet (not a chart),
    or the worksheet called `name` when one is asked for."""

    def __init__(self, relationships, name: str | None = None):
        self.relationships, self.name, self.sheet = relationships, name, None

    def start(self, local, attributes):
        if local != "sheet" or self.sheet is not None:
            return
        if self.name is not None and attributes.get("name") != self.name:
            return
        rid = next((value for key, value in attributes.items() if " " in key and _local(key) == "id"), "")
        kind, target = self.relationships.get(rid, ("", ""))
        if kind.endswith(WORKSHEET_TYPE):
            self.sheet = target

    def end(self, local):
        pass

    def text(self, data):
        pass


def _first_worksheet(budget: _Budget, relationships, name: str | None = None) -> str:
    handler = _Workbook(relationships, name)
    for _ in budget.parse(WORKBOOK, handler):
        if handler.sheet is not None:
            return handler.sheet
    raise UploadError(NO_WORKSHEET if name is None else NO_NAMED_SHEET.format(sheet=name))


def _shared_strings(budget: _Budget, name: str) -> list:
    handler = SharedStrings(budget.limits)
    budget.read(name, handler)
    return handler.strings
