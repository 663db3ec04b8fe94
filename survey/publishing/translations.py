"""Translate a published questionnaire in a spreadsheet: export its strings, import the translation, publish.

The province's translators work the way XLSForm translators do: one row per string, a stable
key, the Vietnamese source beside the column to fill. The workbook has three sheets:

- ``Hướng dẫn`` (first): the steps, in Vietnamese;
- ``translations``: ``key``, ``context`` (where the string appears), ``vi``, and the target
  language's column (``rad``, ``jra``…), pre-filled with any translation that already exists;
- ``settings``: the questionnaire's code, the version exported and the target language.

The strings are the questionnaire's (:mod:`survey.questionnaire.translations`) and the citizen
page's own buttons and messages (``survey/translations/vi.yaml``), keyed ``chrome.<key>``.

An import is read through the bounded upload reader (:mod:`survey.uploads`), so an oversized
or hostile file is refused before it costs much. It checks every row against the newest
published version, lists every problem by sheet, row and column in Vietnamese, and changes
nothing unless the whole file is sound. A sound file becomes a new version of the
questionnaire, the same in every code with the language added to ``languages``, and the chrome
strings are written to ``<instance>/translations/<language>.yaml``, where
:func:`survey.i18n.offered` reads them beside the shipped files.
"""

from __future__ import annotations

import copy
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.i18n import DEFAULT_LANGUAGE, catalogue, offered
from survey.models import Questionnaire, QuestionnaireVersion
from survey.publishing import publish
from survey.questionnaire import QuestionnaireDefinition, QuestionnaireError, from_dict
from survey.questionnaire.shape import LANGUAGE
from survey.questionnaire.translations import Entry, entries, placeholder_problem
from survey.spreadsheets import FORMULA_TRIGGERS, TEXT_MARK, append_row

if TYPE_CHECKING:  # openpyxl loads with a translation file, not with the app or its commands
    from openpyxl import Workbook
from survey.uploads import ZIP_MAGIC, Table, UploadProblems, normalise_header, read_table

NOTES_SHEET = "Hướng dẫn"
STRINGS_SHEET = "translations"
SETTINGS_SHEET = "settings"
STRINGS_HEADER = ("key", "context", DEFAULT_LANGUAGE)
SETTINGS_HEADER = ("questionnaire", "version", "language")
CHROME_PREFIX = "chrome."

CELL_PROBLEM = "Trang tính “{sheet}”, dòng {row}, cột {column}: {problem}"
NOT_AN_XLSX = ("Tệp không phải bảng tính XLSX. Hãy dịch trên tệp .xlsx đã xuất bằng lệnh "
               "“questionnaire translations export” và lưu lại dưới dạng Excel (.xlsx).")
NO_ROWS = "Trang tính “{sheet}” không có dòng nào."
MISSING_COLUMN = "Trang tính “{sheet}”, dòng {row}: thiếu cột “{column}”. Hãy dùng đúng tệp đã xuất, không đổi tên cột."
NO_QUESTIONNAIRE = "chưa có phiếu “{code}” nào được công bố. Hãy kiểm tra mã phiếu."
BAD_LANGUAGE = "“{language}” không phải mã ngôn ngữ (chữ thường a–z, 2 đến 8 chữ, ví dụ rad, jra, mng)."
SOURCE_LANGUAGE = "tiếng Việt (vi) là ngôn ngữ gốc, không nhập bản dịch cho nó. Hãy ghi mã ngôn ngữ đích, ví dụ rad."
OTHER_LANGUAGE = "tệp là bản dịch sang “{found}”, không phải “{wanted}” như đã yêu cầu."
NO_TARGET_COLUMN = ("Trang tính “{sheet}”, dòng {row}: không có cột “{language}” (ngôn ngữ ghi ở trang tính "
                    "“settings”) để đọc bản dịch; các cột hiện có: {columns}.")
NO_KEY = "không có khoá; hãy chép lại dòng này từ tệp đã xuất."
UNKNOWN_KEY = "khoá “{key}” không có trong phiếu {code}; hãy xoá dòng này hoặc xuất lại tệp."
DUPLICATE_KEY = "khoá “{key}” đã có ở dòng {first}; hãy giữ một dòng."
SOURCE_CHANGED = ("bản tiếng Việt khác với phiếu {label} hiện hành (“{current}”); hãy xuất lại tệp và chép "
                  "bản dịch sang.")
