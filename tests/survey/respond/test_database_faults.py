"""The database failing under a request: one retry on a dropped connection, the app's own
pages when even the rollback fails, and an alert plus /healthz when writes are refused."""

import logging

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

from survey.extensions import db
from survey.models import Response
from survey.resilience import write_failures
from survey.respond import store

# Real commits (tests/conftest.py's `commits` mode):
# replaces the engine's connections (read-only) and drops sessions mid-request.
pytestmark = pytest.mark.commits


@pytest.fixture
def clean_write_failures():
    yield
    write_failures.at = None


def _disconnect() -> OperationalError:
    return OperationalError("INSERT INTO response ...", {}, Exception("server closed the connection unexpectedly"),
                            connection_invalidated=True)


def test_a_connection_dropped_during_the_submit_is_retried_once(citizen, desk, db_session, monkeypatch, caplog):
    """Issue 14: a dropped PostgreSQL connection answered 500 with no retry."""
    _, centre, _ = desk
    citizen.open(f"/q/{centre.code}").to_last_page()
    original, calls = store.quality_flags, []

    def drop_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise _disconnect()
        return original(*args, **kwargs)

    monkeypatch.setattr(store, "quality_flags", drop_once)
    citizen.post("submit")
    assert citizen.status == 303 and "/cam-on" in citizen.location
    assert len(calls) == 2 and "retrying once" in caplog.text
    assert db_session.scalar(select(func.count()).select_from(Response)) == 1


def test_a_second_drop_is_not_retried_again(app, citizen, desk, db_session, monkeypatch):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the 500 handler renders
    _, centre, _ = desk
    citizen.open(f"/q/{centre.code}").to_last_page()
    calls = []

    def always_drop(*args, **kwargs):
        calls.append(1)
        raise _disconnect()

    monkeypatch.setattr(store, "quality_flags", always_drop)
    citizen.post("submit")
    assert len(calls) == 2
    assert citizen.status == 500 and "Hệ thống đang gặp sự cố" in citizen.html
    assert db_session.scalar(select(func.count()).select_from(Response)) == 0


def test_a_failing_rollback_still_renders_the_apps_own_page(app, citizen, desk, monkeypatch):
    """Issue 14: when the rollback at teardown failed too, gunicorn's bare "Internal Server Error" replaced the page."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    _, centre, _ = desk
    citizen.open(f"/q/{centre.code}").to_last_page()

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    def rollback_fails(self):
        raise OperationalError("ROLLBACK", {}, Exception("connection already closed"))

    monkeypatch.setattr(store, "quality_flags", broken)
    monkeypatch.setattr(type(db.session()), "rollback", rollback_fails)
    monkeypatch.setattr(type(db.session()), "close", rollback_fails)
    try:
        citizen.post("submit")
    finally:
        monkeypatch.undo()
        db.session.remove()  # the connection the failing close could not return
    assert citizen.status == 500
    assert "Hệ thống đang gặp sự cố" in citizen.html and "<html" in citizen.html


def test_a_read_only_database_gives_a_clear_page_an_alert_and_healthz(app, citizen, desk, db_session, caplog,
                                                                     clean_write_failures):
    """Issue 14 fault: disk full or read-only database; nothing stored, answers kept, operator alerted."""
    _, centre, _ = desk
    citizen.open(f"/q/{centre.code}").to_last_page()
    engine = db.engine
    db.session.remove()  # return its connection before the pool is replaced, or it leaks
    engine.dispose()

    def read_only(dbapi_connection, record):
        cursor = dbapi_connection.cursor()
        if engine.dialect.name == "sqlite":
            cursor.execute("PRAGMA query_only = 1")
        else:
            cursor.execute("SET default_transaction_read_only = on")
            dbapi_connection.commit()
        cursor.close()

    event.listen(engine, "connect", read_only)
    try:
        with caplog.at_level(logging.WARNING):
            citizen.post("submit")
        health = app.test_client().get("/healthz")
    finally:
        event.remove(engine, "connect", read_only)
        db.session.remove()
        engine.dispose()
    assert citizen.status == 503
    assert citizen.headers["Retry-After"] == "300"  # an operator's minutes, not the rate limit window's reset
    # Not "wait a few seconds" (the busy page of a lock): a full disk needs someone to act.
    assert "Hệ thống đang gặp sự cố lưu trữ nên phiếu chưa được ghi nhận" in citizen.html
    assert "vài giây" not in citizen.html
    assert 'value="submit"' in citizen.html  # the same page, answers inside, ready to resend
    assert any(r.levelno == logging.CRITICAL and "REFUSES WRITES" in r.getMessage() for r in caplog.records)
    assert health.status_code == 503
    assert health.get_json()["writes"] == "refused"
    assert db_session.scalar(select(func.count()).select_from(Response)) == 0
    citizen.post("submit")  # writable again: the kept answers are stored
    assert citizen.status == 303
    assert db_session.scalar(select(func.count()).select_from(Response)) == 1


def test_a_lock_past_the_busy_timeout_asks_to_resend_in_a_few_seconds(citizen, desk, db_session, monkeypatch):
    """Issue 14 fault: SQLite's write lock held past the busy timeout at the final submit."""
    _, centre, _ = desk
    citizen.open(f"/q/{centre.code}").to_last_page()

    def locked(*args, **kwargs):
        raise OperationalError("INSERT INTO response ...", {}, Exception("database is locked"))

    monkeypatch.setattr(store, "quality_flags", locked)
    citizen.post("submit")
    monkeypatch.undo()
    assert citizen.status == 503 and citizen.headers["Retry-After"] == "5"
    assert "Hệ thống đang bận nên phiếu chưa được ghi nhận" in citizen.html and "vài giây" in citizen.html
    assert 'value="submit"' in citizen.html  # the same page, answers inside, ready to resend
    assert db_session.scalar(select(func.count()).select_from(Response)) == 0
    citizen.post("submit")
    assert citizen.status == 303
    assert db_session.scalar(select(func.count()).select_from(Response)) == 1


def test_healthz_reports_writes_ok(client):
    body = client.get("/healthz").get_json()
    assert (body["status"], body["database"], body["writes"]) == ("ok", "ok", "ok")
