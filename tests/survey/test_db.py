"""Engine settings per backend: SQLite pragmas, timezone-aware timestamps."""

import datetime as dt

from sqlalchemy import text

from survey.extensions import db
from survey.models import AuditLog


def test_engine_settings_suit_the_database_under_test(app):
    """SQLite runs with WAL, foreign keys and a busy timeout; PostgreSQL's pool pings a
    connection before lending it (a dropped one is replaced, not handed to a request)."""
    if db.engine.dialect.name == "sqlite":
        with db.engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
    else:
        assert db.engine.dialect.name == "postgresql"
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
