"""CLI for questionnaire files: `flask questionnaire check|publish` and `… translations export|import`."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from survey.extensions import db
from survey.i18n import instance_chrome_dir
from survey.models import ImmutableVersionError
from survey.publishing import publish
from survey.publishing.translations import (
    TranslationProblems,
    definition_yaml,
    export_workbook,
    import_translation,
)
from survey.questionnaire import check_questionnaire, format_problems
from survey.uploads import DEFAULT_LIMITS

questionnaire_group = AppGroup("questionnaire", help="Kiểm tra và công bố tệp bảng hỏi.")


def _valid_questionnaire(path: Path):
    """The questionnaire in `path`, or exit 1 after printing every problem with its line."""
    questionnaire, problems = check_questionnaire(path)
    if problems:
        click.echo(format_problems(problems), err=True)
        raise SystemExit(1)
    return questionnaire


@questionnaire_group.command("check", help="Kiểm tra một tệp bảng hỏi, báo mọi lỗi kèm dòng và cách sửa.")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def check_command(path: Path) -> None:
    """Validate a questionnaire file and report every problem with its line and a fix."""
    questionnaire = _valid_questionnaire(path)
    click.echo(f"{path}: hợp lệ ({questionnaire.code}, {len(questionnaire.items)} câu hỏi).")


@questionnaire_group.command("publish", help="Công bố tệp bảng hỏi hợp lệ thành phiên bản mới (tệp không đổi "
                                             "thì không công bố gì).")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def publish_command(path: Path) -> None:
    """Publish a valid questionnaire file as a new version (unchanged files publish nothing).

    `publish` only ever adds a version, so the model's guard on answered versions is a last
    line here: should a change reach one, the official reads its Vietnamese message and the
    command exits 1 with nothing stored, not a traceback."""
    questionnaire = _valid_questionnaire(path)
    try:
        version, is_new = publish(db.session, questionnaire)
        db.session.commit()
    except ImmutableVersionError as exc:
        db.session.rollback()
        click.echo(f"{path}: chưa công bố, không có gì thay đổi. {exc}", err=True)
        raise SystemExit(1) from None
    state = "đã công bố thành" if is_new else "không đổi; đã có trong"
    click.echo(f"{path}: {state} {version.label}.")


translations_group = AppGroup(
    "translations", help="Dịch một bảng hỏi đã công bố trên bảng tính (docs/questionnaires.md)."
)
questionnaire_group.add_command(translations_group)


@translations_group.command("export", help="Ghi mọi chuỗi của phiên bản mới nhất ra tệp XLSX, tiếng Việt bên "
                                           "cạnh cột ngôn ngữ đích.")
@click.option("--questionnaire", "code", required=True, help="Mã bảng hỏi, ví dụ sipas-2026.")
@click.option("--lang", "language", required=True, help="Mã ngôn ngữ đích, ví dụ rad (Ê Đê).")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Tệp .xlsx ghi ra.")
def export_command(code: str, language: str, out: Path) -> None:
    """Write every string of the newest version, Vietnamese beside the target column, to an XLSX file."""
    try:
        workbook = export_workbook(db.session, code, language)
    except TranslationProblems as exc:
        raise click.ClickException("\n".join(exc.problems)) from None
    try:
        workbook.save(out)
    except OSError as exc:
        raise click.ClickException(f"{out}: không ghi được ({exc.strerror}).") from None
    rows = workbook["translations"].max_row - 1
    click.echo(f"{out}: {rows} chuỗi của {code} cần dịch sang '{language}'.")


@translations_group.command("import", help="Kiểm tra tệp bản dịch đã điền và công bố ngôn ngữ đó thành phiên "
                                           "bản bảng hỏi mới.")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--lang", "language", help="Chỉ nhận tệp nếu là bản dịch sang ngôn ngữ này.")
@click.option("--yaml-out", type=click.Path(dir_okay=False, path_type=Path),
              help="Ghi thêm bảng hỏi đã dịch ra tệp YAML để rà soát.")
def import_command(path: Path, language: str | None, yaml_out: Path | None) -> None:
    """Check a filled translation file and publish its language as a new questionnaire version."""
    with path.open("rb") as stream:
        data = stream.read(DEFAULT_LIMITS.compressed_bytes + 1)  # the reader refuses a larger file
    try:
        translation, version, is_new = import_translation(db.session, data, instance_chrome_dir(), language)
    except TranslationProblems as exc:
        db.session.rollback()
        click.echo(f"{path}: chưa nhập, không có gì được công bố. Sửa {len(exc.problems)} lỗi sau rồi nhập lại:",
                   err=True)
        click.echo("\n".join(f"- {problem}" for problem in exc.problems), err=True)
        raise SystemExit(1) from None
    if yaml_out is not None:
        yaml_out.write_text(definition_yaml(translation.definition), encoding="utf-8")
    state = "đã công bố thành" if is_new else "không đổi; đã có trong"
    click.echo(f"{path}: '{translation.language}' {state} {version.label} (dịch từ "
               f"{translation.base.label}); chữ trên giao diện trang ở {instance_chrome_dir()}/"
               f"{translation.language}.yaml.")


COMMANDS = (questionnaire_group,)
