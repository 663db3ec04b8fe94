"""Engine settings per backend: SQLite pragmas, timezone-aware timestamps."""

import datetime as dt

import pytest
from sqlalchemy import text

from survey.extensions import db
from survey.models import AuditLog


def test_sqlite_runs_with_wal_foreign_keys_and_busy_timeout(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas apply to the SQLite run only")
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_postgres_engine_pre_pings(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("pool_pre_ping applies to the PostgreSQL run")
    assert db.engine.pool._pre_ping is True


def test_timestamps_come_back_timezone_aware_in_utc(db_session):
    moment = dt.datetime(2026, 11, 24, 15, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    entry = AuditLog(action="test", at=moment)
    db_session.add(entry)
    db_session.commit()
    db_session.expire_all()
    stored = db_session.get(AuditLog, entry.id).at
    assert stored.tzinfo is not None
    assert stored == moment
    assert stored.utcoffset() == dt.timedelta(0)
