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

questionnaire_group = AppGroup("questionnaire", help="Check and publish questionnaire files.")


def _valid_questionnaire(path: Path):
    """The questionnaire in `path`, or exit 1 after printing every problem with its line."""
    questionnaire, problems = check_questionnaire(path)
    if problems:
        click.echo(format_problems(problems), err=True)
        raise SystemExit(1)
    return questionnaire


@questionnaire_group.command("check")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def check_command(path: Path) -> None:
    """Validate a questionnaire file and report every problem with its line and a fix."""
    questionnaire = _valid_questionnaire(path)
    click.echo(f"{path}: OK ({questionnaire.code}, {len(questionnaire.items)} items).")


@questionnaire_group.command("publish")
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
    state = "published as" if is_new else "unchanged; already"
    click.echo(f"{path}: {state} {version.label}.")


translations_group = AppGroup(
    "translations", help="Translate a published questionnaire in a spreadsheet (docs/questionnaires.md)."
)
questionnaire_group.add_command(translations_group)


@translations_group.command("export")
@click.option("--questionnaire", "code", required=True, help="Questionnaire code, e.g. sipas-2026.")
@click.option("--lang", "language", required=True, help="Target language code, e.g. rad (Ê Đê).")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The .xlsx file to write.")
def export_command(code: str, language: str, out: Path) -> None:
    """Write every string of the newest version, Vietnamese beside the target column, to an XLSX file."""
    try:
        workbook = export_workbook(db.session, code, language)
    except TranslationProblems as exc:
        raise click.ClickException("\n".join(exc.problems)) from None
    try:
        workbook.save(out)
    except OSError as exc:
        raise click.ClickException(f"{out}: cannot be written ({exc.strerror}).") from None
    rows = workbook["translations"].max_row - 1
    click.echo(f"{out}: {rows} strings of {code} to translate into '{language}'.")


@translations_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--lang", "language", help="Refuse the file unless it translates into this language.")
@click.option("--yaml-out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the translated questionnaire as a YAML file, for review.")
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
    state = "published as" if is_new else "unchanged; already"
    click.echo(f"{path}: '{translation.language}' {state} {version.label} (translated from "
               f"{translation.base.label}); page chrome in {instance_chrome_dir()}/{translation.language}.yaml.")


COMMANDS = (questionnaire_group,)
