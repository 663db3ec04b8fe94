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

leaders_group = AppGroup("leaders", help="Khảo sát lãnh đạo, quản lý cho Chỉ số PAR.")


def leader_wave(code: str) -> Wave:
    """The wave `code` of a leaders' questionnaire, or a clear CLI error."""
    wave = db.session.scalar(
        select(Wave).join(QuestionnaireVersion).join(Questionnaire)
        .where(Wave.code == code, Questionnaire.kind == QuestionnaireKind.LEADER))
    if wave is None:
        raise click.BadParameter(f"không có đợt {code!r} của bảng hỏi lãnh đạo, quản lý", param_hint="--wave")
    return wave


def _write(text_or_bytes, out: Path | None) -> None:
    if out is None:
        if isinstance(text_or_bytes, bytes):
            raise click.UsageError("--format xlsx cần --out TỆP")
        click.echo(text_or_bytes, nl=False)
        return
    try:
        if isinstance(text_or_bytes, bytes):
            out.write_bytes(text_or_bytes)
        else:
            out.write_text(text_or_bytes, encoding="utf-8")
    except OSError as exc:
        raise click.BadParameter(f"không ghi được {out}: {exc.strerror or exc}", param_hint="--out") from None


@leaders_group.command("import", help="Nhập danh sách mời (CSV hoặc XLSX) vào một đợt: "
                        "nhập đủ mọi dòng, hoặc không dòng nào.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--wave", "wave_code", required=True, help="Mã đợt, ví dụ 2026Q3.")
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


@leaders_group.command("invitations", help="Cấp đường dẫn dùng một lần mới (đường dẫn cũ hết "
                        "hiệu lực), dạng CSV hoặc thư mời A4.")
@click.option("--wave", "wave_code", required=True, help="Mã đợt, ví dụ 2026Q3.")
@click.option("--format", "fmt", type=click.Choice(["csv", "html"]), default="csv", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Ghi ra TỆP thay vì đầu ra chuẩn.")
@click.option("--invitee", "invitee_ids", type=int, multiple=True,
              help="Chỉ mã lời mời này (dùng được nhiều lần): cấp lại đường dẫn bị mất.")
@click.option("--number", help="Thư mời: số và ký hiệu, ví dụ 125/SNV-CCHC (để trống thì điền tay).")
@click.option("--date", "signed_on", type=click.DateTime(["%Y-%m-%d", "%d/%m/%Y"]),
              help="Thư mời: ngày ký, YYYY-MM-DD hoặc DD/MM/YYYY (để trống thì điền tay).")
@click.option("--signer-title", multiple=True,
              help="Thư mời: quyền hạn, chức vụ, mỗi lần một dòng (dùng được nhiều lần), ví dụ 'KT. GIÁM ĐỐC'.")
@click.option("--signer-name", help="Thư mời: họ và tên người ký.")
def invitations_command(wave_code: str, fmt: str, out: Path | None, invitee_ids: tuple[int, ...],
                        number: str | None, signed_on, signer_title: tuple[str, ...],
                        signer_name: str | None) -> None:
    """Issue fresh single-use links (old ones stop working) as CSV or A4 letters."""
    wave = leader_wave(wave_code)
    if fmt != "html" and (number or signed_on or signer_title or signer_name):
        raise click.UsageError("--number, --date, --signer-title và --signer-name chỉ dùng với --format html")
    base = public_base_url(LINKS_WHAT)
    issued = issue(db.session, wave, base, invitee_ids or None)
    if invitee_ids and len(issued) != len(set(invitee_ids)):
        db.session.rollback()
        raise click.BadParameter("có mã không phải lời mời đang mở của đợt này "
                                 "(không có, thuộc đợt khác, hoặc đã gửi)",
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
        click.echo(f"Đã ghi {len(issued)} lời mời vào {out}; các đường dẫn cấp trước đây cho những người "
                   "này không còn dùng được.", err=True)


@leaders_group.command("score", help="Điểm PAR của đợt: tổng điểm với KTC 95%, theo nhóm, "
                        "theo lĩnh vực, các tiêu chí xếp theo điểm bị mất (tệp XLSX có cả trang "
                        "Biểu đồ, như báo cáo quý).")
@click.option("--wave", "wave_code", required=True, help="Mã đợt, ví dụ 2026Q3.")
@click.option("--format", "fmt", type=click.Choice(["json", "xlsx"]), default="json", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Ghi ra TỆP thay vì đầu ra chuẩn.")
def score_command(wave_code: str, fmt: str, out: Path | None) -> None:
    """The wave's PAR score: total with 95% CI, by group, by field, criteria ranked by points lost
    (the document `flask report quarterly` writes for a leaders' wave). The workbook carries the
    report's charts sheet too, so an official gets the same file from either; matplotlib loads
    only when a chart is drawn."""
    document = par_document(db.session, leader_wave(wave_code))
    _write(score_json(document) + "\n" if fmt == "json" else score_xlsx(document, par_charts(document)), out)


@leaders_group.command("send", help="Gửi đường dẫn (và lời nhắc đến hạn) cho từng người "
                        "được mời qua e-mail hoặc SMS; không gửi trùng.")
@click.option("--wave", "wave_code", required=True, help="Mã đợt, ví dụ PAR-2026Q3.")
@click.option("--channel", type=click.Choice([c.value for c in SendChannel]), required=True)
@click.option("--reminders", type=click.IntRange(0, 10), default=0, show_default=True,
              help="Số lời nhắc nhiều nhất cho mỗi người chưa được tính là đã trả lời xong, "
                   f"mỗi lời nhắc cách tin trước ít nhất {REMINDER_GAP.days} ngày.")
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
