"""Routes of the kiosk tablet: pairing, the shell, the questionnaire as JSON, the submissions."""

from __future__ import annotations

import hashlib

from flask import current_app, jsonify, make_response, redirect, render_template, request, send_from_directory, url_for
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from survey.audit import hash_ip, record
from survey.extensions import csrf, db, limiter
from survey.kiosk import bp
from survey.kiosk.definition import kiosk_definition
from survey.kiosk.forms import CODE_UNKNOWN, PairingForm
from survey.kiosk.pairing import DEVICE_COOKIE, DEVICE_COOKIE_AGE, note_seen, paired_device, redeem_code
from survey.kiosk.submissions import SubmissionError, read_submission
from survey.models import KioskDevice, ServiceCentre
from survey.questionnaire.versions import questionnaire_of
from survey.resilience import alert_write_refused, discard_session, is_locked, is_write_refused
from survey.respond.flow import open_citizen_wave
from survey.respond.limits import address_key, note_stored_response
from survey.respond.store import STORED, Device, store_response

PAIRING_LIMIT = "10 per 15 minutes"  # per address: a person mistypes a code a few times, a guesser far more
SUBMISSION_LIMIT = "120 per minute"
"""Default of RATE_LIMIT_KIOSK, per device key: a day's offline queue goes in a minute or two
(the tablet retries after a 429); a copied key cannot flood the database faster."""
MAX_SUBMISSION_BODY = 256 * 1024  # a questionnaire with every comment at its longest is far smaller
UNKNOWN_CENTRE = ("Không có trung tâm này", "Địa chỉ máy tính bảng không đúng mã trung tâm nào đang hoạt động. "
                                            "Vui lòng kiểm tra lại với cán bộ quản lý.")
NOT_PAIRED = "Máy tính bảng này chưa được ghép nối với trung tâm, hoặc đã bị thu hồi. Vui lòng ghép nối lại."
NO_WAVE = "Hiện không có đợt khảo sát người dân nào đang mở."
BUSY = "Máy chủ đang bận; phiếu vẫn được giữ trên máy tính bảng và sẽ được gửi lại sau."


def _centre(code: str, active: bool = True) -> ServiceCentre | None:
    """The centre of `code`; with `active=False` also a deactivated one (its tablets' queues still arrive)."""
    query = select(ServiceCentre).where(ServiceCentre.code == code)
    return db.session.scalar(query.where(ServiceCentre.active) if active else query)


def _device(centre: ServiceCentre) -> KioskDevice | None:
    return paired_device(db.session, centre, request.cookies.get(DEVICE_COOKIE))


def _set_device_cookie(response, key: str) -> None:
    response.set_cookie(DEVICE_COOKIE, key, max_age=DEVICE_COOKIE_AGE, path=bp.url_prefix, httponly=True,
                        samesite="Strict", secure=current_app.config["SESSION_COOKIE_SECURE"])


def _device_key() -> str:
    """The limiter's bucket for a submission: the device key's hash, else the address."""
    key = request.cookies.get(DEVICE_COOKIE)
    return "kiosk:" + hashlib.sha256(key.encode()).hexdigest()[:16] if key else address_key()


def _submission_limit() -> str:
    return current_app.config.get("RATE_LIMIT_KIOSK", SUBMISSION_LIMIT)


def _problem(status: int, message: str, field: str | None = None):
    return jsonify(error=message, field=field, status=status), status


def _pairing_page(centre: ServiceCentre, form: PairingForm, status: int):
    return render_template("kiosk/pair.html", centre=centre, form=form), status


@bp.before_request
def _limit_body() -> None:
    request.max_content_length = MAX_SUBMISSION_BODY


@bp.after_request
def _no_store(response):
    """Keep kiosk answers and pages out of the HTTP caches; the service worker keeps the shell itself."""
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.errorhandler(413)
def _too_large(exc):
    """Say in the answer's own format that the body was too large."""
    return _problem(413, f"Nội dung gửi lên lớn hơn {MAX_SUBMISSION_BODY // 1024} KB.")