EMPTY_TARGET = "bỏ trống; mọi dòng đều cần bản dịch."
MISSING_KEY = "Trang tính “{sheet}”: thiếu dòng khoá “{key}” ({context}); hãy xuất lại tệp hoặc chép lại dòng này."
NOT_COMPLETE = "Phiếu sau khi dịch không hợp lệ: {problem}"

NOTES = (
    "Hướng dẫn dịch phiếu khảo sát",
    "",
    "1. Mở trang tính “translations”. Mỗi dòng là một câu chữ người trả lời đọc thấy: tên phiếu, tiêu đề "
    "trang, câu hỏi, gợi ý, lựa chọn trả lời, nút bấm và thông báo của trang phiếu.",
    "2. Cột “vi” là bản tiếng Việt. Viết bản dịch vào cột có mã ngôn ngữ đích (ví dụ “rad” là tiếng Ê Đê) "
    "trên cùng dòng. Cột “context” cho biết câu chữ hiện ra ở đâu.",
    "3. Không sửa cột “key” và cột “vi”, không thêm, xoá hay đổi thứ tự cột, không đổi tên trang tính. "
    "Có thể sắp xếp lại các dòng.",
    "4. Giữ nguyên các chỗ điền tự động trong dấu ngoặc nhọn, ví dụ {pages}, {minutes}, {current}: "
    "chương trình điền số vào đó. Không viết thêm dấu { hoặc } nào khác.",
    "5. Mọi dòng đều phải có bản dịch. Dòng “chrome.name” là tên của ngôn ngữ, viết bằng chính ngôn ngữ "
    "đó; tên này hiện trên nút chọn ngôn ngữ của phiếu.",
    "6. Lưu tệp dạng Excel (.xlsx) và gửi lại cho quản trị viên hệ thống để nhập. Nếu tệp còn lỗi, chương "
    "trình liệt kê từng lỗi theo trang tính, dòng và cột, và chưa công bố gì; sửa các lỗi đó rồi gửi lại.",
    "7. Khi nhập thành công, ngôn ngữ được công bố thành một phiên bản mới của phiếu (mã câu hỏi không "
    "đổi). Các đợt khảo sát tạo trên phiên bản mới có ngôn ngữ này trong nút chọn ngôn ngữ.",
    "",
)


class TranslationProblems(UploadProblems):
    """The file cannot be imported; `problems` lists every reason, by row and column, in Vietnamese."""


@dataclass(frozen=True)
class Translation:
    """A checked translation, ready to publish."""

    language: str
    base: QuestionnaireVersion
    """The version translated: the newest published one of the questionnaire."""
    definition: QuestionnaireDefinition
    """The base's definition with every string given in `language`, the language made complete."""
    chrome: dict[str, str]
    """The citizen page's buttons and messages in `language`, keyed as in vi.yaml."""


def latest_of(session: Session, code: str) -> QuestionnaireVersion | None:
    """The newest published version of questionnaire `code`."""
    return session.scalar(
        select(QuestionnaireVersion).join(Questionnaire).where(Questionnaire.code == code)
        .order_by(QuestionnaireVersion.number.desc()).limit(1)
    )


def strings(definition: dict[str, Any], language: str) -> list[Entry]:
    """Every string to translate: the questionnaire's, then the page chrome's (existing `language` text included)."""
    source, existing = catalogue()[DEFAULT_LANGUAGE], offered().get(language, {})
    chrome = [Entry(f"{CHROME_PREFIX}{key}", _chrome_context(key),
                    {DEFAULT_LANGUAGE: text} | ({language: existing[key]} if key in existing else {}))
              for key, text in source.items()]
    return entries(definition) + chrome


def _chrome_context(key: str) -> str:
    if key == "name":
        return "Tên của ngôn ngữ này, viết bằng chính ngôn ngữ đó (hiện trên nút chọn ngôn ngữ)"
    if key == "language":
        return "Nhãn của nút chọn ngôn ngữ"
    return f"Nút bấm hoặc thông báo trên trang phiếu ({key})"


