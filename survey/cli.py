"""Command-line tools: `flask --app wsgi seed`, `flask --app wsgi export responses`, ..."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select

from survey.extensions import db
from survey.models import Wave
from survey.seed import LOCALITIES_CSV, PROVINCIAL_CENTRE_CODE, SeedError

export_group = AppGroup("export", help="Export data for analysts.")


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
    from survey.publishing import latest_version, publish_directory
    from survey.questionnaire import QuestionnaireError, format_problems
    from survey.seed import read_localities, seed_admin, seed_current_wave, seed_places

    session = db.session
    try:
        rows = read_localities(localities_path)
        added = seed_places(session, rows)
        published = publish_directory(session, Path(current_app.config["QUESTIONNAIRES_DIR"]))
        version = latest_version(session, "citizen")
        wave = seed_current_wave(session, version, dt.date.today())
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
    base_url = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    click.echo(f"Staff login: {base_url}/auth/login")
    click.echo(f"Desk QR for the provincial centre: {base_url}/q/{PROVINCIAL_CENTRE_CODE}")


@export_group.command("responses")
@click.option("--wave", "wave_code", required=True, help="Wave code, e.g. 2026Q3.")
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Output file (default: standard output for CSV).",
)
def export_responses_command(wave_code: str, fmt: str, out: Path | None) -> None:
    """Write one row per response and one column per item."""
    from survey.export import responses_frame, write_frame

    wave = db.session.scalar(select(Wave).where(Wave.code == wave_code))
    if wave is None:
        known = ", ".join(db.session.scalars(select(Wave.code).order_by(Wave.code))) or "none"
        raise click.BadParameter(f"no wave {wave_code!r} (known waves: {known})", param_hint="--wave")
    if fmt == "xlsx" and out is None:
        raise click.BadParameter("XLSX needs an output file", param_hint="--out")
    frame = responses_frame(db.session, wave)
    if out is None:
        write_frame(frame, sys.stdout, fmt)
        return
    try:
        write_frame(frame, out, fmt)
    except OSError as exc:
        raise click.BadParameter(
            f"cannot write {out}: {exc.strerror or exc}. Check the folder exists and is writable.",
            param_hint="--out",
        ) from None
    click.echo(f"Wrote {len(frame)} responses to {out}.", err=True)


def register_commands(app: Flask) -> None:
    """Attach the CLI commands to the app."""
    from survey.respond.commands import posters_command, questionnaire_group, receipts_group

    app.cli.add_command(seed_command)
    app.cli.add_command(export_group)
    app.cli.add_command(receipts_group)
    app.cli.add_command(posters_command)
    app.cli.add_command(questionnaire_group)
    from survey.auth.cli import users_group

    app.cli.add_command(users_group)
