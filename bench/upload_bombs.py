"""Hostile spreadsheets of issue 23, and what refusing each costs: wall time and peak memory.

Each bomb is a small file (tens of kilobytes) that costs a naive reader gigabytes or minutes:

- `empty_cells`: a header row and one row of 10,000,000 empty `<c/>` cells (40 MB of XML);
- `styles`: a styles part of 700,000 cell formats (44 MB of XML);
- `shared_strings`: 3,000,000 one-letter shared strings (48 MB of XML);
- `long_cell`: one shared string of 45,000,000 characters, used by cell A2;
- `long_inline_cell`: the same text written inline in the cell;
- `unknown_elements`: 10,000,000 `<x/>` elements inside a row (parser work with no cell);
- `wide_csv`: a CSV whose second line is 4,900,000 commas (just under the 5 MB upload bound).

`valid` is the baseline: a good two-row counts file, read in full; its peak RSS is the
interpreter with the application imported, the floor under every other figure. `large_valid`
is the largest honest file: the counts template's five columns, 45,000 rows, written by
openpyxl as Excel would (shared strings), read in full.

Each bomb is built and written to disk by one child process, then read by
`survey.uploads.read_upload` in another, fresh one, so its peak RSS (from `wait4`) is the
read's own plus the interpreter and the application's imports:

    .venv/bin/python bench/upload_bombs.py            # every bomb
    .venv/bin/python bench/upload_bombs.py long_cell  # one

tests/survey/test_upload_bombs.py builds the same files and checks each refusal's message.
"""

from __future__ import annotations

import io
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

HEADER = ("centre_code", "field_code", "quarter", "dossiers_resolved")
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '</Types>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="so_ho_so" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
RELATIONSHIP = ('<Relationship Id="{id}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                'relationships/{kind}" Target="{target}"/>')
SHEET_START = ('<?xml version="1.0" encoding="UTF-8"?>'
               '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
SHEET_END = "</sheetData></worksheet>"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _inline(text: str, reference: str) -> str:
    return f'<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>'


def _header_row() -> bytes:
    cells = "".join(_inline(name, f"{letter}1") for name, letter in zip(HEADER, "ABCD", strict=True))
    return f'<row r="1">{cells}</row>'.encode()


def xlsx(sheet_rows: bytes, shared_strings: bytes | None = None, styles: bytes | None = None) -> bytes:
    """A minimal XLSX whose first sheet's `<sheetData>` holds `sheet_rows` (header row first)."""
    relationships = [RELATIONSHIP.format(id="rId1", kind="worksheet", target="worksheets/sheet1.xml")]
    parts = {"[Content_Types].xml": CONTENT_TYPES.encode(), "_rels/.rels": ROOT_RELS.encode(),
             "xl/workbook.xml": WORKBOOK.encode(),
             "xl/worksheets/sheet1.xml": SHEET_START.encode() + sheet_rows + SHEET_END.encode()}
    if shared_strings is not None:
        relationships.append(RELATIONSHIP.format(id="rId2", kind="sharedStrings", target="sharedStrings.xml"))
        parts["xl/sharedStrings.xml"] = shared_strings
    if styles is not None:
        relationships.append(RELATIONSHIP.format(id="rId3", kind="styles", target="styles.xml"))
        parts["xl/styles.xml"] = styles
    parts["xl/_rels/workbook.xml.rels"] = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(relationships) + "</Relationships>").encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _shared(strings: bytes, count: int) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="{count}" '
            f'uniqueCount="{count}">').encode() + strings + b"</sst>"


def empty_cells() -> bytes:
    return xlsx(_header_row() + b'<row r="2">' + b"<c/>" * 10_000_000 + b"</row>")


def styles() -> bytes:
    formats = b'<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' * 700_000
    style_sheet = (f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN}">'
                   '<cellXfs count="700000">').encode() + formats + b"</cellXfs></styleSheet>"
    return xlsx(_header_row() + b'<row r="2"><c r="A2" s="699999"><v>1</v></c></row>', styles=style_sheet)


