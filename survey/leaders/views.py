"""The leader's questionnaire behind a single-use link: `/l/<token>`.

The answers so far live on the server under the invitation, so a leader can close the page and
come back with the same link until the wave closes. Submitting moves them into an anonymous
response and deletes the draft (see `survey.leaders.store`).
"""

from __future__ import annotations

from flask import make_response, redirect, render_template, request, url_for
from sqlalchemy.orm import Session

from survey.extensions import db
from survey.forms.respond import answer_of, page_form
from survey.i18n import chrome
from survey.leaders import bp
from survey.leaders.store import complete, draft_of, hold, purge_closed_drafts, save_draft
from survey.leaders.tokens import find_invitation
from survey.models import LeaderDraft, LeaderInvitation
from survey.questionnaire import QuestionnaireDefinition
from survey.respond.flow import first_missing_page, local_today, next_page, questionnaire_of

LANGUAGE = "vi"  # leaders answer in Vietnamese
UNKNOWN_TITLE = "Không tìm thấy phiếu"
UNKNOWN_BODY = ("Đường dẫn này không đúng hoặc đã được thay bằng đường dẫn mới. Ông/Bà vui lòng "
                "kiểm tra lại thư mời hoặc liên hệ Sở Nội vụ tỉnh Đắk Lắk.")
USED_TITLE = "Phiếu đã được gửi"
USED_BODY = "Phiếu đã được gửi. Trân trọng cảm ơn Ông/Bà."
CLOSED_TITLE = "Đợt khảo sát không nhận phiếu"
CLOSED_BODY = ("Đợt khảo sát {wave} nhận phiếu từ ngày {opens} đến ngày {closes}; hiện đợt này "
               "không nhận phiếu. Trân trọng cảm ơn Ông/Bà đã quan tâm.")
FIX_ERRORS = "Ông/Bà vui lòng chọn một phương án cho các nội dung được đánh dấu."
DATE = "%d/%m/%Y"


def _message(title: str, body: str, status: int = 200):
    # the citizens' message page: the same title-and-sentence card, with respond.css
    response = make_response(render_template("respond/message.html", title=title, body=body), status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _invitation_or_message(session: Session, token: str):
    """The open invitation of `token`, or the page to show instead."""
    invitation = find_invitation(session, token)
    if invitation is None:
        return None, _message(UNKNOWN_TITLE, UNKNOWN_BODY, 404)
    if invitation.completed_on is not None:
        return None, _message(USED_TITLE, USED_BODY)
    wave = invitation.wave
    if not wave.accepts_responses(local_today()):
        purge_closed_drafts(session, local_today())
        session.commit()
        body = CLOSED_BODY.format(wave=wave.code, opens=wave.opens_on.strftime(DATE),
                                  closes=wave.closes_on.strftime(DATE))
        return None, _message(CLOSED_TITLE, body)
    return invitation, None


def _render(token: str, questionnaire: QuestionnaireDefinition, draft: LeaderDraft, form=None,
            notice: str | None = None):
    page = questionnaire.pages[draft.page]
    items = questionnaire.visible_items(page, draft.answers)
    if form is None:
        form = page_form(questionnaire, items, LANGUAGE, data=draft.answers, csrf=False)
    response = make_response(render_template(
        "leaders/page.html", q=questionnaire, page=page, items=items, form=form, token=token,
        number=draft.page, total=len(questionnaire.pages), text=chrome(LANGUAGE), lang=LANGUAGE,
        last_page=next_page(questionnaire, draft.answers, draft.page, 1) is None, notice=notice,
    ))
    # The page carries the token in its address: keep it out of caches.
    response.headers["Cache-Control"] = "no-store"
    return response


def _held_draft(token: str):
    """`(None, (invitation, questionnaire, draft))` for the open invitation of `token`, held
    (locked) against a racing submit; or `(page, None)` with the message page to show instead."""
    invitation, message = _invitation_or_message(db.session, token)
    if message is not None:
        return message, None
    q = questionnaire_of(invitation.wave)
    if not hold(db.session, invitation, local_today()):
        return _message(USED_TITLE, USED_BODY), None  # on a post, a double tap: the first tap stored it
    return None, (invitation, q, draft_of(db.session, invitation))


@bp.get("/l/<token>")
def questionnaire(token: str):
    """Open the questionnaire of an invitation, at the page the leader last reached."""
    message, opened = _held_draft(token)
    if opened is None:
        return message
    _, q, draft = opened
    draft.page = min(draft.page, len(q.pages) - 1)
    db.session.commit()
    return _render(token, q, draft)


@bp.post("/l/<token>")
def step(token: str):
    """Take one page of answers and move back, forward, or submit."""
    message, opened = _held_draft(token)
    if opened is None:
        return message
    invitation, q, draft = opened
    try:
        number = int(request.form.get("page", draft.page))
    except ValueError:
        number = draft.page
    if not 0 <= number < len(q.pages):
        number = min(draft.page, len(q.pages) - 1)
    # Answers of the page posted, which may be an older page shown again by the browser's Back.
    shown = q.visible_items(q.pages[number], draft.answers)
    form = page_form(q, shown, LANGUAGE, formdata=request.form, csrf=False)
    valid = form.validate()
    posted = {item.code: answer_of(form, item) for item in shown if not form[item.code].errors}
    answers = {**draft.answers, **{k: v for k, v in posted.items() if v is not None}}
    action = request.form.get("action", "next")
    # One commit per request, while `hold` keeps the invitation locked against a racing submit.
    if action == "back":
        previous = next_page(q, answers, number, -1)
        save_draft(draft, answers, number if previous is None else previous)
        db.session.commit()
        return _render(token, q, draft)
    if not valid:
        save_draft(draft, answers, number)
        db.session.commit()
        return _render(token, q, draft, form=form, notice=FIX_ERRORS)
    following = next_page(q, answers, number, 1)
    if following is not None and action != "submit":
        save_draft(draft, answers, following)
        db.session.commit()
        return _render(token, q, draft)
    save_draft(draft, answers, number)
    return _submit(token, q, invitation, draft)


def _submit(token: str, q: QuestionnaireDefinition, invitation: LeaderInvitation, draft: LeaderDraft):
    missing = first_missing_page(q, draft.answers, len(q.pages) - 1)
    if missing is not None:
        save_draft(draft, draft.answers, missing)
        db.session.commit()
        items = q.visible_items(q.pages[missing], draft.answers)
        form = page_form(q, items, LANGUAGE, data=draft.answers, csrf=False)
        form.validate()
        return _render(token, q, draft, form=form, notice=FIX_ERRORS)
    complete(db.session, q, invitation, dict(draft.answers), local_today())
    # A first submission and a double tap both end on the "already sent" page of the link.
    return redirect(url_for("leaders.questionnaire", token=token), code=303)
