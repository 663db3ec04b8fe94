"""Staff accounts, the administrative counts that become weights, and the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint, event, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.clock import utcnow
from survey.db import Base, enum_column
from survey.enums import UserRole
from survey.models.places import Locality, ServiceCentre, ServiceField


class User(Base):
    """A staff account. Officers are bound to one locality."""

    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint(
            f"role <> '{UserRole.OFFICER}' OR locality_id IS NOT NULL", name="officer_has_locality"
        ),
        CheckConstraint("failed_logins >= 0", name="failed_logins_non_negative"),
        CheckConstraint("session_generation >= 0", name="session_generation_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[UserRole] = enum_column(UserRole, "role_known")
    locality_id: Mapped[int | None] = mapped_column(ForeignKey("locality.id"))
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[dt.datetime | None]
    # Part of every session id: adding one ends every session of the account (survey.auth.sessions).
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    # Set when a one-time password is issued (account created or password reset), cleared when
    # the user chooses their own: until then only the password change page and logout open.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())

    locality: Mapped[Locality | None] = relationship()

    # Flask-Login's user interface. The id carries the session generation, so a session
    # issued before the generation last moved on (logout, idle timeout, password change or
    # reset, an admin's "end all sessions") is refused, whichever copy of the cookie it is.
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_generation}"


class AdminCount(Base):
    """Dossiers resolved per centre × field × quarter (số hồ sơ đã giải quyết): the weight base."""

    __tablename__ = "admin_count"
    __table_args__ = (
        UniqueConstraint("centre_id", "field_id", "quarter"),
        CheckConstraint("dossiers_resolved >= 0", name="dossiers_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("service_centre.id"))
    field_id: Mapped[int] = mapped_column(ForeignKey("service_field.id"))
    quarter: Mapped[str] = mapped_column(String(20))
    """A quarter such as 2026Q3; a demo wave's counts are kept under its own code (DEMO-2026Q3)."""
    dossiers_resolved: Mapped[int]

    centre: Mapped[ServiceCentre] = relationship()
    field: Mapped[ServiceField] = relationship()


class AuditLog(Base):
    """Append-only record of who did what, when and from where."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    username: Mapped[str | None] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(60))
    target: Mapped[str | None] = mapped_column(String(200))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ip_hash: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)


class AppendOnlyError(RuntimeError):
    """Audit log entries are never changed or deleted."""


@event.listens_for(AuditLog, "before_update")
@event.listens_for(AuditLog, "before_delete")
def _refuse_audit_change(mapper, connection, target: AuditLog) -> None:
    raise AppendOnlyError("The audit log is append-only.")
