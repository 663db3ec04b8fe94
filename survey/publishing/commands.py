"""CLI for questionnaire files: `flask questionnaire check|publish`."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from survey.extensions import db
from survey.models import ImmutableVersionError
from survey.publishing import publish
from survey.questionnaire import check_questionnaire, format_problems

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
    """Publish a valid questionnaire file as a new version (unchanged files publish nothing)."""
    questionnaire = _valid_questionnaire(path)
    try:
        version, is_new = publish(db.session, questionnaire)
        db.session.commit()
    except ImmutableVersionError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    state = "published as" if is_new else "unchanged; already"
    click.echo(f"{path}: {state} {version.label}.")


COMMANDS = (questionnaire_group,)
