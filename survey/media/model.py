"""Recordings of a questionnaire's questions and options (tệp ghi âm câu hỏi), kept in the database.

The bytes live in the database, not under instance/: one backup (`flask backup`, pg_dump)
holds the recordings with the questionnaires that name them; every gunicorn worker and every
machine behind the proxy reads the same ones; and an upload is stored in the same transaction
as its audit entry, so a refused or failed upload leaves nothing half written. A questionnaire
has at most a few hundred recordings of at most 2 MB each, which a database keeps easily, and
each is fetched once per browser (`Cache-Control: immutable` on a URL carrying its checksum).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Float, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.clock import utcnow
from survey.db import Base
from survey.models import Questionnaire


class Recording(Base):
    """One uploaded audio file of a questionnaire, named as its file names it (``tc1.ogg``).

    It belongs to the questionnaire, not to one version, so a new version reuses the
    recordings; uploading a file of the same name replaces it (and its URL, which carries the
    checksum, changes with it).
    """

    __tablename__ = "recording"
    __table_args__ = (
        UniqueConstraint("questionnaire_id", "name"),
        CheckConstraint("size > 0", name="size_positive"),
        CheckConstraint("length(sha256) = 64", name="sha256_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id"))
    name: Mapped[str] = mapped_column(String(100))
    content_type: Mapped[str] = mapped_column(String(40))
    """The type its content showed (audio/ogg, audio/mpeg, audio/mp4, audio/aac, audio/wav)."""
    size: Mapped[int] = mapped_column(Integer)
    seconds: Mapped[float] = mapped_column(Float)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    """Loaded only to serve the file: listing a questionnaire's recordings reads none of it."""
    uploaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    questionnaire: Mapped[Questionnaire] = relationship()
