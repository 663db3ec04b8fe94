"""Routes of the citizen's questionnaire."""

from __future__ import annotations

import math
import secrets
import time

from flask import current_app, make_response, redirect, render_template, request, url_for
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from survey.audit import hash_ip
from survey.clock import local_today
from survey.extensions import db, limiter
from survey.i18n import chrome, languages, pick_language
from survey.media.store import audio_sources
from survey.models import Channel, ServiceCentre, ServiceField, Wave
from survey.models.places import current_field_code
from survey.questionnaire import QuestionnaireDefinition
from survey.questionnaire.flow import first_missing_page, mandatory_pages, next_page
from survey.questionnaire.form import answer_of, page_form
from survey.questionnaire.versions import questionnaire_of
from survey.resilience import alert_write_refused, discard_session, idempotent, is_locked, is_write_refused
from survey.respond import bp
from survey.respond.assignment import draw_blocks
from survey.respond.drafts import remember
from survey.respond.flow import open_citizen_wave, read_page_post
from survey.respond.fragments import FreshPage
from survey.respond.length import usual_length
from survey.respond.limits import (
    address_key,
    address_limit,
    no_questionnaire,
    note_stored_response,
    posted_state,
    questionnaire_key,
    questionnaire_limit,
    start_limit,
)
from survey.respond.receipts import find_by_short_code, find_token
from survey.respond.resume import (
    RESUME_COOKIE,
    RESUME_COOKIE_AGE,
    blank_pages,
    continue_unseen,
    resumable,
    resume_window,
)
from survey.respond.state import FormState, device_mark, dump_resume, dump_state
from survey.respond.store import RECEIPT_USED, STORED, Device, store_response

DEVICE_COOKIE = "sv_device"
DEVICE_COOKIE_AGE = 365 * 24 * 3600
# A page post is a few kilobytes even with the longest comment; anything far larger is refused
# before it is parsed (the app-wide limit is sized for staff uploads).
MAX_CITIZEN_BODY = 256 * 1024


NEW_DEVICE = "survey.respond.new_device"  # WSGI environ key: the device cookie this response sets


def _device_cookie() -> str:
    """This browser's device cookie, or the one this response will set when it sent none."""
    sent = request.cookies.get(DEVICE_COOKIE)
    if sent:
        return sent
    if NEW_DEVICE not in request.environ:
        request.environ[NEW_DEVICE] = secrets.token_urlsafe(16)
    return request.environ[NEW_DEVICE]


CENTRE_NAME = "survey.respond.centre_name"  # WSGI environ key: read with the page post's other data


def _centre_name(code: str) -> str | None:
    """The name of the centre the form is for, read once per request."""
    if CENTRE_NAME not in request.environ:
        request.environ[CENTRE_NAME] = db.session.scalar(select(ServiceCentre.name).where(ServiceCentre.code == code))
    return request.environ[CENTRE_NAME]


def _message_page(key: str, language: str, status: int = 200):
    text = chrome(language)
    return (
        render_template(
            "message.html",
            title=text[f"{key}_title"],
            body=text[f"{key}_body"],
            page_lang=language,
        ),
        status,
    )


def _shown(questionnaire: QuestionnaireDefinition, state: FormState) -> tuple[list, list]:
    """The questions carried over from the previous page, and this page's own visible ones."""
    shown = questionnaire.visible_by_page(state.answers)
    visible = {item.code for items in shown.values() for item in items}
    carried = [questionnaire.items_by_code[code] for code in state.carried if code in visible]
    return carried, shown[questionnaire.pages[state.page].code]


def _sections(page, items: list) -> list[tuple]:
    """The page's sections that show any of `items`, each with those items in order."""
    shown = {item.code for item in items}
    sections = [(section, [item for item in section.items if item.code in shown]) for section in page.sections]
    return [(section, section_items) for section, section_items in sections if section_items]


