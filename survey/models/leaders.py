"""The leaders' survey for the PAR Index: invitations (the roster), drafts, the mix and responses.

Invitations and responses are deliberately unrelated. An invitation knows who was invited and
whether (never when) they opened and completed their letter; a response knows only its group,
unit type, wave and answers (rows of the one answer table): no day, no time, no sequence, and a
random key. No column, foreign key or timestamp joins them (tests/survey/leaders/test_anonymity.py
checks the migrated schema).

Between the two sits the mix (`LeaderSealed`): a submitted sheet waits there, encrypted, until
enough sheets of its group have arrived to be released together in a shuffled block; only then
do the responses appear and the invitations turn completed, in one transaction
(survey/leaders/mix.py). Drafts are encrypted with a key derived from the leader's link token,
which the server never stores (survey/leaders/sealing.py). docs/security.md states the threat
model.
"""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.db import Base, enum_column
from survey.models.questionnaires import Wave


class UnitType(StrEnum):
    """The kind of unit a leader belongs to (loại đơn vị): all a response says about where."""

    SO = "so"
    XA = "xa"
    HDND = "hdnd"


UNIT_TYPE_OF_GROUP = {
    "dai_bieu_hdnd": UnitType.HDND,
    "lanh_dao_so": UnitType.SO,
    "truong_phong": UnitType.SO,
    "lanh_dao_xa": UnitType.XA,
}
"""The unit type of each national respondent group (codes of the questionnaire's list)."""

_UNIT_TYPES_SQL = ", ".join(f"'{unit}'" for unit in UnitType)


class LeaderInvitation(Base):
    """One invited leader of one wave, with the hash of their single-use link token.

    ``opened`` and ``completed`` are flags, not days: a day would be a clock shared with
    whatever else was written that day. ``completed`` turns true only when the leader's sheet
    is released from the mix together with at least four others of the same group.
    """

    __tablename__ = "leader_invitation"
    __table_args__ = (UniqueConstraint("wave_id", "full_name", "unit"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("wave.id"), index=True)
    group_code: Mapped[str] = mapped_column(String(40))
    unit: Mapped[str] = mapped_column(String(200))
    full_name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_on: Mapped[dt.date]
    opened: Mapped[bool] = mapped_column(default=False, server_default=false())
    completed: Mapped[bool] = mapped_column(default=False, server_default=false())

    wave: Mapped[Wave] = relationship()
    draft: Mapped[LeaderDraft | None] = relationship(cascade="all, delete-orphan",
                                                     passive_deletes=True)


class LeaderDraft(Base):
    """Answers in progress, encrypted under a key derived from the link token (phiếu làm dở).

    The server keeps only the token's hash, so neither the database nor its WAL or backups
    can open a draft; deleted (securely, on SQLite) when the sheet is submitted or the wave ends.
    """

    __tablename__ = "leader_draft"

    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("leader_invitation.id", ondelete="CASCADE"), primary_key=True)
    box: Mapped[bytes] = mapped_column(LargeBinary)


class LeaderSealed(Base):
    """A submitted sheet waiting in the mix, encrypted with the server's mix key.

    ``marker`` is an HMAC of the invitation under that key: unique, so a double tap stores one
    sheet, and meaningless to anyone holding the database without the key. Nothing here says
    whose sheet it is or which group it belongs to.
    """

    __tablename__ = "leader_sealed"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("wave.id"), index=True)
    marker: Mapped[str] = mapped_column(String(64), unique=True)
    box: Mapped[bytes] = mapped_column(LargeBinary)


class LeaderResponse(Base):
    """One leader's submitted sheet: group, unit type and wave, nothing else; its answers are
    rows of the one answer table (`Answer.leader_response_id`), as a citizen's are.

    The key is a random UUID and rows are written in shuffled blocks of at least five of one
    group, the answer rows with them, so neither the key, the row order nor the writing
    transaction tells who answered.
    """

    __tablename__ = "leader_response"
    __table_args__ = (CheckConstraint(f"unit_type IN ({_UNIT_TYPES_SQL})", name="unit_type_known"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    wave_id: Mapped[int] = mapped_column(ForeignKey("wave.id"), index=True)
    group_code: Mapped[str] = mapped_column(String(40))
    unit_type: Mapped[str] = mapped_column(String(10))


class SendChannel(StrEnum):
    """How an invitation is delivered besides the printed letter."""

    EMAIL = "email"
    SMS = "sms"


class DeliveryStatus(StrEnum):
    """Where one message to one invitee stands (survey/leaders/delivery.py).

    ``sending`` is claimed: written and committed before the message leaves, so a second run, or
    a run after a crash, never sends it again.
    """

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class LeaderDelivery(Base):
    """One message to one invitee on one channel: the invitation (round 0) or a reminder (1, 2, …).

    Holds no link and no token: the link is made at the moment of sending and exists only in
    the message. ``next_attempt_at`` is when a failed message may be tried again (none: it will
    not be), or, while ``sending``, when an unfinished claim counts as interrupted; ``sent_at``
    spaces the reminders. Neither says anything about answering: a response has no time at all.
    """

    __tablename__ = "leader_delivery"
    __table_args__ = (
        UniqueConstraint("invitation_id", "channel", "round"),
        CheckConstraint("round >= 0", name="round_non_negative"),
        CheckConstraint("attempts >= 0", name="attempts_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("leader_invitation.id", ondelete="CASCADE"), index=True)
    channel: Mapped[SendChannel] = enum_column(SendChannel, "channel_known")
    round: Mapped[int] = mapped_column(default=0)
    status: Mapped[DeliveryStatus] = enum_column(DeliveryStatus, "status_known", default=DeliveryStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime | None]
    sent_at: Mapped[dt.datetime | None]
    reason: Mapped[str | None] = mapped_column(String(300))
