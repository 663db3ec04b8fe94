"""The one module that owns the database: declarative base, naming convention, engine hooks."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import DateTime, Engine, Enum, MetaData, event
from sqlalchemy.orm import DeclarativeBase, MappedColumn, mapped_column, registry
from sqlalchemy.types import TypeDecorator

from survey.enums import values

SQLITE_BUSY_TIMEOUT_MS = 15000  # how long a writer waits for SQLite's one write lock

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always returned timezone-aware, on SQLite too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc)
            if dialect.name == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)


class Base(DeclarativeBase):
    """Declarative base whose metadata names every constraint predictably for Alembic."""

    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={dt.datetime: UTCDateTime()},
    )


def enum_column(enum: type[StrEnum], constraint: str, **kwargs) -> MappedColumn:
    """A VARCHAR(10) column holding one of `enum`'s values, checked by a CHECK constraint.

    The constraint is named `ck_<table>_<constraint>` and lists the enum's values, so the
    values are written once, in `survey.enums`. Rows load as enum members.
    """
    kind = Enum(
        enum,
        name=constraint,
        native_enum=False,
        create_constraint=True,
        length=10,
        values_callable=values,
        validate_strings=True,
    )
    return mapped_column(kind, **kwargs)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """Run SQLite with WAL, enforced foreign keys and a busy timeout."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def render_item(type_: str, obj, autogen_context):
    """Render custom column types as plain SQLAlchemy types in migration scripts."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False