def _cookie(response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"])


def _assigned_note(questionnaire: QuestionnaireDefinition, state: FormState) -> str | None:
    """On the first page of a respondent drawn for a block: the extra pages and the whole length."""
    if state.page != 0 or not questionnaire.blocks:
        return None
    pages = sum(len(block.pages) for block in questionnaire.blocks)
    minutes = usual_length(questionnaire, state.language).minutes
    return chrome(state.language)["assigned"].format(pages=pages, minutes=minutes)


def _render(questionnaire: QuestionnaireDefinition, state: FormState, form=None, notice: str | None = None,
            new: tuple[str, ...] = ()):
    page = questionnaire.pages[state.page]
    carried, items = _shown(questionnaire, state)
    if form is None:
        form = FreshPage(questionnaire, state.language, state.answers,
                         lambda: page_form(questionnaire, carried + items, state.language, data=state.answers))
    total = mandatory_pages(questionnaire)
    response = make_response(
        render_template(
            "respond/page.html",
            q=questionnaire,
            page=page,
            sections=_sections(page, items),
            carried=carried,
            new=new,
            form=form,
            state=state,
            centre_name=_centre_name(state.centre_code),
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
            assigned_note=_assigned_note(questionnaire, state),
            audio=audio_sources(db.session, questionnaire, state.language),
            csrf_token=generate_csrf(),
            state_token=dump_state(state.shown()),
        )
    )
    if not request.cookies.get(DEVICE_COOKIE):
        _cookie(response, DEVICE_COOKIE, _device_cookie(), DEVICE_COOKIE_AGE)
    return response


def _offer_resume(centre: ServiceCentre, state: FormState, restart_url: str, resume_url: str):
    text = chrome(state.language)
    total = mandatory_pages(questionnaire_of(db.session.get(Wave, state.wave_id)).asked(state.assigned))
    return render_template(
        "respond/resume.html", text=text, page_lang=state.language, centre=centre,
        body=text["resume_body"].format(current=min(state.page + 1, total), total=total),
        resume_url=resume_url, restart_url=restart_url,
    )


def _begin(centre: ServiceCentre, channel: str, field_code: str | None, receipt: str | None,
           language: str | None = None, notice: str | None = None, survey: str | None = None):
    wave = open_citizen_wave(db.session, survey)
    language = language or pick_language(request.args.get("lang"))
    if wave is None:
        return _message_page("closed", language)
    questionnaire = questionnaire_of(wave)
    field_code = current_field_code(field_code)  # a poster printed before 2025 still works
    known_field = field_code and db.session.scalar(
        select(ServiceField.code).where(ServiceField.code == field_code, ServiceField.active)
    )
    answers = {"field": known_field} if known_field and "field" in questionnaire.items_by_code else {}
    state = FormState.start(
        wave.id, centre.code, channel, language=language, receipt=receipt,
        field_code=known_field or None, answers=answers, assigned=draw_blocks(questionnaire, wave),
        device=device_mark(_device_cookie()),
    )
    response = _render(questionnaire.asked(state.assigned), state, notice=notice)
    # Re-scanning the QR on this phone offers to continue where the citizen stopped. Set once
    # here, not on each page: a page that sets a cookie is not reused by the phone's Back button.
    _cookie(response, RESUME_COOKIE, dump_resume(state), RESUME_COOKIE_AGE)
    return response


def _continue_or_begin(centre: ServiceCentre, channel: str, field_code: str | None, receipt: str | None,
                       survey: str | None = None):
    """Offer to continue this phone's unfinished questionnaire here, or start a new one.

    `survey` names a questionnaire run beside the main desk survey (its own posters)."""
    unfinished = None if request.args.get("new") == "1" else resumable(
        db.session, request.cookies.get(RESUME_COOKIE), request.cookies.get(DEVICE_COOKIE), centre, channel, receipt)
    if unfinished is None:
        return _begin(centre, channel, field_code, receipt, survey=survey)
    if request.args.get("resume") == "1":
        questionnaire = questionnaire_of(db.session.get(Wave, unfinished.wave_id)).asked(unfinished.assigned)
        return _render(questionnaire, continue_unseen(db.session, questionnaire, unfinished))
    args = {k: v for k, v in request.args.items()
            if k not in ("new", "resume") and k not in (request.view_args or {}) and not k.startswith("_")}
    return _offer_resume(centre, unfinished, url_for(request.endpoint, **request.view_args, **args, new=1),
                         url_for(request.endpoint, **request.view_args, **args, resume=1))


# Opening a questionnaire mints a form state; per address, so that states are not free.
starts_limit = limiter.shared_limit(start_limit, scope="questionnaire_starts", key_func=address_key)


@bp.get("/q/<centre_code>")
@bp.get("/q/<centre_code>/<survey>")
@starts_limit
def desk(centre_code: str, survey: str | None = None):
    """Open the questionnaire from the QR code on a one-stop desk: the main desk survey, or
    the survey the poster names."""
    centre = db.session.scalar(
        select(ServiceCentre).where(ServiceCentre.code == centre_code, ServiceCentre.active)
    )
    if centre is None:
        return _message_page("invalid", pick_language(request.args.get("lang")), 404)
    return _continue_or_begin(centre, Channel.DESK, request.args.get("f"), None, survey)


@bp.get("/r/<token>")
@starts_limit
def receipt(token: str):
    """Open the questionnaire from the single-use QR code on a dossier receipt."""
    language = pick_language(request.args.get("lang"))
    stored = find_token(db.session, token)
    if stored is None:
        return _message_page("invalid", language, 404)
    if stored.used_at is not None:
        return _message_page("used", language)
    batch = stored.batch
    return _continue_or_begin(batch.centre, "receipt", batch.field.code if batch.field else None, token)


TYPED_CODE_LIMIT = "60 per hour"  # per address: a person types a few codes, a guesser many


@bp.get("/m")
@limiter.limit(TYPED_CODE_LIMIT, key_func=address_key)
def typed_code():
    """Open the questionnaire from the short code printed on a receipt slip, typed by hand."""
    language = pick_language(request.args.get("lang"))
    typed = request.args.get("ma", "").strip()[:20]
    if typed:
        token = find_by_short_code(db.session, typed)
        if token is not None:
            return redirect(url_for("respond.receipt", token=token, lang=language if language != "vi" else None))
    text = chrome(language)
    error = text["code_unknown"] if typed else None
    page = render_template("respond/code.html", text=text, typed=typed, error=error, page_lang=language)
    return page, 404 if error else 200


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
    state = posted_state()
    language = state.language if state else pick_language(request.args.get("lang"))
    page, status = _message_page("limited", language, 429)
    reset_at = limiter.current_limit.reset_at if limiter.current_limit else time.time() + 60
    return page, status, {"Retry-After": str(max(1, math.ceil(reset_at - time.time())))}


@bp.post("/s")
@idempotent  # the submission id makes a resend store nothing twice; drafts are upserts
@limiter.limit(questionnaire_limit, key_func=questionnaire_key, exempt_when=no_questionnaire)
@limiter.limit(address_limit, key_func=address_key)
def step():
    """Take one page of answers and move back, forward, or submit."""
    state = posted_state()
    if state is None:
        return _message_page("invalid", pick_language(request.form.get("lang")), 400)
    post = read_page_post(db.session, state)
    if post.stored:
        # Already sent: a page re-posted from history (Back on a shared tablet, a resubmission)
        # must not bring the answers of whoever sent it back on screen.
        return redirect(url_for("respond.thanks", lang=state.language), code=303)
    if state.paused_longer_than(resume_window()):
        return _start_afresh(state)
    if not post.accepts_responses:
        return _message_page("closed", state.language)  # say so now, not after the last page
    request.environ[CENTRE_NAME] = post.centre_name
    questionnaire = post.questionnaire.asked(state.assigned)  # this respondent's pages only
    if not 0 <= state.page < len(questionnaire.pages):
        return _message_page("invalid", state.language, 400)
    carried, own = _shown(questionnaire, state)
    shown = carried + own
    form = page_form(questionnaire, shown, state.language, formdata=request.form)
    valid = form.validate()
    csrf_failed = bool(form.errors.pop("csrf_token", None))
    posted = {item.code: answer_of(form, item) for item in shown if not form[item.code].errors}
    # Answers of later pages come back from the draft when a browser's Back re-posts this page.
    state = state.with_answers({**post.draft, **posted})
    action = request.form.get("action", "next")
    if action != "submit":  # a submit stores the answers and deletes the draft: no draft write first
        remember(db.session, questionnaire, state)

    if action.startswith("lang:"):
        return _render(questionnaire, state.speaking(pick_language(action[5:])))
    if action == "back":
        previous = next_page(questionnaire, state.answers, state.page, -1)
        stays = previous is None or previous < state.floor  # nothing from before a resume comes back
        return _render(questionnaire, state.moved(state.page if stays else previous))
    if csrf_failed:
        return _render(questionnaire, state, notice=chrome(state.language)["expired"])
    if not valid and form.errors:
        return _render(questionnaire, state, form=form, notice=chrome(state.language)["fix_errors"])
    following = next_page(questionnaire, state.answers, state.page, 1)
    in_optional_part = questionnaire.pages[state.page].optional
    now_carried, now_own = _shown(questionnaire, state)
    before = {i.code for i in shown}
    new = tuple(i.code for i in now_carried + now_own if i.code not in before)
    if new:
        # With JavaScript the page jumps to the first new question where the citizen is; without
        # it, the new questions open the next page instead of hiding below a notice at the top.
        moves_on = action == "next" and following is not None and (
            following < mandatory_pages(questionnaire) or in_optional_part)
        if request.form.get("js") != "1" and moves_on:
            return _render(questionnaire, state.moved(following, carried=new))
        return _render(questionnaire, state, notice=chrome(state.language)["new_items"], new=new)

    if action == "optional" or (
        action == "next"
        and following is not None
        and (following < mandatory_pages(questionnaire) or in_optional_part)
    ):
        if following is not None:
            return _render(questionnaire, state.moved(following))
    return _submit(post.questionnaire, state)


def _start_afresh(stale: FormState):
    """A page posted long after it was shown (left open on a shared tablet, or re-sent from the
    browser's history by the next person) starts a new questionnaire instead of showing it."""
    centre = db.session.scalar(
        select(ServiceCentre).where(ServiceCentre.code == stale.centre_code, ServiceCentre.active))
    if centre is None:
        return _message_page("invalid", stale.language, 400)
    return _begin(centre, stale.channel, stale.field_code, stale.receipt,
                  language=stale.language, notice=chrome(stale.language)["restarted"])


def _submit(whole: QuestionnaireDefinition, state: FormState):
    questionnaire = whole.asked(state.assigned)
    missing = first_missing_page(questionnaire, state.answers, mandatory_pages(questionnaire) - 1)
    if missing is not None:
        moved = state.moved(missing)
        if missing < state.floor:  # a page from before a resume comes back blank, never as it was
            moved = blank_pages(db.session, questionnaire, moved, missing, state.floor)
        items = questionnaire.visible_items(questionnaire.pages[missing], moved.answers)
        form = page_form(questionnaire, items, state.language, data=moved.answers)
        form.validate()
        form.errors.pop("csrf_token", None)
        return _render(questionnaire, moved, form=form, notice=chrome(state.language)["fix_errors"])
    wave = db.session.get(Wave, state.wave_id)
    if not wave.accepts_responses(local_today()):
        return _message_page("closed", state.language)
    centre = db.session.scalar(select(ServiceCentre).where(ServiceCentre.code == state.centre_code))
    device = Device(request.cookies.get(DEVICE_COOKIE), request.remote_addr,
                    request.user_agent.string)
    try:
        outcome = store_response(
            db.session, whole, state, wave, centre, device, hash_ip(request.remote_addr)
        )
    except SQLAlchemyError as exc:
        if not (is_locked(exc) or is_write_refused(exc)):
            raise
        # Nothing was stored; the page comes back with every answer for the citizen to resend.
        discard_session()
        refused = is_write_refused(exc)  # disk full or read-only: minutes for an operator, not seconds
        if refused:
            alert_write_refused(exc)
        page = _render(questionnaire, state, notice=chrome(state.language)["storage_fault" if refused else "busy"])
        page.status_code = 503
        page.headers["Retry-After"] = "300" if refused else "5"
        return page
    if outcome == RECEIPT_USED:
        return _message_page("used", state.language)
    if outcome == STORED:
        note_stored_response(state.centre_code)
    # A first store and a resend of the same submission both end on the thank-you page.
    response = redirect(url_for("respond.thanks", lang=state.language), code=303)
    response.delete_cookie(RESUME_COOKIE)
    return response


@bp.get("/cam-on")
def thanks():
    """Thank the citizen after a stored (or already stored) response."""
    return _message_page("thanks", pick_language(request.args.get("lang")))
