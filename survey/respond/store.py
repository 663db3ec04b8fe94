"""Store a completed questionnaire exactly once, with its quality flags.

A double tap sends the same final page twice, in parallel. Both requests may pass the
"already stored?" check; the database's primary key then lets one INSERT win, and the loser,
finding the row stored, answers exactly as the winner does ("Cảm ơn"). Every write of the
store (response, answers, receipt, draft deletion) is inside the one guarded transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from survey.clock import utcnow
from survey.enums import ItemType
from survey.frame import compact as compact_scores
from survey.models import Answer, Response, ServiceCentre, ServiceField, Wave
from survey.questionnaire import QuestionnaireDefinition
from survey.questionnaire.scrub import scrub_free_text
from survey.respond.drafts import forget
from survey.respond.quality import Submission, quality_flags
from survey.respond.receipts import find_token, use_token
from survey.respond.state import FormState

STORED = "stored"
DUPLICATE = "duplicate"
RECEIPT_USED = "receipt_used"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Device:
    """How a device is recognised without personal data: keyed hashes only."""

    cookie_id: str | None
    ip: str | None
    user_agent: str

    def _hash(self, text: str) -> str:
        key = current_app.config["SECRET_KEY"].encode()
        return hmac.new(key, b"device-v1:" + text.encode(), hashlib.sha256).hexdigest()

    @property
    def device_hash(self) -> str | None:
        if self.cookie_id:
            return self._hash("cookie:" + self.cookie_id)
        if self.ip:
            return self._hash(f"ipua:{self.ip}|{self.user_agent}")
        return None


def _answers(questionnaire: QuestionnaireDefinition, state: FormState) -> tuple[list[dict], list[int], bool]:
    """The answer rows to insert (without their response id), the scores, and whether text was scrubbed.

    Only answers to what this respondent was asked: none to a block they were not drawn for.
    """
    items = questionnaire.items_by_code
    stored, scores, scrubbed = [], [], False
    for code, value in questionnaire.asked(state.assigned).relevant_answers(state.answers).items():
        item = items[code]
        if item.type == ItemType.TEXT:
            value, was_scrubbed = scrub_free_text(value)
            scrubbed = scrubbed or was_scrubbed
        value = item.stored(value)
        score = item.score(value)
        if score is not None:
            scores.append(score)
        stored.append({"item_code": code, "value": value, "score": score})
    return stored, scores, scrubbed


def store_response(
    session: Session,
    questionnaire: QuestionnaireDefinition,
    state: FormState,
    wave: Wave,
    centre: ServiceCentre,
    device: Device,
    ip_hash: str | None,
    submitted_at: dt.datetime | None = None,
) -> str:
    """Store the response of `state`; a resend of the same submission stores nothing more.

    `questionnaire` is the whole definition, not one respondent's view of it: the compact
    scores hold a digit for every likert item of the version. `submitted_at` is when the
    respondent finished, when that was before now (a kiosk tablet sending its offline queue).
    """
    if session.get(Response, state.response_id) is not None:
        _forget_stored(session, state)
        return DUPLICATE
    now = submitted_at or utcnow()
    answers, scores, scrubbed = _answers(questionnaire, state)
    field_code = state.answers.get("field") or state.field_code
    field = session.scalar(select(ServiceField).where(ServiceField.code == field_code))
    duration = max(0, int((now - state.started).total_seconds()))
    submission = Submission(
        wave.id, centre.id, now, duration, len(answers), scores, device.device_hash, scrubbed,
        channel=state.channel,
    )
    response = Response(
        id=state.response_id,
        wave=wave,
        centre=centre,
        field=field,
        channel=state.channel,
        language=state.language,
        started_at=min(state.started, now),
        submitted_at=now,
        duration_seconds=duration,
        quality_flags=quality_flags(session, submission, current_app.config["TIMEZONE"]),
        device_hash=device.device_hash,
        ip_hash=ip_hash,
        scores=compact_scores.encode(
            {a["item_code"]: a["score"] for a in answers}, compact_scores.likert_codes(questionnaire)
        ),
        opinions=compact_scores.Opinions.of(questionnaire).encode({a["item_code"]: a["value"] for a in answers}),
        assigned_blocks=list(state.assigned),
    )
    session.add(response)
    try:
        session.flush()
        # One multi-row INSERT, not one statement per answer as the ORM would issue.
        if answers:
            session.execute(insert(Answer.__table__), [{**a, "response_id": response.id} for a in answers])
        forget(session, state)
        if state.receipt is not None:
            receipt = find_token(session, state.receipt)
            if receipt is None or not use_token(session, receipt, response.id):
                session.rollback()
                return RECEIPT_USED
        session.commit()
    except IntegrityError:
        # A double tap raced this request and stored the same submission id first.
        session.rollback()
        if session.get(Response, state.response_id) is not None:
            _forget_stored(session, state)
            return DUPLICATE
        raise
    return STORED


def _forget_stored(session: Session, state: FormState) -> None:
    """Delete the draft a losing double tap may have written after the winner deleted it."""
    try:
        forget(session, state)
        session.commit()
    except SQLAlchemyError as exc:  # best-effort: unfinished drafts are purged later anyway
        session.rollback()
        log.warning("draft of stored submission %s not deleted: %s", state.response_id, type(exc).__name__)
