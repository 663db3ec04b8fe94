"""Backups restore every response: SQLite through `flask backup` while a writer keeps writing,
PostgreSQL through the README's pg_dump / pg_restore commands."""

import subprocess
import threading

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from survey.models import Response
from tests.factories import make_centre, make_response, make_wave

# Real commits (tests/conftest.py's `commits` mode):
# the backup (SQLite backup API, pg_dump) reads what other connections see.
pytestmark = pytest.mark.commits

RESPONSES = 40


def _stored(db_session) -> set[str]:
    db_session.expire_all()
    return {str(i) for i in db_session.scalars(select(Response.id))}


def _restored(url) -> set[str]:
    engine = create_engine(url)
    with engine.connect() as connection:
        found = {str(r[0]).replace("-", "") for r in connection.execute(text("SELECT id FROM response"))}
    engine.dispose()
    return found


@pytest.mark.slow
def test_a_backup_restores_every_response(app, runner, db_session, database_url, tmp_path):
    wave = make_wave(db_session)
    centre = make_centre(db_session)
    for _ in range(RESPONSES):
        make_response(db_session, wave, centre, {"tc1": "4", "tt1": "5"})
    db_session.commit()
    before = {i.replace("-", "") for i in _stored(db_session)}
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        # Another connection keeps writing while the backup runs: the app stays online.
        stop, writing, writes = threading.Event(), threading.Event(), []
        writer_engine = create_engine(database_url, connect_args={"timeout": 30})

        def keep_writing():
            with writer_engine.connect() as connection:
                while not stop.is_set():
                    connection.execute(text("UPDATE wave SET code = code"))
                    connection.commit()
                    writes.append(1)
                    writing.set()

        writer = threading.Thread(target=keep_writing)
        writer.start()
        assert writing.wait(30)
        out = tmp_path / "backups" / "survey.db"
        try:
            result = runner.invoke(args=["backup", "--out", str(out)])
        finally:
            stop.set()
            writer.join()
            writer_engine.dispose()
        assert result.exit_code == 0, result.output
        assert f" byte, {RESPONSES} phiếu)." in result.output and "Đã sao lưu vào " in result.output
        restored = _restored(f"sqlite:///{out}")
    else:
        # README, Backups: pg_dump --format=custom, then pg_restore into an empty database.
        dump = tmp_path / "survey.dump"
        target = f"{url.database}_restore"
        connection = ["-h", url.host or "127.0.0.1", "-p", str(url.port or 5432), "-U", url.username or "postgres"]
        subprocess.run(["pg_dump", *connection, "--format=custom", "--file", str(dump), url.database], check=True)
        subprocess.run(["dropdb", *connection, "--if-exists", target], check=True)
        subprocess.run(["createdb", *connection, target], check=True)
        try:
            subprocess.run(["pg_restore", *connection, "--no-owner", "--dbname", target, str(dump)], check=True)
            restored = _restored(url.set(database=target))
        finally:
            subprocess.run(["dropdb", *connection, "--if-exists", target], check=True)
    assert restored == before and len(restored) == RESPONSES


def test_backup_on_postgresql_points_to_pg_dump(app, runner):
    app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://survey@db-host/survey"
    result = runner.invoke(args=["backup", "--out", "x.db"])
    assert result.exit_code != 0
    assert "pg_dump --format=custom" in result.output


def test_backup_of_a_missing_database_is_a_clear_error(app, runner, tmp_path):
    app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path}/none.db"
    result = runner.invoke(args=["backup", "--out", str(tmp_path / "b.db")])
    assert result.exit_code == 1
    assert "sao lưu không thành công: không có cơ sở dữ liệu SQLite tại" in result.output
    assert not (tmp_path / "b.db").exists()
