"""Translation as a workflow: export a published questionnaire, fill it, import it, offer the language.

The language filled in here is a pseudo-translation made by the test itself, code `qps` (the
pseudo-locale range of ISO 639-3's private use, qaa–qtz): each Vietnamese string wrapped in
"[!! … !!]" with its `{placeholders}` kept. It checks the mechanism only; no Ê Đê, M'Nông or
J'rai text is invented anywhere.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook
from sqlalchemy import func, select

from survey import i18n
from survey.models import QuestionnaireVersion
from survey.publishing import publish
from survey.publishing.translations import (
    NOTES_SHEET,
    SETTINGS_SHEET,
    STRINGS_SHEET,
    TranslationProblems,
    read_translation,
)
from survey.questionnaire import from_dict, load_questionnaire
from survey.uploads import DEFAULT_LIMITS
from tests.factories import make_centre, make_field, make_version, make_wave

PSEUDO = "qps"
STATE = re.compile(r'name="state" type="hidden" value="([^"]*)"')


def pseudo(text: str) -> str:
    """The pseudo-translation of a Vietnamese string: visibly marked, placeholders intact."""
    return f"[!! {text} !!]"


@pytest.fixture
def instance(app, tmp_path, monkeypatch) -> Path:
    """A fresh instance folder, so imported chrome files never reach the shared one."""
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    return tmp_path


@pytest.fixture
def version(db_session, instance):
    """SIPAS 2026 published as version 1, committed."""
    published = make_version(db_session)
    db_session.commit()
    return published


def export(runner, tmp_path: Path, language: str = PSEUDO) -> Path:
    out = tmp_path / f"sipas-{language}.xlsx"
    result = runner.invoke(args=["questionnaire", "translations", "export", "--questionnaire", "sipas-2026",
                                 "--lang", language, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def fill(path: Path, change=None) -> bytes:
    """The exported workbook with every target cell pseudo-translated, then `change(sheet)` applied."""
    workbook = load_workbook(path)
    sheet = workbook[STRINGS_SHEET]
    for row in sheet.iter_rows(min_row=2):
        row[3].value = pseudo(row[2].value)
    if change is not None:
        change(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def import_file(runner, tmp_path: Path, data: bytes, *options: str):
    path = tmp_path / "filled.xlsx"
    path.write_bytes(data)
    return runner.invoke(args=["questionnaire", "translations", "import", str(path), *options])


def version_count(db_session) -> int:
    return db_session.scalar(select(func.count()).select_from(QuestionnaireVersion))


def test_the_export_lists_every_string_beside_its_source(runner, version, tmp_path):
    workbook = load_workbook(export(runner, tmp_path))
    assert workbook.sheetnames == [NOTES_SHEET, STRINGS_SHEET, SETTINGS_SHEET]
    assert "Hướng dẫn dịch" in workbook[NOTES_SHEET]["A1"].value
    rows = list(workbook[STRINGS_SHEET].iter_rows(values_only=True))
    assert rows[0] == ("key", "context", "vi", PSEUDO)
    by_key = {row[0]: row for row in rows[1:]}
    assert len(by_key) == len(rows) - 1  # one row per key
    questionnaire = load_questionnaire(Path("questionnaires/sipas-2026.yaml"))
    first = questionnaire.items[0]
    assert by_key[f"item.{first.code}.label"][2] == first.label["vi"]
    very_satisfied = questionnaire.choice_lists["satisfaction"].choice("5")
    assert by_key["choice.satisfaction.5.label"][2] == very_satisfied.label["vi"]
    assert by_key["title"][2] == questionnaire.title["vi"]
    chrome = i18n.catalogue()["vi"]
    assert {key.removeprefix("chrome.") for key in by_key if key.startswith("chrome.")} == set(chrome)
    assert by_key["chrome.assigned"][2] == chrome["assigned"]
    assert all(row[3] is None for row in rows[1:])  # nothing translated yet
    settings = list(workbook[SETTINGS_SHEET].iter_rows(values_only=True))
    assert settings == [("questionnaire", "version", "language"), ("sipas-2026", version.number, PSEUDO)]


def test_a_pseudo_translation_round_trips_into_the_citizen_form(runner, client, version, db_session, tmp_path,
                                                                 instance):
    before = version_count(db_session)
    review = tmp_path / "review.yaml"
    result = import_file(runner, tmp_path, fill(export(runner, tmp_path)), "--lang", PSEUDO,
                         "--yaml-out", str(review))
    assert result.exit_code == 0, result.output
    assert version_count(db_session) == before + 1
    translated = db_session.scalar(select(QuestionnaireVersion).order_by(QuestionnaireVersion.number.desc()))
    assert translated.number == version.number + 1
    assert translated.definition["languages"] == [*version.definition["languages"], PSEUDO]
    original, new = load_questionnaire(Path("questionnaires/sipas-2026.yaml")), translated.definition
    # codes unchanged: the same pages, items and choice values, in the same order
    assert [p["code"] for p in new["pages"]] == [p.code for p in original.pages]
    assert [i["code"] for p in new["pages"] for s in p["sections"] for i in s["items"]] == \
        [item.code for item in original.items]
    assert {name: [c["value"] for c in choices] for name, choices in new["choice_lists"].items()} == \
        {name: list(choices.values) for name, choices in original.choice_lists.items()}
    # the review file is the same questionnaire, loadable as a file
    assert load_questionnaire(review).checksum == translated.checksum
    chrome_file = instance / "translations" / f"{PSEUDO}.yaml"
    chrome = yaml.safe_load(chrome_file.read_text(encoding="utf-8"))
    assert chrome["assigned"] == pseudo(i18n.catalogue()["vi"]["assigned"])

    wave = make_wave(db_session, translated, code="2026Q4")
    centre = make_centre(db_session)
    make_field(db_session)
    db_session.commit()
    first = client.get(f"/q/{centre.code}").get_data(as_text=True)
    switch = pseudo("Tiếng Việt")
    assert f'value="lang:{PSEUDO}"' in first and switch in first
    page = client.post("/s", data={"state": STATE.search(first).group(1), "action": f"lang:{PSEUDO}",
                                   "js": "0"}).get_data(as_text=True)
    assert f'lang="{PSEUDO}"' in page
    first_page = original.pages[0]
    assert pseudo(first_page.title["vi"]) in page
    assert pseudo(first_page.items[0].label["vi"]) in page
    assert pseudo(i18n.catalogue()["vi"]["next"]) in page
    assert wave.questionnaire_version_id == translated.id


def test_importing_the_same_file_again_publishes_nothing(runner, version, db_session, tmp_path):
    data = fill(export(runner, tmp_path))
    assert import_file(runner, tmp_path, data).exit_code == 0
    count = version_count(db_session)
    again = import_file(runner, tmp_path, data)
    assert again.exit_code == 0 and "không đổi; đã có trong" in again.output
    assert version_count(db_session) == count


def test_an_existing_translation_is_exported_for_revision(runner, version, tmp_path):
    assert import_file(runner, tmp_path, fill(export(runner, tmp_path))).exit_code == 0
    rows = list(load_workbook(export(runner, tmp_path))[STRINGS_SHEET].iter_rows(min_row=2, values_only=True))
    assert all(row[3] == pseudo(row[2]) for row in rows)


def _row_of(workbook, key: str) -> int:
    sheet = workbook[STRINGS_SHEET]
    return next(row[0].row for row in sheet.iter_rows(min_row=2) if row[0].value == key)


def _set(key: str, value):
    def change(workbook):
        workbook[STRINGS_SHEET].cell(_row_of(workbook, key), 4).value = value
    return change


def _delete(key: str):
    def change(workbook):
        workbook[STRINGS_SHEET].delete_rows(_row_of(workbook, key))
    return change


def _rename(old: str, new: str):
    def change(workbook):
        workbook[old].title = new
    return change


def _language(code: str):
    def change(workbook):
        workbook[SETTINGS_SHEET]["C2"].value = code
        workbook[STRINGS_SHEET]["D1"].value = code
    return change


@pytest.mark.parametrize(("change", "expected"), [
    (_delete("chrome.next"), r"thiếu dòng khoá “chrome\.next”"),
    (_set("chrome.assigned", "[!! chọn {trang} trang, {minutes} phút !!]"),
     r"dòng \d+, cột D \(qps\): chỗ điền tự động phải giữ nguyên .*thiếu \{pages\}; có \{trang\}"),
    (_set("chrome.page_of", "Trang {current/{total}"), r"dòng \d+, cột D \(qps\): .*thiếu \{current\}"),
    (_set("chrome.next", "Tiếp {tục}"), r"dòng \d+, cột D \(qps\): chỗ điền tự động .*có \{tục\}"),
    (_set("item.tc1.label", None), r"dòng \d+, cột D \(qps\): bỏ trống"),
    (_set("title", "   "), r"dòng 2, cột D \(qps\): bỏ trống"),
    (_rename(STRINGS_SHEET, "Sheet1"), r"không có trang tính “translations”"),
    (_language("vi"), r"“settings”, dòng 2, cột C \(language\): tiếng Việt \(vi\) là ngôn ngữ gốc"),
    (_language("rad"), r"“settings”, dòng 2, cột C \(language\): tệp là bản dịch sang “rad”, không phải “qps”"),
])
def test_a_bad_file_is_refused_by_row_and_publishes_nothing(runner, version, db_session, tmp_path, instance,
                                                            change, expected):
    before = version_count(db_session)
    result = import_file(runner, tmp_path, fill(export(runner, tmp_path), change), "--lang", PSEUDO)
    assert result.exit_code == 1
    assert "chưa nhập, không có gì được công bố" in result.output
    assert re.search(expected, result.output, re.IGNORECASE), result.output
    assert version_count(db_session) == before
    assert not (instance / "translations").exists() or not list((instance / "translations").iterdir())


def test_a_file_that_is_not_a_spreadsheet_is_refused(runner, version, db_session, tmp_path):
    before = version_count(db_session)
    result = import_file(runner, tmp_path, "key,context,vi,qps\ntitle,,Khảo sát,[!! Khảo sát !!]\n".encode())
    assert result.exit_code == 1 and "Tệp không phải bảng tính XLSX" in result.output
    broken = import_file(runner, tmp_path, b"PK\x03\x04 not really a zip")
    assert broken.exit_code == 1 and "không mở được như bảng tính XLSX" in broken.output
    huge = import_file(runner, tmp_path, b"PK\x03\x04" + bytes(DEFAULT_LIMITS.compressed_bytes))
    assert huge.exit_code == 1 and "Tệp lớn hơn giới hạn 5 MB" in huge.output
    assert version_count(db_session) == before


def test_a_cell_bomb_in_the_translations_sheet_is_refused_by_its_bound(runner, version, db_session, tmp_path):
    """400,000 empty cells, a few kilobytes zipped: the reader stops at its cell bound (issue 23)."""
    filled = fill(export(runner, tmp_path))
    bomb = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(filled)) as source, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            content = source.read(entry)
            if entry.filename == "xl/worksheets/sheet2.xml":  # the second sheet, "translations"
                content = re.sub(rb"<sheetData>.*</sheetData>",
                                 b"<sheetData><row r=\"1\">" + b"<c/>" * 400_000 + b"</row></sheetData>",
                                 content, flags=re.DOTALL)
            target.writestr(entry, content)
    before = version_count(db_session)
    assert len(bomb.getvalue()) < 50_000
    result = import_file(runner, tmp_path, bomb.getvalue())
    assert result.exit_code == 1 and "Dòng 1: tệp có hơn 300.000 ô" in result.output, result.output
    assert version_count(db_session) == before


def test_every_problem_is_listed_at_once(version, db_session, runner, tmp_path):
    data = fill(export(runner, tmp_path), lambda workbook: [
        _set("item.tc1.label", None)(workbook), _set("chrome.assigned", "{pages}")(workbook),
        _delete("chrome.back")(workbook)])
    with pytest.raises(TranslationProblems) as refused:
        read_translation(db_session, data)
    assert len(refused.value.problems) == 3
    assert [problem.split(":")[0] for problem in refused.value.problems[:2]] == [
        f"Trang tính “translations”, dòng {_row_of(load_workbook(io.BytesIO(data)), key)}, cột D (qps)"
        for key in ("item.tc1.label", "chrome.assigned")]


def test_a_source_changed_since_export_is_named(version, db_session, runner, tmp_path):
    data = fill(export(runner, tmp_path), lambda workbook: workbook[STRINGS_SHEET].cell(
        _row_of(workbook, "chrome.next"), 3, "Đi tiếp"))
    with pytest.raises(TranslationProblems, match=r"cột C \(vi\): bản tiếng Việt khác với phiếu sipas-2026 v1"):
        read_translation(db_session, data)


def test_an_unknown_questionnaire_or_key_is_named(version, db_session, runner, tmp_path):
    def unknown(workbook):
        workbook[SETTINGS_SHEET]["A2"].value = "sipas-2099"
    with pytest.raises(TranslationProblems, match=r"cột A \(questionnaire\): chưa có phiếu “sipas-2099”"):
        read_translation(db_session, fill(export(runner, tmp_path), unknown))

    def extra(workbook):
        workbook[STRINGS_SHEET].append(["item.nope.label", "", "Không có", "[!! Không có !!]"])
    with pytest.raises(TranslationProblems, match=r"cột A \(key\): khoá “item\.nope\.label” không có trong phiếu"):
        read_translation(db_session, fill(export(runner, tmp_path), extra))


def test_an_imported_language_joins_the_switch_without_a_restart(app, instance):
    assert PSEUDO not in i18n.languages()
    directory = instance / "translations"
    directory.mkdir()
    strings = {key: pseudo(text) for key, text in i18n.catalogue()["vi"].items()}
    (directory / f"{PSEUDO}.yaml").write_text(yaml.safe_dump(strings, allow_unicode=True), encoding="utf-8")
    assert i18n.languages(("vi", PSEUDO)) == {"vi": "Tiếng Việt", PSEUDO: pseudo("Tiếng Việt")}
    assert i18n.pick_language(PSEUDO) == PSEUDO
    # a file missing a key (imported before vi.yaml gained it) drops out instead of stopping the app
    del strings["next"]
    (directory / f"{PSEUDO}.yaml").write_text(yaml.safe_dump(strings, allow_unicode=True) + "# edited\n",
                                              encoding="utf-8")
    assert PSEUDO not in i18n.languages()
    assert i18n.pick_language(PSEUDO) == "vi"


def test_a_draft_language_is_prefilled_and_becomes_complete(runner, db_session, tmp_path, instance):
    """A language begun by hand in the YAML file (`draft_languages`) is finished in the spreadsheet."""
    definition = load_questionnaire(Path("questionnaires/sipas-2026.yaml")).to_dict()
    definition["draft_languages"] = [PSEUDO]
    definition["title"][PSEUDO] = "[!! begun by hand !!]"
    publish(db_session, from_dict(definition))
    db_session.commit()
    workbook = load_workbook(export(runner, tmp_path))
    assert workbook[STRINGS_SHEET].cell(_row_of(workbook, "title"), 4).value == "[!! begun by hand !!]"
    assert import_file(runner, tmp_path, fill(export(runner, tmp_path))).exit_code == 0
    newest = db_session.scalar(select(QuestionnaireVersion).order_by(QuestionnaireVersion.number.desc()))
    assert PSEUDO in newest.definition["languages"] and "draft_languages" not in newest.definition
