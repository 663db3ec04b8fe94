"""The leaders' survey for the PAR Index: invitations (the roster) and anonymous responses.

The two tables are deliberately unrelated. An invitation knows who was invited and the day
they completed; a response knows only its group, unit type, wave, day and answers. No column,
foreign key or timestamp joins them (tests/survey/leaders/test_anonymity.py checks the
migrated schema), so no answer can be traced to a person.
"""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.db import Base
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

    Only dates are kept (invited, opened, completed), never a time of day, so a completion
    cannot be matched to a response by its moment.
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
    opened_on: Mapped[dt.date | None]
    completed_on: Mapped[dt.date | None]

    wave: Mapped[Wave] = relationship()
    draft: Mapped[LeaderDraft | None] = relationship(cascade="all, delete-orphan",
                                                     passive_deletes=True)


class LeaderDraft(Base):
    """Answers in progress under an invitation; deleted when the response is stored."""

    __tablename__ = "leader_draft"

    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("leader_invitation.id", ondelete="CASCADE"), primary_key=True)
    page: Mapped[int] = mapped_column(default=0)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class LeaderResponse(Base):
    """One leader's submitted answers: group, unit type, wave, day and answers, nothing else.

    The key is a random UUID, so neither the key nor the row order tells who answered when.
    """

    __tablename__ = "leader_response"
    __table_args__ = (CheckConstraint(f"unit_type IN ({_UNIT_TYPES_SQL})", name="unit_type_known"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    wave_id: Mapped[int] = mapped_column(ForeignKey("wave.id"), index=True)
    group_code: Mapped[str] = mapped_column(String(40))
    unit_type: Mapped[str] = mapped_column(String(10))
    submitted_on: Mapped[dt.date]
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