@bp.errorhandler(429)
def _too_many(exc):
    """Say that the tablet should wait; the questionnaires stay in its queue."""
    return _problem(429, "Máy tính bảng gửi quá nhiều phiếu trong một phút; phiếu vẫn được giữ và sẽ được gửi lại sau.")


@bp.get("/sw.js")
def service_worker():
    """Serve the service worker from /k/ so that its scope is every kiosk page."""
    response = send_from_directory(bp.static_folder, "sw.js", mimetype="text/javascript", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/<centre_code>")
def shell(centre_code: str):
    """Open the kiosk on a paired tablet, or ask an unpaired one for a pairing code."""
    centre = _centre(centre_code)
    if centre is None:
        return render_template("message.html", title=UNKNOWN_CENTRE[0], body=UNKNOWN_CENTRE[1]), 404
    device = _device(centre)
    if device is None:
        return _pairing_page(centre, PairingForm(), 403)
    if note_seen(device):
        db.session.commit()
    response = make_response(render_template("kiosk/shell.html", centre=centre))
    _set_device_cookie(response, request.cookies[DEVICE_COOKIE])  # a tablet in daily use stays paired
    return response


@bp.post("/<centre_code>/pair")
@limiter.limit(PAIRING_LIMIT, key_func=address_key)
def pair(centre_code: str):
    """Exchange a one-time pairing code for this tablet's device key."""
    centre = _centre(centre_code)
    if centre is None:
        return render_template("message.html", title=UNKNOWN_CENTRE[0], body=UNKNOWN_CENTRE[1]), 404
    form = PairingForm()
    if not form.validate_on_submit():
        return _pairing_page(centre, form, 400)
    key = redeem_code(db.session, centre, form.code.data)
    if key is None:
        form.code.errors.append(CODE_UNKNOWN)
        return _pairing_page(centre, form, 400)
    record("kiosk_pair", centre.code, username="kiosk")
    db.session.commit()
    response = redirect(url_for("kiosk.shell", centre_code=centre.code), code=303)
    _set_device_cookie(response, key)
    return response


@bp.get("/<centre_code>/questionnaire.json")
def questionnaire(centre_code: str):
    """Give the paired tablet the open wave's whole questionnaire, to run offline."""
    centre = _centre(centre_code)
    if centre is None or _device(centre) is None:
        return _problem(403, NOT_PAIRED)
    wave = open_citizen_wave(db.session)
    if wave is None:
        return _problem(404, NO_WAVE)
    return jsonify(kiosk_definition(questionnaire_of(wave), wave, centre))


@bp.post("/<centre_code>/submissions")
@limiter.limit(_submission_limit, key_func=_device_key)
@csrf.exempt  # JSON only, with a SameSite=Strict device cookie: no other site can send it
def submit(centre_code: str):
    """Store one questionnaire completed on the tablet; a resend of the same id stores nothing."""
    centre = _centre(centre_code, active=False)  # answered while the centre was open: kept
    device = _device(centre) if centre is not None else None
    if device is None:
        return _problem(403, NOT_PAIRED)
    if not request.is_json:
        return _problem(415, "Nội dung gửi lên phải có Content-Type: application/json.")
    try:
        payload = request.get_json(silent=True)
    except RecursionError:  # nesting deeper than the JSON parser's recursion limit
        payload = None
    try:
        submission = read_submission(db.session, centre, payload)
    except SubmissionError as exc:
        return _problem(exc.status, exc.message, exc.field)
    try:
        outcome = store_response(db.session, submission.questionnaire, submission.state, submission.wave, centre,
                                 Device(None, None, ""), hash_ip(request.remote_addr),
                                 submitted_at=submission.completed_at)
    except SQLAlchemyError as exc:
        if not (is_locked(exc) or is_write_refused(exc)):
            raise
        discard_session()
        if is_write_refused(exc):
            alert_write_refused(exc)
        body, status = _problem(503, BUSY)
        return body, status, {"Retry-After": "30"}
    if outcome == STORED:
        note_stored_response(centre.code)
        if note_seen(device):
            db.session.commit()
    return jsonify(id=submission.state.submission_id, status=outcome), 201 if outcome == STORED else 200
