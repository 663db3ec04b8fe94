"""The leader's questionnaire behind a single-use link: `/l/<token>`, then `/l/` by POST.

Opening the link (GET or HEAD, as a link-preview bot does) shows a landing page and touches
nothing: no lookup, no "opened", no draft. The leader's "Bắt đầu" posts the token in the body
to `/l/`, and every later page is posted there too, so after the first request the token is in
no address a server or proxy logs. The answers so far are kept encrypted under a key derived
from the token and a random secret in a cookie of the leader's browser (survey.leaders.store):
the leader can close the page and open the link again in the same browser until the wave
closes, while whoever else holds the link (the admin who printed the letters) opens no draft.
A used, replaced, unknown or closed link gets one and the same page.
"""

from __future__ import annotations

import re
import secrets

from flask import after_this_request, current_app, make_response, redirect, render_template, request, url_for
from flask_limiter.util import get_remote_address
from sqlalchemy.exc import SQLAlchemyError

from survey.clock import local_today
from survey.extensions import db, limiter
from survey.i18n import chrome
from survey.leaders import bp
from survey.leaders.mix import is_sealed, release
from survey.leaders.store import Draft, complete, draft_of, hold, purge_closed_drafts, save_draft
from survey.leaders.tokens import TOKEN_SHAPE, find_invitation
from survey.models import LeaderInvitation
from survey.questionnaire import QuestionnaireDefinition
from survey.questionnaire.flow import first_missing_page, next_page
from survey.questionnaire.form import answer_of, page_form
from survey.questionnaire.versions import questionnaire_of

LANGUAGE = "vi"  # leaders answer in Vietnamese
LINK_LIMIT = "300 per hour"
"""Per address: a leader posts about ten pages; an office of leaders may share one address."""
UNUSABLE_TITLE = "Không mở được phiếu"
UNUSABLE_BODY = ("Đường dẫn này không mở được phiếu: phiếu của đường dẫn đã được gửi (nếu Ông/Bà "
                 "vừa bấm “Gửi phiếu”, phiếu đã được nhận), đường dẫn đã được thay bằng đường dẫn "
                 "mới, đợt khảo sát không còn nhận phiếu, hoặc đường dẫn chưa đúng. Ông/Bà vui lòng "
                 "kiểm tra thư mời mới nhất hoặc liên hệ Sở Nội vụ tỉnh Đắk Lắk.")
LIMITED_TITLE = "Tạm thời chưa mở được phiếu"
LIMITED_BODY = ("Có quá nhiều lượt mở phiếu từ cùng một mạng trong thời gian ngắn. Ông/Bà vui lòng "
                "thử lại sau ít phút; các câu trả lời đã chọn vẫn được giữ.")
SENT_TITLE = "Phiếu đã được gửi"
SENT_BODY = ("Trân trọng cảm ơn Ông/Bà đã tham gia khảo sát. Câu trả lời của Ông/Bà được lưu "
             "ẩn danh, cùng các phiếu khác của nhóm.")
FIX_ERRORS = "Ông/Bà vui lòng chọn một phương án cho các nội dung được đánh dấu."
PRIVATE_HEADERS = {
    # The landing page and every page of answers carry the token in the page: keep them out
    # of caches, of search engines and of the Referer of any link followed from them.
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
}


DEVICE_COOKIE = "sv_leader_device"
DEVICE_DAYS = 120
"""The browser's half of the draft key lives this long (a wave lasts about a quarter)."""
DEVICE_SHAPE = re.compile(r"^[A-Za-z0-9_-]{22}$")


def _draft_key(token: str) -> str:
    """The secret a draft is sealed with: the link's token and this browser's cookie."""
    device = request.cookies.get(DEVICE_COOKIE, "")
    if not DEVICE_SHAPE.match(device):
        device = secrets.token_urlsafe(16)

        @after_this_request
        def remember(response):
            response.set_cookie(DEVICE_COOKIE, device, max_age=DEVICE_DAYS * 86400, path="/l/",
                                httponly=True, samesite="Strict",
                                secure=current_app.config["SESSION_COOKIE_SECURE"])
            return response
    return f"{token}.{device}"


def _limit() -> str:
    return current_app.config.get("RATE_LIMIT_LEADER_LINKS", LINK_LIMIT)


links_limit = limiter.shared_limit(_limit, scope="leader_links", key_func=get_remote_address)
"""One allowance per address for the landing page and the posts together."""


def _private(response):
    response.headers.update(PRIVATE_HEADERS)
    return response


def _message(title: str, body: str):
    return _private(make_response(render_template("message.html", title=title, body=body)))


def _unusable():
    return _message(UNUSABLE_TITLE, UNUSABLE_BODY)


@bp.get("/l/<token>")
@links_limit
def landing(token: str):
    """Show the landing page of a link, the same for every token, and change nothing."""
    shaped = token if TOKEN_SHAPE.match(token) else ""
    return _private(make_response(render_template("leaders/landing.html", token=shaped)))


