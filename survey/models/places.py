"""Where services are delivered: localities (xã/phường), one-stop centres and service fields."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.clock import utcnow
from survey.db import Base, enum_column
from survey.enums import LocalityKind


@dataclass(frozen=True)
class LocalityName:
    """A locality as a list names it (the seed file, the report's list of every locality),
    without the database row."""

    code: str
    name: str
    kind: str


class Locality(Base):
    """A commune-level unit (xã or phường) with its official statistical code."""

    __tablename__ = "locality"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(10), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[LocalityKind] = enum_column(LocalityKind, "kind_known")

    centres: Mapped[list[ServiceCentre]] = relationship(back_populates="locality")

    def __repr__(self) -> str:
        return f"<Locality {self.code} {self.name}>"


class LocalityBoundary(Base):
    """A commune's boundary (ranh giới hành chính) for the report's map, as GeoJSON MultiPolygon
    coordinates in WGS 84 longitude and latitude; written only by ``survey.reports.geometry``."""

    __tablename__ = "locality_boundary"
    __table_args__ = (CheckConstraint("vertices > 0", name="vertices_positive"),)

    locality_id: Mapped[int] = mapped_column(ForeignKey("locality.id"), primary_key=True)
    polygons: Mapped[list[Any]] = mapped_column(JSON)
    vertices: Mapped[int]
    source: Mapped[str] = mapped_column(String(200))  # the imported file's name
    imported_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<LocalityBoundary {self.locality_id}: {self.vertices} vertices>"


class ServiceCentre(Base):
    """A one-stop desk (Bộ phận Một cửa / Trung tâm Phục vụ hành chính công).

    `code` is short and appears in QR URLs (`/q/<code>`). The provincial centre has no locality.
    """

    __tablename__ = "service_centre"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    locality_id: Mapped[int | None] = mapped_column(ForeignKey("locality.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)

    locality: Mapped[Locality | None] = relationship(back_populates="centres")

    def __repr__(self) -> str:
        return f"<ServiceCentre {self.code}>"


# Codes of fields merged away in 2025 → the field that took them over. Their rows stay (older
# responses and counts point at them) but are deactivated; a desk QR or API call that still
# carries an old code is read as its successor.
FIELD_SUCCESSORS = {
    "ldtbxh": "noi_vu",
    "giao_thong": "xay_dung",
}


def current_field_code(code: str | None) -> str | None:
    """A service field code as it is today: a code merged away in 2025 becomes its successor."""
    return FIELD_SUCCESSORS.get(code, code) if code else code


class ServiceField(Base):
    """A field of administrative procedures (lĩnh vực thủ tục hành chính)."""

    __tablename__ = "service_field"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    sort_order: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    def __repr__(self) -> str:
        return f"<ServiceField {self.code}>"
