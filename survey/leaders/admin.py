"""Sở Nội vụ pages of the leaders' survey: roster, letters, progress and the score.

The roster, letters and progress show names and phone numbers, so only province admins use
them; analysts may read the score. Officers of a locality see none of it.
"""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, url_for
from sqlalchemy import select

from survey import jobs
from survey.audit import record
from survey.auth.scope import roles_required
from survey.clock import local_today
from survey.extensions import db
from survey.leaders import admin_bp
from survey.leaders.delivery import JOB as SEND_JOB
from survey.leaders.delivery import WAVE_OVER, delivery_counts
from survey.leaders.forms import IssueInvitationsForm, RosterUploadForm, SendInvitationsForm
from survey.leaders.invitations import LetterDetails, issue, letters_html, links_csv
from survey.leaders.mix import BLOCK, waiting_counts
from survey.leaders.progress import CHANNEL_LABELS, STATUS_LABELS, non_respondents, progress
from survey.leaders.roster import RosterError, import_roster, parse_roster, template_csv
from survey.leaders.scores import labels_of
from survey.leaders.senders import DeliveryError, configured_sender
from survey.leaders.store import settle
from survey.models import (
    LeaderInvitation,
    Questionnaire,
    QuestionnaireKind,
    QuestionnaireVersion,
    SendChannel,
    UserRole,
    Wave,
)
from survey.questionnaire.versions import questionnaire_of
from survey.security import staff_only

PROBLEMS_SHOWN = 200
SEND_QUEUED = ("Đã đưa việc gửi qua {channel} vào hàng đợi: tiến trình chạy nền (python -m survey.jobs) gửi lần "
               "lượt, mỗi người một lần; tải lại trang để xem số đã gửi.")
SEND_NOT_QUEUED = ("Không đưa được việc gửi vào hàng đợi ({detail}). "
                   "Báo cho người quản trị kỹ thuật kiểm tra SURVEY_JOBS_URL.")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


staff_only(admin_bp)


def _leader_waves() -> list[Wave]:
    return list(db.session.scalars(
        select(Wave).join(QuestionnaireVersion).join(Questionnaire)
        .where(Questionnaire.kind == QuestionnaireKind.LEADER).order_by(Wave.opens_on.desc(), Wave.code)))


def _wave(code: str) -> Wave:
    wave = next((w for w in _leader_waves() if w.code == code), None)
    if wave is None:
        abort(404)
    return wave


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@admin_bp.get("/")
@roles_required(UserRole.ADMIN, UserRole.ANALYST)
def home():
    """List the waves of the leaders' survey."""
    return render_template("leaders/admin_home.html", waves=_leader_waves())


@admin_bp.get("/roster-template.csv")
@roles_required(UserRole.ADMIN)
def roster_template():
    """Download an empty roster with the Vietnamese headers."""
    return _download(template_csv(), "text/csv", "danh-sach-moi-mau.csv")


@admin_bp.route("/<wave_code>/roster", methods=["GET", "POST"])
@roles_required(UserRole.ADMIN)
def roster(wave_code: str):
    """Show the roster of a wave and import a file of invitees, all rows or none."""
    wave = _wave(wave_code)
    questionnaire = questionnaire_of(wave)
    form = RosterUploadForm()
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            rows = parse_roster(db.session, wave, questionnaire, form.file.data)
        except RosterError as exc:
            problems = exc.problems
        else:
            count = import_roster(db.session, wave, rows, local_today())
            record("leaders_import", wave.code, rows=count)
            db.session.commit()
            flash(f"Đã nhập {count} người vào danh sách mời của đợt {wave.code}.", "success")
            return redirect(url_for("leaders_admin.roster", wave_code=wave.code))
    invitees = db.session.scalars(
        select(LeaderInvitation).where(LeaderInvitation.wave_id == wave.id)
        .order_by(LeaderInvitation.group_code, LeaderInvitation.unit, LeaderInvitation.full_name)).all()
    return render_template(
        "leaders/roster.html", wave=wave, form=form, invitees=invitees,
        issue_form=IssueInvitationsForm(formdata=None), groups=labels_of(questionnaire)["group"],
        problems=problems[:PROBLEMS_SHOWN], more=max(0, len(problems) - PROBLEMS_SHOWN),
    ), 400 if problems else 200