@bp.errorhandler(429)
def too_many_requests(_error):
    """Ask the leader, in Vietnamese, to try again in a few minutes."""
    response = _message(LIMITED_TITLE, LIMITED_BODY)
    response.status_code = 429
    response.headers["Retry-After"] = "300"
    return response


@bp.get("/l/cam-on")
def thanks():
    """Thank the leader whose sheet was just sent."""
    return _message(SENT_TITLE, SENT_BODY)


def _open_invitation(token: str) -> LeaderInvitation | None:
    """The invitation ``token`` may still answer, locked for this request, or None.

    Unknown, replaced, sent (completed or waiting in the mix): the same two reads and the same
    page. A link of a wave that is over also purges the wave's drafts, whether or not its own
    sheet was sent, so even then the answer does not say which.
    """
    invitation = find_invitation(db.session, token)
    sealed = is_sealed(db.session, invitation)
    if invitation is not None and not invitation.wave.accepts_responses(local_today()):
        purge_closed_drafts(db.session, local_today())
        db.session.commit()
        return None
    if invitation is None or invitation.completed or sealed:
        db.session.rollback()
        return None
    return invitation if hold(db.session, invitation) else None


def _render(q: QuestionnaireDefinition, draft: Draft, token: str, form=None, notice: str | None = None):
    page = q.pages[draft.page]
    items = q.visible_items(page, draft.answers)
    if form is None:
        form = page_form(q, items, LANGUAGE, data=draft.answers, csrf=False)
    return _private(make_response(render_template(
        "leaders/page.html", q=q, page=page, items=items, form=form, token=token,
        number=draft.page, total=len(q.pages), text=chrome(LANGUAGE), lang=LANGUAGE,
        last_page=next_page(q, draft.answers, draft.page, 1) is None, notice=notice,
    )))


@bp.post("/l/")
@links_limit
def step():
    """Start, or take one page of answers and move back, forward, or submit."""
    token = request.form.get("token", "")
    invitation = _open_invitation(token)
    if invitation is None:
        return _unusable()
    q = questionnaire_of(invitation.wave)
    key = _draft_key(token)
    draft = draft_of(db.session, invitation, key)
    draft.page = min(draft.page, len(q.pages) - 1)
    action = request.form.get("action", "next")
    if action == "start":
        db.session.commit()  # the "opened" flag, set by the leader's own press
        return _render(q, draft, token)
    try:
        number = int(request.form.get("page", draft.page))
    except ValueError:
        number = draft.page
    if not 0 <= number < len(q.pages):
        number = draft.page
    # Answers of the page posted, which may be an older page shown again by the browser's Back.
    shown = q.visible_items(q.pages[number], draft.answers)
    form = page_form(q, shown, LANGUAGE, formdata=request.form, csrf=False)
    valid = form.validate()
    posted = {item.code: answer_of(form, item) for item in shown if not form[item.code].errors}
    answers = {**draft.answers, **{k: v for k, v in posted.items() if v is not None}}
    # One commit per request, while `hold` keeps the invitation locked against a racing submit.
    if action == "back":
        previous = next_page(q, answers, number, -1)
        save_draft(db.session, invitation, key, draft, answers, number if previous is None else previous)
        db.session.commit()
        return _render(q, draft, token)
    if not valid:
        save_draft(db.session, invitation, key, draft, answers, number)
        db.session.commit()
        return _render(q, draft, token, form=form, notice=FIX_ERRORS)
    following = next_page(q, answers, number, 1)
    if following is not None and action != "submit":
        save_draft(db.session, invitation, key, draft, answers, following)
        db.session.commit()
        return _render(q, draft, token)
    return _submit(q, invitation, token, key, draft, answers, number)


def _submit(q: QuestionnaireDefinition, invitation: LeaderInvitation, token: str, key: str,
            draft: Draft, answers: dict, number: int):
    missing = first_missing_page(q, answers, len(q.pages) - 1)
    if missing is not None:
        save_draft(db.session, invitation, key, draft, answers, missing)
        db.session.commit()
        items = q.visible_items(q.pages[missing], draft.answers)
        form = page_form(q, items, LANGUAGE, data=draft.answers, csrf=False)
        form.validate()
        return _render(q, draft, token, form=form, notice=FIX_ERRORS)
    wave = invitation.wave
    complete(db.session, q, invitation, answers)
    try:
        release(db.session, wave, local_today())
    except SQLAlchemyError:
        # The sheet is stored; its block is released by the next submit or staff page instead.
        db.session.rollback()
        current_app.logger.warning("leaders' mix: release deferred after a database error")
    # Post/redirect/get to an address without the token; a double tap gets the one unusable page.
    return redirect(url_for("leaders.thanks"), code=303)
