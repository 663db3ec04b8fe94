"""The province-reviewed digest of comments: the only way citizens' free text reaches officers.

The province admin reads a locality's scrubbed comments of a wave that no longer accepts
responses (a row-level, audited page; comments sorted by text, without times or links to a
response) and publishes a digest of themes and paraphrases. Officers read the digest on
their summary page. No digest is written for fewer than MIN_CELL comments.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from sqlalchemy import select

from survey.admin import bp, staff
from survey.admin.forms import DigestForm
from survey.audit import record
from survey.auth.scope import roles_required, row_level
from survey.clock import local_today, utcnow
from survey.enums import ItemType
from survey.extensions import db
from survey.models import Answer, CommentDigest, Locality, Response, ReviewStatus, ServiceCentre, UserRole, Wave
from survey.privacy import MIN_CELL
from survey.questionnaire.versions import questionnaire_of

WAVE_STILL_OPEN = ("Đợt này còn nhận phiếu: chỉ tổng hợp góp ý sau khi đợt kết thúc, "
                   "để bản tổng hợp không thay đổi theo từng phiếu.")
TOO_FEW_COMMENTS = "Xã/phường có dưới {n} góp ý trong đợt này: không lập bản tổng hợp, để không ai bị nhận ra."


def locality_comments(locality: Locality, wave: Wave) -> list[str]:
    """The scrubbed comments of `locality` in `wave`, kept responses only, sorted by text."""
    text_items = [item.code for item in questionnaire_of(wave).items if item.type == ItemType.TEXT]
    if not text_items:
        return []
    values = db.session.scalars(
        select(Answer.value)
        .join(Response, Response.id == Answer.response_id)
        .join(ServiceCentre, ServiceCentre.id == Response.centre_id)
        .where(ServiceCentre.locality_id == locality.id, Response.wave_id == wave.id,
               Response.review_status == ReviewStatus.INCLUDED, Answer.item_code.in_(text_items))
    )
    return sorted(v.strip() for v in values if v and v.strip())


def published_digest(locality: Locality, wave: Wave) -> CommentDigest | None:
    return db.session.scalar(select(CommentDigest).where(
        CommentDigest.locality_id == locality.id, CommentDigest.wave_id == wave.id))


@bp.route("/digests/<locality_code>/<wave_code>", methods=["GET", "POST"])
@roles_required(UserRole.ADMIN)
@row_level
def digest_edit(locality_code: str, wave_code: str):
    """Read a locality's comments of a finished wave and publish a digest of them to its officers."""
    locality = db.session.scalar(select(Locality).where(Locality.code == locality_code))
    wave = db.session.scalar(select(Wave).where(Wave.code == wave_code))
    if locality is None or wave is None:
        abort(404)
    comments = locality_comments(locality, wave)
    digest = published_digest(locality, wave)
    form = DigestForm(obj=digest)
    refusal = None
    if wave.accepts_responses(local_today()):
        refusal = WAVE_STILL_OPEN
    elif len(comments) < MIN_CELL:
        refusal = TOO_FEW_COMMENTS.format(n=MIN_CELL)
    if refusal is None and form.validate_on_submit():
        if digest is None:
            digest = CommentDigest(locality=locality, wave=wave)
            db.session.add(digest)
        digest.body = form.body.data.strip()
        digest.comments = len(comments)
        digest.published_by = staff().username
        digest.published_at = utcnow()
        record("digest_publish", f"{locality.code}/{wave.code}", comments=len(comments))
        db.session.commit()
        flash("Đã công bố bản tổng hợp góp ý cho cán bộ xã/phường.", "success")
        return redirect(url_for("admin.summary", locality=locality.code, wave=wave.code))
    status = 400 if form.errors else 200
    return render_template("admin/digest.html", locality=locality, wave=wave, comments=comments,
                           form=form, digest=digest, refusal=refusal), status
