"""CLI for the leaders' survey: `flask leaders import`, `invitations`, `send` and `score`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from survey.audit import record
from survey.clock import local_today
from survey.extensions import db
from survey.leaders.charts import par_charts
from survey.leaders.delivery import REMINDER_GAP, Throttle, WaveOver, delivery_counts, run
from survey.leaders.invitations import LINKS_WHAT, LetterDetails, issue, letters_html, links_csv
from survey.leaders.progress import STATUS_LABELS
from survey.leaders.roster import RosterError, import_roster, parse_roster
from survey.leaders.scores import labels_of, par_document, score_json, score_xlsx
from survey.leaders.senders import DeliveryError, configured_sender
from survey.leaders.store import settle
from survey.models import Questionnaire, QuestionnaireKind, QuestionnaireVersion, SendChannel, Wave
from survey.public_url import public_base_url
from survey.questionnaire.versions import questionnaire_of

leaders_group = AppGroup("leaders", help="The leaders' survey for the PAR Index.")


def leader_wave(code: str) -> Wave:
    """The wave `code` of a leaders' questionnaire, or a clear CLI error."""
    wave = db.session.scalar(
        select(Wave).join(QuestionnaireVersion).join(Questionnaire)
        .where(Wave.code == code, Questionnaire.kind == QuestionnaireKind.LEADER))
    if wave is None:
        raise click.BadParameter(f"no wave {code!r} of a leaders' questionnaire", param_hint="--wave")
    return wave


def _write(text_or_bytes, out: Path | None) -> None:
    if out is None:
        if isinstance(text_or_bytes, bytes):
            raise click.UsageError("--format xlsx needs --out FILE")
        click.echo(text_or_bytes, nl=False)
        return
    try:
        if isinstance(text_or_bytes, bytes):
            out.write_bytes(text_or_bytes)
        else:
            out.write_text(text_or_bytes, encoding="utf-8")
    except OSError as exc:
        raise click.BadParameter(f"cannot write {out}: {exc.strerror or exc}", param_hint="--out") from None


@leaders_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--wave", "wave_code", required=True, help="Wave code, e.g. 2026Q3.")
def import_command(file: Path, wave_code: str) -> None:
    """Import a roster (CSV or XLSX) into a wave: every row or none."""
    wave = leader_wave(wave_code)
    try:
        rows = parse_roster(db.session, wave, questionnaire_of(wave), file)
    except RosterError as exc:
        click.echo(f"Không nhập được danh sách ({len(exc.problems)} lỗi, chưa ghi dòng nào):", err=True)
        for problem in exc.problems:
            click.echo(problem, err=True)
        sys.exit(1)
    count = import_roster(db.session, wave, rows, local_today())
    record("leaders_import", wave.code, username="cli", rows=count)
    db.session.commit()
    click.echo(f"Đã nhập {count} người vào danh sách mời của đợt {wave.code}.")


