"""The province-reviewed digest of citizens' comments: how free text reaches officers."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.clock import utcnow
from survey.db import Base
from survey.models.places import Locality
from survey.models.questionnaires import Wave


class CommentDigest(Base):
    """A province reviewer's digest of one locality's comments in one closed wave.

    Written by the province admin from the scrubbed comments, published to the locality's
    officers; it holds no link to any response, and at least 5 comments stand behind it.
    """

    __tablename__ = "comment_digest"
    __table_args__ = (
        UniqueConstraint("locality_id", "wave_id"),
        CheckConstraint("comments >= 5", name="comments_at_least_five"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    locality_id: Mapped[int] = mapped_column(ForeignKey("locality.id"))
    wave_id: Mapped[int] = mapped_column(ForeignKey("wave.id"))
    body: Mapped[str] = mapped_column(Text)
    comments: Mapped[int]
    published_by: Mapped[str] = mapped_column(String(80))
    published_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    locality: Mapped[Locality] = relationship()
    wave: Mapped[Wave] = relationship()
