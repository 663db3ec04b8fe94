"""Routes of the citizen's questionnaire."""

from __future__ import annotations

import secrets

from flask import current_app, make_response, redirect, render_template, request, url_for
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from survey.audit import hash_ip
from survey.extensions import db, limiter
from survey.forms.respond import answer_of, page_form
from survey.i18n import chrome, languages, pick_language
from survey.models import ServiceCentre, ServiceField, Wave
from survey.questionnaire import QuestionnaireDefinition
from survey.respond.receipts import find_token
from survey.respond import bp
from survey.respond.drafts import remember, remembered_answers
from survey.respond.flow import (
    first_missing_page,
    local_today,
    mandatory_pages,
    next_page,
    open_citizen_wave,
    questionnaire_of,
)
from survey.respond.state import FormState, dump_state, load_state
from survey.respond.store import RECEIPT_USED, Device, store_response
from survey.resilience import alert_write_refused, discard_session, idempotent, is_locked, is_write_refused

DEVICE_COOKIE = "sv_device"
DEVICE_COOKIE_AGE = 365 * 24 * 3600
# A page post is a few kilobytes even with the longest comment; anything far larger is refused
# before it is parsed (the app-wide limit is sized for staff uploads).
MAX_CITIZEN_BODY = 256 * 1024


def _device_key() -> str:
    return request.cookies.get(DEVICE_COOKIE) or request.remote_addr or "unknown"


def _address_key() -> str:
    # A script can drop the device cookie; its address cannot change so easily. The allowance
    # is wide because mobile carriers put many phones behind one address (CGNAT).
    return "address:" + (request.remote_addr or "unknown")


def _centre_key() -> str:
    state = load_state(request.form.get("state"))
    return "centre:" + (state.centre_code if state else "unknown")


def _message_page(key: str, language: str, status: int = 200):
    text = chrome(language)
    return (
        render_template(
            "respond/message.html",
            title=text[f"{key}_title"],
            body=text[f"{key}_body"],
            page_lang=language,
        ),
        status,
    )