@leaders_group.command("invitations")
@click.option("--wave", "wave_code", required=True, help="Wave code, e.g. 2026Q3.")
@click.option("--format", "fmt", type=click.Choice(["csv", "html"]), default="csv", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE, not stdout.")
@click.option("--invitee", "invitee_ids", type=int, multiple=True,
              help="Only this invitation id (repeatable): re-issue a lost link.")
@click.option("--number", help="Letters: số và ký hiệu, e.g. 125/SNV-CCHC (blank to fill by hand).")
@click.option("--date", "signed_on", type=click.DateTime(["%Y-%m-%d", "%d/%m/%Y"]),
              help="Letters: ngày ký, YYYY-MM-DD or DD/MM/YYYY (blank to fill by hand).")
@click.option("--signer-title", multiple=True,
              help="Letters: quyền hạn, chức vụ, one line each (repeatable), e.g. 'KT. GIÁM ĐỐC'.")
@click.option("--signer-name", help="Letters: the signatory's full name.")
def invitations_command(wave_code: str, fmt: str, out: Path | None, invitee_ids: tuple[int, ...],
                        number: str | None, signed_on, signer_title: tuple[str, ...],
                        signer_name: str | None) -> None:
    """Issue fresh single-use links (old ones stop working) as CSV or A4 letters."""
    wave = leader_wave(wave_code)
    if fmt != "html" and (number or signed_on or signer_title or signer_name):
        raise click.UsageError("--number, --date, --signer-title and --signer-name are for --format html")
    base = public_base_url(LINKS_WHAT)
    issued = issue(db.session, wave, base, invitee_ids or None)
    if invitee_ids and len(issued) != len(set(invitee_ids)):
        db.session.rollback()
        raise click.BadParameter("some ids are not open invitations of this wave "
                                 "(unknown, of another wave, or already sent)",
                                 param_hint="--invitee")
    q = questionnaire_of(wave)
    groups = labels_of(q)["group"]
    body = (links_csv(issued, groups) if fmt == "csv"
            else letters_html(issued, wave, q.text(q.title, "vi"), groups,
                              details=LetterDetails.of(number, signed_on and signed_on.date(),
                                                       signer_title, signer_name)))
    record("leaders_invitations", wave.code, username="cli", count=len(issued))
    db.session.commit()
    _write(body, out)
    if out is not None:
        click.echo(f"Wrote {len(issued)} invitations to {out}; earlier links of these invitees no longer work.",
                   err=True)


@leaders_group.command("score")
@click.option("--wave", "wave_code", required=True, help="Wave code, e.g. 2026Q3.")
@click.option("--format", "fmt", type=click.Choice(["json", "xlsx"]), default="json", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE, not stdout.")
def score_command(wave_code: str, fmt: str, out: Path | None) -> None:
    """The wave's PAR score: total with 95% CI, by group, by field, criteria ranked by points lost
    (the document `flask report quarterly` writes for a leaders' wave). The workbook carries the
    report's charts sheet too, so an official gets the same file from either; matplotlib loads
    only when a chart is drawn."""
    document = par_document(db.session, leader_wave(wave_code))
    _write(score_json(document) + "\n" if fmt == "json" else score_xlsx(document, par_charts(document)), out)


@leaders_group.command("send")
@click.option("--wave", "wave_code", required=True, help="Wave code, e.g. PAR-2026Q3.")
@click.option("--channel", type=click.Choice([c.value for c in SendChannel]), required=True)
@click.option("--reminders", type=click.IntRange(0, 10), default=0, show_default=True,
              help="At most this many reminders per invitee not yet counted as completed, "
                   f"each at least {REMINDER_GAP.days} days after the previous message.")
def send_command(wave_code: str, channel: str, reminders: int) -> None:
    """Send each invitee their link (and due reminders) by e-mail or SMS; nothing is sent twice."""
    wave = leader_wave(wave_code)
    config = current_app.config
    try:
        sender = configured_sender(SendChannel(channel), config)
    except DeliveryError as exc:
        raise click.UsageError(exc.reason) from None
    base = public_base_url(LINKS_WHAT)
    q = questionnaire_of(wave)
    settle(db.session, wave, local_today())
    try:
        result = run(db.session, wave, sender, base, q.text(q.title, "vi"), Throttle(config["SEND_RATE"]),
                     reminders, local_today())
    except WaveOver as exc:
        raise click.UsageError(str(exc)) from None
    record("leaders_send", wave.code, username="cli", channel=channel, sent=result.sent, failed=result.failed)
    db.session.commit()
    counts = delivery_counts(db.session, wave)[SendChannel(channel)]
    click.echo(f"Đợt {wave.code}, {channel}: lần này đã gửi {result.sent}, lỗi {result.failed}"
               f"{f', bị gián đoạn {result.interrupted}' if result.interrupted else ''}. Cả đợt: "
               + ", ".join(f"{STATUS_LABELS[s]} {n}" for s, n in counts.items()) + ".")


COMMANDS = (leaders_group,)
