"""CLI for the citizen side: receipt tokens, QR posters, questionnaire files."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from survey.extensions import db
from survey.models import ImmutableVersionError, ServiceCentre, ServiceField

receipts_group = AppGroup("receipts", help="Single-use QR tokens for dossier receipts.")
questionnaire_group = AppGroup("questionnaire", help="Check and publish questionnaire files.")


def _centre(code: str) -> ServiceCentre:
    centre = db.session.scalar(select(ServiceCentre).where(ServiceCentre.code == code))
    if centre is None:
        raise click.BadParameter(f"no centre with code {code!r}", param_hint="--centre")
    return centre


@receipts_group.command("issue")
@click.option("--centre", "centre_code", required=True, help="Centre code, e.g. 24001 or tinh.")
@click.option("--count", type=click.IntRange(1, 5000), required=True, help="How many tokens.")
@click.option("--field", "field_code", help="Service field code to pre-fill, e.g. ho_tich.")
def issue_receipts_command(centre_code: str, count: int, field_code: str | None) -> None:
    """Issue single-use receipt tokens and print one QR URL per line."""
    from survey.audit import record
    from survey.receipts import ReceiptError, issue_batch, receipt_url

    centre = _centre(centre_code)
    field = None
    if field_code:
        field = db.session.scalar(select(ServiceField).where(ServiceField.code == field_code))
        if field is None:
            raise click.BadParameter(f"no service field {field_code!r}", param_hint="--field")
    try:
        tokens = issue_batch(db.session, centre, count, field=field, issued_by="cli")
    except ReceiptError as exc:
        raise click.BadParameter(str(exc), param_hint="--centre") from None
    record("receipt_batch_issue", centre.code, username="cli", count=count,
           field=field.code if field else None)
    db.session.commit()
    base = _public_base_url()
    for token in tokens:
        click.echo(receipt_url(base, token))


@click.command("posters")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option("--centre", "centre_code", help="Only this centre (default: every active centre).")
def posters_command(out: Path, centre_code: str | None) -> None:
    """Write one printable A5 QR poster (HTML) per centre into OUT."""
    from survey.posters import write_posters

    if centre_code:
        centres = [_centre(centre_code)]
    else:
        centres = list(db.session.scalars(
            select(ServiceCentre).where(ServiceCentre.active).order_by(ServiceCentre.code)
        ))
    try:
        written = write_posters(centres, _public_base_url(), out)
    except OSError as exc:
        raise click.BadParameter(f"cannot write into {out}: {exc.strerror or exc}", param_hint="--out") from None
    click.echo(f"Wrote {len(written)} posters to {out} (open in a browser, print on A5).")


def _public_base_url() -> str:
    """The base of printed QR URLs, with a warning when phones could not reach it."""
    base = current_app.config["PUBLIC_BASE_URL"]
    host = urlsplit(base).hostname or ""
    if host in ("127.0.0.1", "localhost", "::1") or host.startswith("127."):
        click.echo(
            f"Warning: the QR codes point at {base}, which citizens' phones cannot reach. "
            "Set SURVEY_PUBLIC_BASE_URL to the public address (e.g. https://khaosat.daklak.gov.vn) "
            "before printing.",
            err=True,
        )
    return base


def _valid_questionnaire(path: Path):
    """The questionnaire in `path`, or exit 1 after printing every problem with its line."""
    from survey.questionnaire import check_questionnaire, format_problems

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
    from survey.publishing import publish

    questionnaire = _valid_questionnaire(path)
    try:
        version, is_new = publish(db.session, questionnaire)
        db.session.commit()
    except ImmutableVersionError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    state = "published as" if is_new else "unchanged; already"
    click.echo(f"{path}: {state} {version.label}.")