def _render(questionnaire: QuestionnaireDefinition, state: FormState, form=None, notice: str | None = None):
    page = questionnaire.pages[state.page]
    items = questionnaire.visible_items(page, state.answers)
    if form is None:
        form = page_form(questionnaire, items, state.language, data=state.answers)
    form.state.data = dump_state(state)
    centre = db.session.scalar(select(ServiceCentre).where(ServiceCentre.code == state.centre_code))
    total = mandatory_pages(questionnaire)
    response = make_response(
        render_template(
            "respond/page.html",
            q=questionnaire,
            page=page,
            items=items,
            form=form,
            state=state,
            centre=centre,
            text=chrome(state.language),
            languages=languages(questionnaire.languages),
            lang=state.language,
            page_lang=state.language,
            current=min(state.page + 1, total),
            total=total,
            optional=page.optional,
            last_mandatory=state.page == total - 1,
            has_optional=total < len(questionnaire.pages),
            last_page=next_page(questionnaire, state.answers, state.page, 1) is None,
            notice=notice,
            csrf_token=generate_csrf(),
        )
    )
    if not request.cookies.get(DEVICE_COOKIE):
        response.set_cookie(
            DEVICE_COOKIE, secrets.token_urlsafe(16), max_age=DEVICE_COOKIE_AGE,
            httponly=True, samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    return response


def _begin(centre: ServiceCentre, channel: str, field_code: str | None, receipt: str | None):
    wave = open_citizen_wave(db.session)
    language = pick_language(request.args.get("lang"))
    if wave is None:
        return _message_page("closed", language)
    questionnaire = questionnaire_of(wave)
    known_field = field_code and db.session.scalar(
        select(ServiceField.code).where(ServiceField.code == field_code, ServiceField.active)
    )
    answers = {"field": known_field} if known_field and "field" in questionnaire.items_by_code else {}
    state = FormState.start(
        wave.id, centre.code, channel, language=language, receipt=receipt,
        field_code=known_field or None, answers=answers,
    )
    return _render(questionnaire, state)


@bp.get("/q/<centre_code>")
def desk(centre_code: str):
    """Open the questionnaire from the QR code on a one-stop desk."""
    centre = db.session.scalar(
        select(ServiceCentre).where(ServiceCentre.code == centre_code, ServiceCentre.active)
    )
    if centre is None:
        return _message_page("invalid", pick_language(request.args.get("lang")), 404)
    return _begin(centre, "desk", request.args.get("f"), None)


@bp.get("/r/<token>")
def receipt(token: str):
    """Open the questionnaire from the single-use QR code on a dossier receipt."""
    language = pick_language(request.args.get("lang"))
    stored = find_token(db.session, token)
    if stored is None:
        return _message_page("invalid", language, 404)
    if stored.used_at is not None:
        return _message_page("used", language)
    batch = stored.batch
    return _begin(batch.centre, "receipt", batch.field.code if batch.field else None, token)


@bp.get("/")
def home():
    """Tell a citizen who reached the bare address how to open the survey."""
    return _message_page("home", pick_language(request.args.get("lang")))


@bp.get("/s")
def step_reopened():
    """Answer a restored tab or a copied address of the form with a way back, not a 405."""
    return _message_page("reloaded", pick_language(request.args.get("lang")))


@bp.before_request
def _limit_body() -> None:
    request.max_content_length = MAX_CITIZEN_BODY


def _language_of_request() -> str:
    """The citizen's language from the URL (the posted state cannot be read from a refused body)."""
    return pick_language(request.args.get("lang"))


@bp.errorhandler(413)
def too_large(exc):
    """Say a page post was too large in the citizen's language, not "file too large"."""
    return _message_page("too_large", _language_of_request(), 413)


@bp.errorhandler(400)
@bp.errorhandler(404)
def not_usable(exc):
    """An address no questionnaire can come from (over-long, control characters): the QR page."""
    return _message_page("invalid", _language_of_request(), exc.code)


@bp.errorhandler(429)
def too_many_requests(exc):
    """A polite page in the citizen's own language when a rate limit is reached."""
    state = load_state(request.form.get("state"))
    language = state.language if state else pick_language(request.args.get("lang"))
    return _message_page("limited", language, 429)


@bp.post("/s")
@idempotent  # the submission id makes a resend store nothing twice; drafts are upserts
@limiter.limit(lambda: current_app.config["RATE_LIMIT_DEVICE"], key_func=_device_key)
@limiter.limit(lambda: current_app.config["RATE_LIMIT_ADDRESS"], key_func=_address_key)
@limiter.limit(lambda: current_app.config["RATE_LIMIT_CENTRE"], key_func=_centre_key)
def step():
    """Take one page of answers and move back, forward, or submit."""
    state = load_state(request.form.get("state"))
    if state is None:
        return _message_page("invalid", pick_language(request.form.get("lang")), 400)
    wave = db.session.get(Wave, state.wave_id)
    if wave is None or not wave.accepts_responses(local_today()):
        return _message_page("closed", state.language)  # say so now, not after the last page
    questionnaire = questionnaire_of(wave)
    if not 0 <= state.page < len(questionnaire.pages):
        return _message_page("invalid", state.language, 400)
    shown = questionnaire.visible_items(questionnaire.pages[state.page], state.answers)
    form = page_form(questionnaire, shown, state.language, formdata=request.form)
    valid = form.validate()
    csrf_failed = bool(form.errors.pop("csrf_token", None))
    posted = {item.code: answer_of(form, item) for item in shown if not form[item.code].errors}
    # Answers of later pages come back from the draft when a browser's Back re-posts this page.
    state = state.with_answers({**remembered_answers(db.session, state), **posted})
    action = request.form.get("action", "next")
    if action != "submit":  # a submit stores the answers and deletes the draft: no draft write first
        remember(db.session, questionnaire, state)

    if action.startswith("lang:"):
        return _render(questionnaire, state.speaking(pick_language(action[5:])))
    if action == "back":
        previous = next_page(questionnaire, state.answers, state.page, -1)
        return _render(questionnaire, state.moved(state.page if previous is None else previous))
    if csrf_failed:
        return _render(questionnaire, state, notice=chrome(state.language)["expired"])
    if not valid and form.errors:
        return _render(questionnaire, state, form=form, notice=chrome(state.language)["fix_errors"])
    now_shown = questionnaire.visible_items(questionnaire.pages[state.page], state.answers)
    if {i.code for i in now_shown} - {i.code for i in shown}:
        return _render(questionnaire, state, notice=chrome(state.language)["new_items"])

    following = next_page(questionnaire, state.answers, state.page, 1)
    in_optional_part = questionnaire.pages[state.page].optional
    if action == "optional" or (
        action == "next"
        and following is not None
        and (following < mandatory_pages(questionnaire) or in_optional_part)
    ):
        if following is not None:
            return _render(questionnaire, state.moved(following))
    return _submit(questionnaire, state, wave)


def _submit(questionnaire: QuestionnaireDefinition, state: FormState, wave: Wave):
    missing = first_missing_page(questionnaire, state.answers, mandatory_pages(questionnaire) - 1)
    if missing is not None:
        moved = state.moved(missing)
        items = questionnaire.visible_items(questionnaire.pages[missing], moved.answers)
        form = page_form(questionnaire, items, state.language, data=moved.answers)
        form.validate()
        form.errors.pop("csrf_token", None)
        return _render(questionnaire, moved, form=form, notice=chrome(state.language)["fix_errors"])
    if not wave.accepts_responses(local_today()):
        return _message_page("closed", state.language)
    centre = db.session.scalar(select(ServiceCentre).where(ServiceCentre.code == state.centre_code))
    device = Device(request.cookies.get(DEVICE_COOKIE), request.remote_addr,
                    request.user_agent.string)
    try:
        outcome = store_response(
            db.session, questionnaire, state, wave, centre, device, hash_ip(request.remote_addr)
        )
    except SQLAlchemyError as exc:
        if not (is_locked(exc) or is_write_refused(exc)):
            raise
        # Nothing was stored; the page comes back with every answer for the citizen to resend.
        discard_session()
        if is_write_refused(exc):
            alert_write_refused(exc)
        page = _render(questionnaire, state, notice=chrome(state.language)["busy"])
        page.status_code = 503
        page.headers["Retry-After"] = "5"
        return page
    if outcome == RECEIPT_USED:
        return _message_page("used", state.language)
    # A first store and a resend of the same submission both end on the thank-you page.
    return redirect(url_for("respond.thanks", lang=state.language), code=303)


@bp.get("/cam-on")
def thanks():
    """Thank the citizen after a stored (or already stored) response."""
    return _message_page("thanks", pick_language(request.args.get("lang")))
