"""`flask --app wsgi export responses`: one row per response for analysts."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from survey.exports.frame import responses_frame, write_frame
from survey.extensions import db
from survey.models import Wave

export_group = AppGroup("export", help="Export data for analysts.")


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


COMMANDS = (export_group,)
