"""Questionnaires, their immutable published versions, and survey waves (quarters)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint, event, false, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.db import Base, utcnow


class Questionnaire(Base):
    """A questionnaire identified by its file code, e.g. `sipas-2026`."""

    __tablename__ = "questionnaire"
    __table_args__ = (CheckConstraint("kind IN ('citizen', 'leader')", name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(10))

    versions: Mapped[list[QuestionnaireVersion]] = relationship(
        back_populates="questionnaire", order_by="QuestionnaireVersion.number"
    )


class QuestionnaireVersion(Base):
    """One published definition of a questionnaire; immutable once it has a response."""

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


class WaveStatus:
    """Lifecycle of a wave: only an open wave accepts submissions."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    ALL = (DRAFT, OPEN, CLOSED)


class Wave(Base):
    """A survey round, normally a quarter such as `2026Q3`, bound to one questionnaire version."""

    __tablename__ = "wave"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'open', 'closed')", name="status_known"),
        CheckConstraint("closes_on >= opens_on", name="closes_after_opening"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    questionnaire_version_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_version.id"), index=True
    )
    opens_on: Mapped[dt.date]
    closes_on: Mapped[dt.date]
    status: Mapped[str] = mapped_column(String(10), default=WaveStatus.DRAFT)
    is_demo: Mapped[bool] = mapped_column(default=False, server_default=false())
    """Filled with synthetic responses by `flask demo responses`; never a real survey round."""

    questionnaire_version: Mapped[QuestionnaireVersion] = relationship()

    def accepts_responses(self, today: dt.date) -> bool:
        """Whether a submission made on `today` may be stored."""
        return self.status == WaveStatus.OPEN and self.opens_on <= today <= self.closes_on

    def __repr__(self) -> str:
        return f"<Wave {self.code} {self.status}>"


class ImmutableVersionError(RuntimeError):
    """A questionnaire version with responses cannot be edited; publish a new version instead."""


def _version_has_responses(connection, version_id: int) -> bool:
    from survey.models.responses import Response

    query = (
        select(Response.id)
        .join(Wave, Wave.id == Response.wave_id)
        .where(Wave.questionnaire_version_id == version_id)
        .limit(1)
    )
    return connection.execute(query).first() is not None


@event.listens_for(QuestionnaireVersion, "before_update")
def _refuse_edit_with_responses(mapper, connection, target: QuestionnaireVersion) -> None:
    if _version_has_responses(connection, target.id):
        code = connection.scalar(select(Questionnaire.code).where(Questionnaire.id == target.questionnaire_id))
        raise ImmutableVersionError(
            f"Questionnaire version {code} v{target.number} already has "
            "responses and cannot be changed. Publish the edited file as a new version."
        )
