"""The cells of an XLSX worksheet and its shared strings, as expat callbacks that count their work.

`survey.uploads.xlsx` feeds each part to these handlers a chunk at a time; a handler raises
`Refused` at the first bound crossed (cells, rows, columns, shared strings, a cell's length),
which the feeder turns into the `UploadError` naming it.
"""

from __future__ import annotations

from typing import Iterator

from survey.uploads.limits import (
    CELL_TOO_LONG,
    NOT_XLSX,
    TOO_MANY_CELLS,
    TOO_MANY_COLUMNS,
    TOO_MANY_ROWS,
    TOO_MANY_STRINGS,
    UploadError,
    UploadLimits,
    excerpt,
    number,
)

MAX_COLUMN = 16_384  # XFD, the last column Excel has


class Refused(Exception):
    """Raised inside an expat handler; carries the UploadError out of the parser."""

    def __init__(self, error: UploadError):
        super().__init__(error.message)
        self.error = error


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


class SharedStrings:
    def __init__(self, limits: UploadLimits):
        self.limits, self.strings = limits, []
        self.current: _Text | None = None
        self.depth_in_phonetic = 0
        self.in_text = False

    def start(self, local, attributes):
        if local == "si":
            if len(self.strings) >= self.limits.shared_strings:
                raise Refused(UploadError(TOO_MANY_STRINGS.format(limit=number(self.limits.shared_strings))))
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


class Sheet:
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

    def rows(self, chunks: Iterator[None]) -> Iterator[tuple[int, list[str]]]:
        """The rows finished after each chunk `chunks` feeds to this handler."""
        for _ in chunks:
            yield from self.ready
            self.ready.clear()

    def _refuse(self, template: str, **values) -> Refused:
        return Refused(UploadError(template.format(**values)))

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
            raise Refused(UploadError(NOT_XLSX))
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
            raise Refused(UploadError(NOT_XLSX))
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
        raise Refused(UploadError(NOT_XLSX))
    if not raw:
        return ""
    if kind == "s":
        index = _whole(raw)
        if index is None or index >= len(strings):
            raise Refused(UploadError(NOT_XLSX))
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
        raise Refused(UploadError(NOT_XLSX)) from None
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
