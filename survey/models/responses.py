"""Responses, their answers, and the single-use receipt tokens printed on dossier slips."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    event,
    exists,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from survey.clock import utcnow
from survey.db import Base, enum_column
from survey.enums import Channel, ReviewStatus
from survey.models.leaders import LeaderResponse, LeaderSealed
from survey.models.places import ServiceCentre, ServiceField
from survey.models.questionnaires import Questionnaire, QuestionnaireVersion, Wave


class Response(Base):
    """One submitted questionnaire. Holds no personal data; the id is the form's submission UUID."""

    __tablename__ = "response"
    __table_args__ = (
        CheckConstraint(
            "duration_seconds IS NULL OR duration_seconds >= 0", name="duration_non_negative"
        ),
        CheckConstraint("submitted_at >= started_at", name="submitted_after_start"),
        Index("ix_response_wave_centre", "wave_id", "centre_id"),
        Index("ix_response_centre_submitted", "centre_id", "submitted_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    wave_id: Mapped[int] = mapped_column(ForeignKey("wave.id"))
    centre_id: Mapped[int | None] = mapped_column(ForeignKey("service_centre.id"))
    field_id: Mapped[int | None] = mapped_column(ForeignKey("service_field.id"))
    channel: Mapped[Channel] = enum_column(Channel, "channel_known")
    language: Mapped[str] = mapped_column(String(10), default="vi")
    started_at: Mapped[dt.datetime]
    submitted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    duration_seconds: Mapped[int | None]
    quality_flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    device_hash: Mapped[str | None] = mapped_column(String(64))
    ip_hash: Mapped[str | None] = mapped_column(String(64))
    review_status: Mapped[ReviewStatus] = enum_column(
        ReviewStatus, "review_known", default=ReviewStatus.INCLUDED
    )
    review_reason: Mapped[str | None] = mapped_column(Text)
    scores: Mapped[str | None] = mapped_column(Text)
    """The likert scores again, compact: one digit per likert item of the questionnaire version,
    in questionnaire order, 0 for no answer (see survey.frame.compact). Written with the
    answers so that loading a wave for analysis reads one column instead of ~36 answer rows."""
    opinions: Mapped[str | None] = mapped_column(Text)
    """The opinion answers again, compact: one character per opinion item (harassment, then
    informal payment): "1" an occurrence reported, "0" "Không gặp", "." no answer (see
    survey.frame.compact). Written with the answers, so that the quarterly report reads them
    with the scores instead of from two answer rows per response."""
    assigned_blocks: Mapped[list[str] | None] = mapped_column(JSON)
    """The codes of the questionnaire's assigned blocks (planned subsamples) this respondent was
    drawn for when the questionnaire started; [] when drawn for none. NULL on responses stored
    before the assignment existed, when such a block was an optional part offered to everyone."""

    wave: Mapped[Wave] = relationship()
    centre: Mapped[ServiceCentre | None] = relationship()
    field: Mapped[ServiceField | None] = relationship()
    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan"
    )

    @validates("started_at", "submitted_at")
    def _to_the_minute(self, key: str, value: dt.datetime) -> dt.datetime:
        """Keep times to the minute at most: seconds add nothing to review and help identify.
        (Older responses are cut further, to a time band: `survey.privacy.retention`.)"""
        return value.replace(second=0, microsecond=0) if value is not None else value


_ANSWERED_SHEETS = (Response, LeaderResponse, LeaderSealed)
"""What makes a wave's questionnaire version answered (`version_is_answered`); each has a `wave_id`."""


class ImmutableVersionError(RuntimeError):
    """An answered questionnaire version cannot be edited; publish a new version instead."""


def version_is_answered(connection, version_id: int) -> bool:
    """Whether anyone answered a wave of questionnaire version `version_id`: a citizen's stored
    response, a leader's released response, or a leader's sheet waiting in the mix (it will be
    released against this version). Drafts, citizens' or leaders', are not answers yet."""
    waves = select(Wave.id).where(Wave.questionnaire_version_id == version_id)
    answered = or_(*(exists().where(sheet.wave_id.in_(waves)) for sheet in _ANSWERED_SHEETS))
    return bool(connection.scalar(select(answered)))


@event.listens_for(QuestionnaireVersion, "before_update")
def _refuse_edit_with_responses(mapper, connection, target: QuestionnaireVersion) -> None:
    """Say which version and what to do; the migrations' trigger refuses raw SQL as well."""
    if version_is_answered(connection, target.id):
        code = connection.scalar(select(Questionnaire.code).where(Questionnaire.id == target.questionnaire_id))
        raise ImmutableVersionError(answered_version_message(f"{code} v{target.number}"))


def answered_version_message(label: str) -> str:
    """What an official reads when an answered version would change: which version, why not,
    and what to do instead. Versions are numbered by publishing, not by a key in the file, so
    the way out is to publish the edited file, which stores it as the next version."""
    return (
        f"Phiên bản {label} của phiếu khảo sát đã có người trả lời nên không được sửa: các câu "
        f"trả lời đã có phải giữ đúng phiếu mà người trả lời đã thấy. Hãy công bố nội dung đã sửa "
        f"thành phiên bản mới: sửa tệp phiếu rồi chạy 'flask --app wsgi questionnaire publish TỆP', "
        f"tệp được lưu thành phiên bản kế tiếp; chọn phiên bản đó khi tạo đợt khảo sát mới."
    )


class Answer(Base):
    """One item's answer: the raw choice or text, and the 1–5 score for scale items.

    The one store of every survey's answers: a row belongs to a citizen's `Response` or to a
    leader's `LeaderResponse` (survey.models.leaders), exactly one of the two. Values are kept
    as the item's type keeps them (`Item.stored`), whoever answered. Readers of citizens'
    answers select them through `response_id` (a join on `Response`, or ids of responses), so
    they never meet a leader's row; the PAR score reads leaders' rows through
    `leader_response_id` (survey.leaders.scores).
    """

    __tablename__ = "answer"
    __table_args__ = (
        UniqueConstraint("response_id", "item_code"),
        UniqueConstraint("leader_response_id", "item_code"),
        CheckConstraint("score IS NULL OR (score >= 1 AND score <= 5)", name="score_in_scale"),
        CheckConstraint(
            "(response_id IS NOT NULL AND leader_response_id IS NULL)"
            " OR (response_id IS NULL AND leader_response_id IS NOT NULL)",
            name="one_respondent",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"))
    leader_response_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("leader_response.id", ondelete="CASCADE"))
    """The leader's response, for a leader's answer (released by survey.leaders.mix); indexed by
    the unique (leader_response_id, item_code), as citizens' rows are by (response_id, item_code)."""
    item_code: Mapped[str] = mapped_column(String(60))
    value: Mapped[str | None] = mapped_column(Text)
    score: Mapped[int | None] = mapped_column(SmallInteger)

    response: Mapped[Response | None] = relationship(back_populates="answers")


class ReceiptBatch(Base):
    """A batch of receipt tokens issued for one centre (CLI or the one-stop software's API)."""

    __tablename__ = "receipt_batch"
    __table_args__ = (CheckConstraint("size >= 1", name="size_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("service_centre.id"), index=True)
    field_id: Mapped[int | None] = mapped_column(ForeignKey("service_field.id"))
    size: Mapped[int]
    issued_by: Mapped[str] = mapped_column(String(80))
    issued_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    centre: Mapped[ServiceCentre] = relationship()
    field: Mapped[ServiceField | None] = relationship()


class ReceiptToken(Base):
    """A single-use token printed as a QR on a dossier receipt (giấy hẹn trả kết quả).

    The printed token is `nonce` signed with the app's key; only the nonce is stored.
    """

    __tablename__ = "receipt_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("receipt_batch.id"), index=True)
    nonce: Mapped[str] = mapped_column(String(32), unique=True)
    used_at: Mapped[dt.datetime | None]
    response_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("response.id"), unique=True)

    batch: Mapped[ReceiptBatch] = relationship()


class ResponseDraft(Base):
    """The answers so far of a questionnaire still being filled, keyed by its submission UUID.

    The signed page state in the form is the primary copy. This server copy gives back the
    answers of later pages when a phone's own Back button re-posts an older page. Free text is
    never kept here (it is scrubbed only when the response is stored). A draft is deleted when
    its response is stored; drafts left unfinished are purged after a few days.
    """

    __tablename__ = "response_draft"

    submission_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)


def flags_of(response: Response) -> list[str]:
    """Quality flags as a list, whatever the backend returned."""
    flags: Any = response.quality_flags or []
    return list(flags)
