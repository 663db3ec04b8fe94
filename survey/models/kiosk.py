"""Desk tablets paired with a centre for the offline kiosk (`survey.kiosk`).

A row starts as a pairing code a staff member asked for (only its keyed hash is kept, valid for
minutes); the tablet that types it in receives a device key in a cookie, and the row then keeps
that key's hash instead. Neither the code nor the key is stored in clear.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.clock import utcnow
from survey.db import Base
from survey.models.places import ServiceCentre


class KioskDevice(Base):
    """A desk tablet (máy tính bảng tại Bộ phận Một cửa) allowed to send a centre's kiosk questionnaires."""

    __tablename__ = "kiosk_device"
    __table_args__ = (
        CheckConstraint("code_hash IS NOT NULL OR key_hash IS NOT NULL", name="code_or_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("service_centre.id"), index=True)
    code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    """Keyed hash of the one-time pairing code, until a tablet redeems it."""
    code_expires_at: Mapped[dt.datetime | None]
    key_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    """SHA-256 of the device key the paired tablet holds in its cookie."""
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    paired_at: Mapped[dt.datetime | None]
    last_seen_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]

    centre: Mapped[ServiceCentre] = relationship()

    def __repr__(self) -> str:
        return f"<KioskDevice {self.id} centre={self.centre_id}>"
