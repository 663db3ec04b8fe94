"""`flask --app wsgi seed`: load the province's places, questionnaires, current wave and admin."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app

from survey.clock import local_today
from survey.enums import QuestionnaireKind
from survey.extensions import db
from survey.public_url import public_base_url
from survey.publishing import latest_version, publish_directory
from survey.questionnaire import QuestionnaireError, format_problems
from survey.setup.seed import (
    LOCALITIES_CSV,
    PROVINCIAL_CENTRE_CODE,
    SeedError,
    read_localities,
    seed_admin,
    seed_current_wave,
    seed_places,
)


@click.command("seed")
@click.option(
    "--localities",
    "localities_path",
    type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path),
    default=LOCALITIES_CSV,
    show_default=True,
    help="CSV with columns code,name,kind.",
)
def seed_command(localities_path: Path) -> None:
    """Load localities, centres, fields, questionnaires, the current wave and an admin."""
    session = db.session
    try:
        rows = read_localities(localities_path)
        added = seed_places(session, rows)
        published = publish_directory(session, Path(current_app.config["QUESTIONNAIRES_DIR"]))
        version = latest_version(session, QuestionnaireKind.CITIZEN)
        wave = seed_current_wave(session, version, local_today())
        password = seed_admin(session)
        session.commit()
    except SeedError as exc:
        session.rollback()
        raise click.ClickException(f"Seed aborted, nothing was changed. {exc}") from None
    except QuestionnaireError as exc:
        session.rollback()
        raise click.ClickException(
            "Seed aborted, nothing was changed. Questionnaire errors:\n"
            + format_problems(exc.problems)
        ) from None
    new_versions = [v.label for v, is_new in published if is_new]
    click.echo(f"Places and fields added: {added}.")
    click.echo(f"Questionnaire versions published: {', '.join(new_versions) or 'none new'}.")
    if wave is not None:
        click.echo(f"Current wave: {wave.code} ({wave.status}).")
    if password is not None:
        click.echo(f"Admin account created. Username: admin  Password: {password}")
        click.echo("This password is shown once; change it after logging in.")
    else:
        click.echo(
            "Admin account 'admin' exists (password shown on the first run only; "
            "reset it with: flask --app wsgi users reset admin)."
        )
    base_url = public_base_url("Các đường dẫn dưới đây").rstrip("/")
    click.echo(f"Staff login: {base_url}/auth/login")
    click.echo(f"Desk QR for the provincial centre: {base_url}/q/{PROVINCIAL_CENTRE_CODE}")


COMMANDS = (seed_command,)
