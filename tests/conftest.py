"""Shared fixtures: `app`, `client`, `runner`, `db_session`, on SQLite or PostgreSQL.

The database is built once per run with `alembic upgrade head` (migrations are the schema).
Set SURVEY_TEST_DATABASE_URL to run on PostgreSQL; under CI=true an unreachable server fails
the run instead of skipping it. Every test starts from empty tables.
"""

from __future__ import annotations

import os
import threading

import pytest
from flask import g
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from werkzeug.serving import make_server

from survey import create_app
from survey.config import normalise_database_url
from survey.extensions import db

PG_URL_ENV = "SURVEY_TEST_DATABASE_URL"
# Tests never read or write the developer's instance secret.
os.environ.setdefault("SURVEY_SECRET_KEY", "test-secret-key-not-for-production")


def _reset_postgres(url: str) -> None:
    """Drop everything in the test database's public schema, or fail clearly."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    except OperationalError as exc:
        message = f"PostgreSQL at {url} is unreachable: {exc.orig}"
        if os.environ.get("CI") == "true":
            pytest.exit(f"{message} (required under CI=true)", returncode=1)
        pytest.skip(f"{message}; skipping the PostgreSQL run", allow_module_level=True)
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated, empty database for this test run."""
    pg_url = os.environ.get(PG_URL_ENV)
    if pg_url:
        url = normalise_database_url(pg_url)
        _reset_postgres(url)
    else:
        url = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")
    app = create_app(_test_config(url))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url


def _test_config(url: str) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "STARTUP_CHECK": False,
        "WTF_CSRF_ENABLED": False,
    }


def _empty_all_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        # The audit log's append-only triggers refuse DELETE (TRUNCATE on PostgreSQL skips
        # row triggers): lift them for the reset and put the same triggers back.
        triggers = db.session.execute(text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'"
        )).all()
        for name, _ in triggers:
            db.session.execute(text(f'DROP TRIGGER "{name}"'))
        for table in tables:
            db.session.execute(table.delete())
        for _, sql in triggers:
            db.session.execute(text(sql))
    db.session.commit()


@pytest.fixture
def app(database_url: str):
    """The application bound to the test database, emptied after the test."""
    app = create_app(_test_config(database_url))

    @app.before_request
    def _fresh_request_globals() -> None:
        # Test-client requests reuse this fixture's app context, so `g` would carry
        # per-request caches (Flask-Login's user, Flask-WTF's CSRF token) across requests.
        for name in list(vars(g)):
            delattr(g, name)

    with app.app_context():
        yield app
        db.session.rollback()
        _empty_all_tables()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db_session(app):
    """The app's database session inside an app context."""
    return db.session


@pytest.fixture
def auth(client, db_session):
    """Sign the test client in as a new account: `auth(role, locality=None) -> User`."""
    from tests.factories import login, make_user

    def sign_in(role: str = "admin", locality=None, username: str | None = None):
        user = make_user(db_session, username or f"{role}-{locality.code if locality else 'all'}", role, locality)
        db_session.commit()
        response = login(client, user)
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return sign_in


@pytest.fixture
def live_server(app):
    """The test app served on a free local port in a background thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