@admin_bp.post("/<wave_code>/invitations")
@roles_required(UserRole.ADMIN)
def invitations(wave_code: str):
    """Issue fresh links to everyone who has not answered, as letters or a CSV."""
    wave = _wave(wave_code)
    form = IssueInvitationsForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return redirect(url_for("leaders_admin.roster", wave_code=wave.code))
    q = questionnaire_of(wave)
    groups = labels_of(q)["group"]
    issued = issue(db.session, wave, current_app.config["PUBLIC_BASE_URL"])
    record("leaders_invitations", wave.code, count=len(issued))
    db.session.commit()
    if form.format.data == "csv":
        return _download(links_csv(issued, groups).encode("utf-8"), "text/csv",
                         f"duong-dan-{wave.code}.csv")
    details = LetterDetails.of(form.number.data, form.signed_on.data, form.signer_title.data,
                               form.signer_name.data)
    return letters_html(issued, wave, q.text(q.title, "vi"), groups,
                        stylesheet=url_for("static", filename="letter.css"), details=details)


@admin_bp.get("/<wave_code>/progress")
@roles_required(UserRole.ADMIN)
def progress_page(wave_code: str):
    """Show invited, opened and completed per group and unit, and who has not answered."""
    wave = _wave(wave_code)
    settle(db.session, wave, local_today())
    overall, by_group, by_unit = progress(db.session, wave)
    return render_template(
        "leaders/progress.html", wave=wave, overall=overall, by_group=by_group,
        by_unit=[(t, *t.key.split("\t", 1)) for t in by_unit],
        waiting=non_respondents(db.session, wave), groups=labels_of(questionnaire_of(wave))["group"],
        held=waiting_counts(db.session, wave), block=BLOCK,
        deliveries=delivery_counts(db.session, wave), status_labels=STATUS_LABELS,
        channel_labels=CHANNEL_LABELS, send_form=SendInvitationsForm(formdata=None))


@admin_bp.post("/<wave_code>/send")
@roles_required(UserRole.ADMIN)
def send(wave_code: str):
    """Queue the sending of links and reminders by e-mail or SMS; the job consumer sends them."""
    wave = _wave(wave_code)
    form = SendInvitationsForm()
    back = redirect(url_for("leaders_admin.progress_page", wave_code=wave.code))
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return back
    channel = SendChannel(form.channel.data)
    try:
        configured_sender(channel, current_app.config)
    except DeliveryError as exc:
        flash(exc.reason, "error")
        return back
    if wave.closes_on < local_today():
        flash(WAVE_OVER.format(wave=wave.code, day=wave.closes_on.strftime("%d/%m/%Y")), "error")
        return back
    try:
        jobs.queue().enqueue(SEND_JOB, wave.id, channel.value, form.reminders.data)
    except Exception as exc:  # the queue's store is down: say so, let a click retry
        flash(SEND_NOT_QUEUED.format(detail=type(exc).__name__), "error")
        return back
    record("leaders_send_queued", wave.code, channel=channel.value, reminders=form.reminders.data)
    db.session.commit()
    flash(SEND_QUEUED.format(channel=CHANNEL_LABELS[channel]), "success")
    return back


@admin_bp.get("/<wave_code>/scores")
@roles_required(UserRole.ADMIN, UserRole.ANALYST)
def scores(wave_code: str):
    """The PAR score is the wave's report, built and shown by the reports' pages like every
    survey's (an address from before is sent there)."""
    return redirect(url_for("reports.show", wave_code=_wave(wave_code).code), 301)