def export_workbook(session: Session, code: str, language: str) -> Workbook:
    """The workbook a translator fills for questionnaire `code` into `language`."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    _check_language(language)
    version = latest_of(session, code)
    if version is None:
        raise TranslationProblems([f"Không xuất được: {NO_QUESTIONNAIRE.format(code=code)}"])
    workbook = Workbook()
    notes = workbook.active
    notes.title = NOTES_SHEET
    for line in NOTES:
        append_row(notes, [line])
    for label, value in (("Phiếu", code), ("Phiên bản", version.number), ("Ngôn ngữ đích", language)):
        append_row(notes, [f"{label}: {value}"])
    notes["A1"].font = Font(bold=True, size=14)
    notes.column_dimensions["A"].width = 120
    for row in notes.iter_rows():
        row[0].alignment = Alignment(wrap_text=True, vertical="top")

    sheet = workbook.create_sheet(STRINGS_SHEET)
    append_row(sheet, [*STRINGS_HEADER, language])
    for entry in strings(version.definition, language):
        append_row(sheet, [entry.key, entry.context, entry.text[DEFAULT_LANGUAGE], entry.text.get(language, "")])
    for column, width in zip("ABCD", (34, 40, 60, 60), strict=True):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row[2:]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"

    settings = workbook.create_sheet(SETTINGS_SHEET)
    append_row(settings, list(SETTINGS_HEADER))
    append_row(settings, [code, version.number, language])
    return workbook


def _check_language(language: str) -> None:
    if language == DEFAULT_LANGUAGE:
        raise TranslationProblems([f"Không xuất được: {SOURCE_LANGUAGE}"])
    if not LANGUAGE.match(language):
        raise TranslationProblems([f"Không xuất được: {BAD_LANGUAGE.format(language=language)}"])


def read_translation(session: Session, data: bytes, language: str | None = None) -> Translation:
    """Check the filled workbook `data` against the newest version; every problem is raised at once.

    `language`, when given, is the language the caller expects the file to translate into.
    """
    if not data.startswith(ZIP_MAGIC):
        raise TranslationProblems([NOT_AN_XLSX])
    target, base = _settings(session, data, language)
    table = _table(data, STRINGS_SHEET)
    columns = {normalise_header(cell): index for index, cell in enumerate(table.header)}
    problems = [MISSING_COLUMN.format(sheet=STRINGS_SHEET, row=table.header_line, column=column)
                for column in STRINGS_HEADER if column not in columns]
    if target not in columns:
        problems.append(NO_TARGET_COLUMN.format(sheet=STRINGS_SHEET, row=table.header_line, language=target,
                                                columns=", ".join(cell for cell in table.header if cell)))
    if problems:
        raise TranslationProblems(problems)
    definition = copy.deepcopy(base.definition)
    expected = {entry.key: entry for entry in strings(definition, target)}
    problems = _fill(table, columns, target, expected, base)
    if problems:
        raise TranslationProblems(problems)
    chrome = {key.removeprefix(CHROME_PREFIX): entry.text[target]
              for key, entry in expected.items() if key.startswith(CHROME_PREFIX)}
    return Translation(target, base, _complete_in(definition, target), chrome)


def _fill(table: Table, columns: dict[str, int], target: str, expected: dict[str, Entry],
          base: QuestionnaireVersion) -> list[str]:
    """Give each expected entry its translation from the rows; the problems found, by row and column."""
    from openpyxl.utils import get_column_letter

    problems: list[str] = []
    seen: dict[str, int] = {}
    key_at, source_at, target_at = columns["key"], columns[DEFAULT_LANGUAGE], columns[target]

    def problem(line: int, index: int, text: str) -> None:
        column = f"{get_column_letter(index + 1)} ({table.header[index]})"
        problems.append(CELL_PROBLEM.format(sheet=STRINGS_SHEET, row=line, column=column, problem=text))

    for line, cells in table.rows:
        key, source, text = (_cell(cells, index) for index in (key_at, source_at, target_at))
        entry = expected.get(key)
        if not key:
            problem(line, key_at, NO_KEY)
        elif entry is None:
            problem(line, key_at, UNKNOWN_KEY.format(key=key, code=base.questionnaire.code))
        elif key in seen:
            problem(line, key_at, DUPLICATE_KEY.format(key=key, first=seen[key]))
        else:
            seen[key] = line
            vietnamese = entry.text[DEFAULT_LANGUAGE]
            if source != vietnamese:
                problem(line, source_at, SOURCE_CHANGED.format(label=base.label, current=vietnamese))
            if not text:
                problem(line, target_at, EMPTY_TARGET)
            elif (wrong := placeholder_problem(vietnamese, text)) is not None:
                problem(line, target_at, wrong)
            entry.text[target] = text
    problems.extend(MISSING_KEY.format(sheet=STRINGS_SHEET, key=key, context=entry.context)
                    for key, entry in expected.items() if key not in seen)
    return problems


def _complete_in(definition: dict[str, Any], language: str) -> QuestionnaireDefinition:
    """The translated definition with `language` among its complete languages, checked as a file is."""
    if language not in definition["languages"]:
        definition["languages"] = [*definition["languages"], language]
    drafts = [code for code in definition.pop("draft_languages", []) if code != language]
    if drafts:
        definition["draft_languages"] = drafts
    try:
        return from_dict(definition)
    except QuestionnaireError as exc:  # every string was checked above, so this is a program error
        raise TranslationProblems([NOT_COMPLETE.format(problem=problem.message) for problem in exc.problems]) from None


def _settings(session: Session, data: bytes, wanted: str | None) -> tuple[str, QuestionnaireVersion]:
    """The target language and the version to translate (the newest of the questionnaire named), from
    the settings sheet."""
    from openpyxl.utils import get_column_letter

    table = _table(data, SETTINGS_SHEET)
    columns = {normalise_header(cell): index for index, cell in enumerate(table.header)}
    missing = [column for column in SETTINGS_HEADER if column not in columns]
    if missing:
        raise TranslationProblems([MISSING_COLUMN.format(sheet=SETTINGS_SHEET, row=table.header_line, column=column)
                                   for column in missing])
    if not table.rows:
        raise TranslationProblems([NO_ROWS.format(sheet=SETTINGS_SHEET)])
    line, cells = table.rows[0]
    code, language = _cell(cells, columns["questionnaire"]), _cell(cells, columns["language"])

    def at(column: str, text: str) -> str:
        letter = get_column_letter(columns[column] + 1)
        return CELL_PROBLEM.format(sheet=SETTINGS_SHEET, row=line, column=f"{letter} ({column})", problem=text)

    problems = []
    base = latest_of(session, code)
    if base is None:
        problems.append(at("questionnaire", NO_QUESTIONNAIRE.format(code=code)))
    if language == DEFAULT_LANGUAGE:
        problems.append(at("language", SOURCE_LANGUAGE))
    elif not LANGUAGE.match(language):
        problems.append(at("language", BAD_LANGUAGE.format(language=language)))
    elif wanted is not None and language != wanted:
        problems.append(at("language", OTHER_LANGUAGE.format(found=language, wanted=wanted)))
    if problems:
        raise TranslationProblems(problems)
    return language, base


def _table(data: bytes, sheet: str) -> Table:
    return read_table(data, TranslationProblems, NO_ROWS.format(sheet=sheet), sheet=sheet)


def _cell(cells: list[str], index: int) -> str:
    """The cell's text as written, without the mark `survey.spreadsheets` put before a formula sign."""
    text = cells[index] if index < len(cells) else ""
    if text.startswith(TEXT_MARK) and text[1:].startswith(FORMULA_TRIGGERS):
        return text[1:]
    return text


