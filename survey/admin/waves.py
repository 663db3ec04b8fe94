"""Survey waves (đợt khảo sát): create, open and close. A closed wave rejects submissions."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from sqlalchemy import select

from survey.admin import bp
from survey.admin.forms import ConfirmForm, WaveForm
from survey.audit import record
from survey.auth.scope import roles_required
from survey.extensions import db
from survey.forms import choice_list
from survey.models import Questionnaire, QuestionnaireVersion, UserRole, Wave, WaveStatus
from survey.questionnaire import from_dict

WAVE_EXISTS = "Đã có đợt khảo sát với mã này."
# Allowed transitions: a draft opens, an open wave closes, a closed wave may reopen (by mistake).
TRANSITIONS = {
    "open": ({WaveStatus.DRAFT, WaveStatus.CLOSED}, WaveStatus.OPEN, "Đã mở đợt khảo sát {}."),
    "close": ({WaveStatus.OPEN}, WaveStatus.CLOSED, "Đã đóng đợt khảo sát {}; phiếu gửi đến sẽ bị từ chối."),
}


@bp.get("/waves")
@roles_required(UserRole.ADMIN, UserRole.ANALYST)
def waves():
    """List the waves, newest first."""
    rows = db.session.scalars(select(Wave).order_by(Wave.opens_on.desc(), Wave.code.desc())).all()
    return render_template("admin/waves.html", waves=rows, shares={w.id: _shares(w) for w in rows},
                           confirm=ConfirmForm())


def _shares(wave: Wave) -> str:
    """The wave's assigned blocks and the share drawn for each, e.g. "Đánh giá về …: 33%"; "" for none."""
    questionnaire = from_dict(wave.questionnaire_version.definition)
    shares = questionnaire.block_shares(wave.assigned_share)
    return "; ".join(f"{questionnaire.text(block.label, 'vi') or block.code}: {shares[block.code]:.0%}"
                     for block in questionnaire.blocks)


@bp.route("/waves/new", methods=["GET", "POST"])
@roles_required(UserRole.ADMIN)
def wave_new():
    """Create a draft wave on a published questionnaire version."""
    form = WaveForm()
    versions = db.session.scalars(
        select(QuestionnaireVersion)
        .join(Questionnaire)
        .order_by(Questionnaire.code, QuestionnaireVersion.number.desc())
    ).all()
    form.questionnaire_version_id.choices = choice_list(
        [(v.id, f"{v.label} — {v.questionnaire.title}") for v in versions]
    )
    if form.validate_on_submit():
        if db.session.scalar(select(Wave).where(Wave.code == form.code.data)):
            form.code.errors.append(WAVE_EXISTS)
        else:
            wave = Wave(
                code=form.code.data,
                questionnaire_version_id=form.questionnaire_version_id.data,
                opens_on=form.opens_on.data,
                closes_on=form.closes_on.data,
                status=WaveStatus.DRAFT,
                assigned_share=form.share,
            )
            db.session.add(wave)
            record("wave_create", wave.code, version_id=wave.questionnaire_version_id,
                   opens_on=wave.opens_on.isoformat(), closes_on=wave.closes_on.isoformat(),
                   assigned_share=wave.assigned_share)
            db.session.commit()
            flash(f"Đã tạo đợt {wave.code} (bản nháp). Mở đợt để bắt đầu nhận phiếu.", "success")
            return redirect(url_for("admin.waves"))
    return render_template("admin/form.html", form=form, title="Tạo đợt khảo sát", back="admin.waves",
                           back_text="Danh sách đợt")


@bp.post("/waves/<int:wave_id>/<any(open, close):action>")
@roles_required(UserRole.ADMIN)
def wave_transition(wave_id: int, action: str):
    """Open or close a wave."""
    wave = db.get_or_404(Wave, wave_id)
    allowed_from, new_status, message = TRANSITIONS[action]
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if wave.is_demo:  # synthetic answers only: a demo wave never takes a citizen's answer
        flash(f"Đợt {wave.code} là đợt dữ liệu mô phỏng và luôn đóng.", "error")
        return redirect(url_for("admin.waves"))
    if wave.status not in allowed_from:
        flash(f"Không thể chuyển đợt {wave.code} từ trạng thái hiện tại.", "error")
        return redirect(url_for("admin.waves"))
    old = wave.status
    wave.status = new_status
    record(f"wave_{action}", wave.code, old=old, new=new_status)
    db.session.commit()
    flash(message.format(wave.code), "success")
    return redirect(url_for("admin.waves"))