def shared_strings() -> bytes:
    count = 3_000_000
    return xlsx(_header_row() + b'<row r="2"><c r="A2" t="s"><v>0</v></c></row>',
                shared_strings=_shared(b"<si><t>x</t></si>" * count, count))


def long_cell() -> bytes:
    return xlsx(_header_row() + b'<row r="2"><c r="A2" t="s"><v>0</v></c></row>',
                shared_strings=_shared(b"<si><t>" + b"A" * 45_000_000 + b"</t></si>", 1))


def long_inline_cell() -> bytes:
    return xlsx(_header_row() + b'<row r="2"><c r="B2" t="inlineStr"><is><t>'
                + b"A" * 45_000_000 + b"</t></is></c></row>")


def unknown_elements() -> bytes:
    return xlsx(_header_row() + b'<row r="2">' + b"<x/>" * 10_000_000 + b"</row>")


def wide_csv() -> bytes:
    return (",".join(HEADER) + "\n24001" + "," * 4_900_000 + "\n").encode()


def valid() -> bytes:
    return xlsx(_header_row() + b'<row r="2">' + _inline("24001", "A2").encode() + _inline("ho_tich", "B2").encode()
                + _inline("2026Q3", "C2").encode() + b'<c r="D2"><v>7</v></c></row>')


def large_valid() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append([*HEADER[:1], "Tên trung tâm", *HEADER[1:]])
    for i in range(45_000):
        sheet.append([f"c{i % 300:05d}", f"Trung tâm phục vụ hành chính công {i % 300}", f"f{i % 150}",
                      "2026Q3", i])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


BOMBS = {
    "valid": valid,
    "large_valid": large_valid,
    "empty_cells": empty_cells,
    "styles": styles,
    "shared_strings": shared_strings,
    "long_cell": long_cell,
    "long_inline_cell": long_inline_cell,
    "unknown_elements": unknown_elements,
    "wide_csv": wide_csv,
}


def _child(path: str) -> None:
    """Read one bomb and print what happened as JSON (run in a fresh process)."""
    sys.path.insert(0, str(ROOT))
    from survey.uploads import UploadError, read_upload

    data = Path(path).read_bytes()
    started = time.perf_counter()
    try:
        read_upload(data)
        outcome = "read"
    except UploadError as exc:
        outcome = exc.message
    print(json.dumps({"seconds": time.perf_counter() - started, "outcome": outcome}, ensure_ascii=False))


def _run(*args: str) -> tuple[str, int, float, int]:
    """Run this script with `args` in a fresh process: its output, exit code, wall time, peak RSS (KB)."""
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE, text=True)
    output = child.stdout.read()
    child.stdout.close()
    _, status, usage = os.wait4(child.pid, 0)
    return output, os.waitstatus_to_exitcode(status), time.perf_counter() - started, usage.ru_maxrss


def _measure(name: str, folder: Path) -> dict:
    # The file is built by a process of its own: a reader forked from a parent holding the
    # 40 MB of XML would start with the parent's pages counted in its peak RSS.
    path = folder / f"{name}.bin"
    _run("--build", name, str(path))
    output, code, wall, peak = _run("--child", str(path))
    result = json.loads(output)
    return {"bomb": name, "file_kb": round(path.stat().st_size / 1024), "process_seconds": round(wall, 2),
            "read_seconds": round(result["seconds"], 2), "peak_rss_mb": round(peak / 1024),
            "exit": code, "outcome": result["outcome"]}


def main(argv: list[str]) -> None:
    if argv[:1] == ["--child"]:
        _child(argv[1])
        return
    if argv[:1] == ["--build"]:
        Path(argv[2]).write_bytes(BOMBS[argv[1]]())
        return
    names = argv or list(BOMBS)
    print(f"# {platform.node()}: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as folder:
        for name in names:
            print(json.dumps(_measure(name, Path(folder)), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
