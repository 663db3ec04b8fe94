"""Questionnaires, their published versions, and survey waves (quarters).

A version that anyone answered (a citizen, or a leader, released or still in the mix) is
immutable; the guard lives beside `Response` (`survey.models.responses.version_is_answered`)
and a database trigger backs it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.clock import utcnow
from survey.db import Base, enum_column
from survey.enums import QuestionnaireKind, WaveStatus


class Questionnaire(Base):
    """A questionnaire identified by its file code, e.g. `sipas-2026`."""

    __tablename__ = "questionnaire"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[QuestionnaireKind] = enum_column(QuestionnaireKind, "kind_known")

    versions: Mapped[list[QuestionnaireVersion]] = relationship(
        back_populates="questionnaire", order_by="QuestionnaireVersion.number"
    )


class QuestionnaireVersion(Base):
    """One published definition of a questionnaire; immutable once anyone answered it."""

    __tablename__ = "questionnaire_version"
    __table_args__ = (
        UniqueConstraint("questionnaire_id", "number"),
        UniqueConstraint("questionnaire_id", "checksum"),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id"))
    number: Mapped[int]
    checksum: Mapped[str] = mapped_column(String(64))
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    published_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    questionnaire: Mapped[Questionnaire] = relationship(back_populates="versions")

    @property
    def label(self) -> str:
        return f"{self.questionnaire.code} v{self.number}"


DEMO_WAVE_PREFIX = "DEMO-"
"""Codes of demo waves start with this (DEMO-2026Q3), so no real wave's code is ever a demo's."""


def accepts_on(status: WaveStatus, opens_on: dt.date, closes_on: dt.date, today: dt.date) -> bool:
    """Whether a wave in `status`, open from `opens_on` to `closes_on`, takes a submission on `today`."""
    return status == WaveStatus.OPEN and opens_on <= today <= closes_on


class Wave(Base):
    """A survey round, normally a quarter such as `2026Q3`, bound to one questionnaire version."""

    __tablename__ = "wave"
    __table_args__ = (
        CheckConstraint("closes_on >= opens_on", name="closes_after_opening"),
        CheckConstraint("assigned_share IS NULL OR (assigned_share > 0 AND assigned_share <= 1)",
                        name="assigned_share_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    questionnaire_version_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_version.id"), index=True
    )
    opens_on: Mapped[dt.date]
    closes_on: Mapped[dt.date]
    status: Mapped[WaveStatus] = enum_column(WaveStatus, "status_known", default=WaveStatus.DRAFT)
    is_demo: Mapped[bool] = mapped_column(default=False, server_default=false())
    """Filled with synthetic responses by `flask demo responses`; never a real survey round."""
    assigned_share: Mapped[float | None] = mapped_column(Float)
    """The share of respondents drawn for each assigned block of the questionnaire in this wave;
    NULL: the share the questionnaire file declares."""

    questionnaire_version: Mapped[QuestionnaireVersion] = relationship()

    def accepts_responses(self, today: dt.date) -> bool:
        """Whether a submission made on `today` may be stored."""
        return accepts_on(self.status, self.opens_on, self.closes_on, today)

    def __repr__(self) -> str:
        return f"<Wave {self.code} {self.status}>"