def import_translation(session: Session, data: bytes, chrome_dir: Path,
                       language: str | None = None) -> tuple[Translation, QuestionnaireVersion, bool]:
    """Check `data`, publish the translated version, commit and write the chrome file; all or nothing.

    The chrome file is written beside its place first and moved there only once the version is
    committed, so a failed commit leaves no language half offered. Returns the translation, the
    version and whether it is new (an identical translation publishes nothing).
    """
    translation = read_translation(session, data, language)
    version, is_new = publish(session, translation.definition)
    staged = _stage_chrome(chrome_dir, translation.language, translation.chrome)
    try:
        session.commit()
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    os.replace(staged, chrome_dir / f"{translation.language}.yaml")
    return translation, version, is_new


def _stage_chrome(chrome_dir: Path, language: str, chrome: dict[str, str]) -> Path:
    """`<language>.yaml` written to a temporary file in `chrome_dir`, to be moved into place."""
    chrome_dir.mkdir(parents=True, exist_ok=True)
    header = f"# Citizen page chrome in '{language}', written by `flask questionnaire translations import`.\n"
    body = yaml.safe_dump(chrome, allow_unicode=True, sort_keys=False, width=1000)
    descriptor, temporary = tempfile.mkstemp(dir=chrome_dir, prefix=f".{language}.", suffix=".tmp")
    with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
        stream.write(header + body)
    return Path(temporary)


def definition_yaml(definition: QuestionnaireDefinition) -> str:
    """The translated questionnaire as a YAML file in the shape of `questionnaires/*.yaml`, for review."""
    return yaml.safe_dump(definition.to_dict(), allow_unicode=True, sort_keys=False, width=100)
