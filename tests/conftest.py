"""Shared fixtures: `app`, `client`, `runner`, `db_session`, `auth`, `live_server`, on SQLite or PostgreSQL.

The database is built once per run, or once per pytest-xdist worker, with `alembic upgrade
head` (migrations are the schema). Set SURVEY_TEST_DATABASE_URL to run on PostgreSQL; each
xdist worker then gets its own database, `<name>_gw0`, `<name>_gw1`…, created through the
`postgres` maintenance database. Under CI=true an unreachable server fails the run instead of
skipping it.

Each test runs inside one transaction on one connection, rolled back at its end; the app's own
`commit()`s only release savepoints inside it (SQLAlchemy's "joining a session into an external
transaction" recipe, join_transaction_mode="create_savepoint"). Tests marked `commits` commit
for real and have every table emptied afterwards, which is slower: every test that uses
`live_server` (its requests run in other threads, on other connections) is marked so
automatically, and tests whose work must be seen by other connections mark themselves. A
test that writes through another connection (`db.engine`, a second engine, a subprocess)
without the mark fails at teardown, naming the tables it left rows in, and they are emptied.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator

import jinja2
import pytest
from flask import g
from flask.globals import app_ctx
from flask_migrate import upgrade
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import scoped_session, sessionmaker
from werkzeug.routing import Rule
from werkzeug.serving import make_server

from survey import create_app
from survey.config import engine_options, normalise_database_url
from survey.extensions import db

PG_URL_ENV = "SURVEY_TEST_DATABASE_URL"
COMMITS = "commits"
LONG_MARKERS = ("slow", "browser")
MARKUP_ONLY = "markup_only"
# Tests never read or write the developer's instance secret.
os.environ.setdefault("SURVEY_SECRET_KEY", "test-secret-key-not-for-production")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--database-tests-only", action="store_true",
        help="run only the tests that use the test database (the PostgreSQL run of `make test`: "
             "the others, pure statistics, file checks and markup, layout and in-page script checks, "
             "gave their answer in the SQLite run)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test served through `live_server` as one that commits for real; with
    --database-tests-only, leave out the tests that never touch the database and those that
    check only markup, layout or in-page script (`markup_only`); run the slow and browser tests first.

    pytest-xdist hands out tests in this order, so a test of many seconds dealt out last would
    keep one worker busy while the other waits; dealt out first, the short tests fill in. With
    `--dist worksteal` (Makefile) a worker that runs dry takes the end of the other's queue,
    which is short tests.
    """
    for item in items:
        if "live_server" in getattr(item, "fixturenames", ()):
            item.add_marker(COMMITS)
    if config.getoption("--database-tests-only"):
        without = [item for item in items if "database_url" not in getattr(item, "fixturenames", ())
                   or item.get_closest_marker(MARKUP_ONLY)]
        if without:
            config.hook.pytest_deselected(items=without)
            items[:] = [item for item in items if item not in without]
    items.sort(key=lambda item: not any(item.get_closest_marker(name) for name in LONG_MARKERS))  # stable


def _unreachable(url: str, exc: OperationalError) -> None:
    message = f"PostgreSQL at {make_url(url).render_as_string()} is unreachable: {exc.orig}"
    if os.environ.get("CI") == "true":
        pytest.exit(f"{message} (required under CI=true)", returncode=1)
    pytest.skip(f"{message}; skipping the PostgreSQL run", allow_module_level=True)


def _reset_postgres(url: str) -> None:
    """Drop everything in the test database's public schema, or fail clearly."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    except OperationalError as exc:
        _unreachable(url, exc)
    finally:
        engine.dispose()


def _worker_database(url: str, worker: str) -> str:
    """Create this xdist worker's own empty database `<name>_<worker>` and return its URL."""
    base = make_url(url)
    name = f"{base.database}_{worker}"
    maintenance = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with maintenance.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        _unreachable(url, exc)
    finally:
        maintenance.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def _test_config(url: str) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "STARTUP_CHECK": False,
        "WTF_CSRF_ENABLED": False,
        # argon2's minimum cost: tests check logic, not the hash's strength.
        "PASSWORD_HASH_TIME_COST": 1,
        "PASSWORD_HASH_MEMORY_COST": 8,
        "PASSWORD_HASH_PARALLELISM": 1,
    }


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated, empty database for this test run (for this worker, under xdist)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    pg_url = os.environ.get(PG_URL_ENV)
    if pg_url:
        url = normalise_database_url(pg_url)
        if worker:
            url = _worker_database(url, worker)
        else:
            _reset_postgres(url)
    else:  # the temporary directory is already per worker
        url = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")
    app = create_app(_test_config(url))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url


@pytest.fixture(scope="session")
def test_engine(database_url: str) -> Iterator[Engine]:
    """One engine for the whole run: it holds each test's outer transaction."""
    engine = create_engine(database_url, **engine_options(database_url))
    yield engine
    engine.dispose()


def _begin_outer(connection: Connection):
    """Begin the transaction every savepoint of the test lives in."""
    transaction = connection.begin()
    if connection.dialect.name == "sqlite":
        # pysqlite begins transactions on its own schedule, so a RELEASE SAVEPOINT could
        # commit: take over as SQLAlchemy's SQLite dialect documentation advises.
        connection.connection.driver_connection.isolation_level = None
        connection.exec_driver_sql("BEGIN")
    return transaction


def _empty_all_tables(connection: Connection) -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    if connection.dialect.name == "postgresql" and _empty_postgres_tables_with_rows(connection):
        return
    with connection.begin():
        if connection.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            return
        # The append-only and immutability triggers refuse DELETE and UPDATE (TRUNCATE on
        # PostgreSQL skips row triggers): lift them for the reset and put them back.
        triggers = connection.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")).all()
        for name, _ in triggers:
            connection.execute(text(f'DROP TRIGGER "{name}"'))
        for table in tables:
            connection.execute(table.delete())
        for _, sql in triggers:
            connection.execute(text(sql))


def _empty_postgres_tables_with_rows(connection: Connection) -> bool:
    """Delete the rows a `commits` test left and restart the sequences it drew from, as the
    TRUNCATE of every table would; False (nothing done) when the account may not skip triggers.

    A TRUNCATE of every table gives each table and index a new file: half a second per test,
    where deleting the few rows takes milliseconds. As a replica session skips the triggers,
    the append-only ones and the foreign keys' (which only a superuser may do), the rows go in
    any order.
    """
    left = _tables_with_rows(connection)
    with connection.begin():
        try:
            with connection.begin_nested():
                connection.execute(text("SET LOCAL session_replication_role = replica"))
        except ProgrammingError:  # not a superuser
            return False
        for name in left:
            connection.execute(text(f'DELETE FROM "{name}"'))
        connection.execute(text(
            "SELECT setval(format('%I.%I', schemaname, sequencename), start_value, false) "
            "FROM pg_sequences WHERE schemaname = current_schema() AND last_value IS NOT NULL"))
    return True


def _app_context_id() -> int:
    """One session per app context, as Flask-SQLAlchemy scopes its own."""
    return id(app_ctx._get_current_object())


@pytest.fixture
def db_transaction(request: pytest.FixtureRequest, test_engine: Engine, monkeypatch) -> Iterator[None]:
    """Roll back everything the test wrote; `commits` tests commit and empty every table instead.

    `db.session`, in every app of the test, is bound to the test's connection, so an app built
    by a test (a second gunicorn worker, an HTTPS app) sees the same data.
    """
    if request.node.get_closest_marker(COMMITS):
        yield
        with test_engine.connect() as connection:
            _empty_all_tables(connection)
        return
    connection = test_engine.connect()
    outer = _begin_outer(connection)
    factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
    monkeypatch.setattr(db, "session", scoped_session(factory, scopefunc=_app_context_id))
    yield  # each app context's teardown has removed its session by now
    outer.rollback()
    left = _tables_with_rows(connection)
    if left:  # written through another connection: clean up for the next test, then say so
        _empty_all_tables(connection)
    if connection.dialect.name == "sqlite":
        connection.invalidate()  # its transaction mode was changed: never pool it again
    connection.close()
    if left:
        pytest.fail(f"the test left rows in {', '.join(left)} after its rollback: it wrote through "
                    f"another connection, so mark it `@pytest.mark.{COMMITS}`")


def _tables_with_rows(connection: Connection) -> list[str]:
    """The tables that still hold rows, in one round trip."""
    counts = " UNION ALL ".join(
        f"SELECT '{table.name}', (SELECT count(*) FROM \"{table.name}\")" for table in db.metadata.sorted_tables
    )
    left = [name for name, count in connection.exec_driver_sql(counts) if count]
    connection.rollback()  # end the read's own transaction
    return left


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept in memory for every app of this process.

    Each test builds its own app, so each would compile every template it renders again
    (Jinja's compiler was a tenth of a test's time); a bucket is keyed by the template's name
    and checked against its source, so an edited template is compiled afresh.
    """

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self._code:
            bucket.bytecode_from_string(self._code[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = _CompiledTemplates()


@pytest.fixture(scope="session", autouse=True)
def compiled_url_builders() -> Iterator[None]:
    """URL builders compiled once per process for every app of the run.

    Werkzeug compiles two Python functions for each URL rule an app registers: nine tenths of
    `create_app`, and a tenth of the processor time of the short tests, each of which builds
    its own app. The code depends only on the
    rule's text, its parsed parts and its defaults' names (converters are looked up through the
    rule when a URL is built), so the same rule in the next test's app gets the same function.
    A rule whose default fills one of its variables bakes the converted value into the code: it
    is compiled afresh.
    """
    compile_builder = Rule._compile_builder
    builders: dict[tuple, object] = {}

    def shared_builder(rule: Rule, append_unknown: bool = True):
        defaults = rule.defaults or {}
        if any(dynamic and part in defaults for dynamic, part in rule._trace):
            return compile_builder(rule, append_unknown)
        key = (rule.rule, tuple(rule._trace), tuple(defaults), append_unknown)
        if key not in builders:
            builders[key] = compile_builder(rule, append_unknown)
        return builders[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Rule, "_compile_builder", shared_builder)
        yield


@pytest.fixture
def app(database_url: str, db_transaction):
    """The application bound to the test database, inside the test's transaction."""
    app = create_app(_test_config(database_url))
    app.jinja_env.bytecode_cache = COMPILED_TEMPLATES

    @app.before_request
    def _fresh_request_globals() -> None:
        # Test-client requests reuse this fixture's app context, so `g` would carry
        # per-request caches (Flask-Login's user, Flask-WTF's CSRF token) across requests.
        for name in list(vars(g)):
            delattr(g, name)

    with app.app_context():
        yield app
        db.session.rollback()
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
    """The test app served on a free local port in a background thread (marks the test `commits`)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


class BlockDraw:
    """Which assigned blocks a new questionnaire draws (survey.respond.assignment.SOURCE)."""

    class _Fixed:
        def __init__(self, value: float) -> None:
            self.value = value

        def random(self) -> float:
            return self.value

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch

    def never(self) -> None:
        """No respondent is drawn for any block (1.0 is never below a share)."""
        self._use(self._Fixed(1.0))

    def always(self) -> None:
        """Every respondent is drawn for every block (0.0 is below every share, all above 0)."""
        self._use(self._Fixed(0.0))

    def seeded(self, seed: int) -> None:
        """Draws at random, the same ones again for the same seed."""
        import random

        self._use(random.Random(seed))

    def _use(self, source) -> None:
        from survey.respond import assignment

        self.monkeypatch.setattr(assignment, "SOURCE", source)


@pytest.fixture(autouse=True)
def block_draw(monkeypatch: pytest.MonkeyPatch) -> BlockDraw:
    """Respondents are drawn for no assigned block unless a test says otherwise
    (`block_draw.always()`, `block_draw.seeded(7)`): the paths through the form stay fixed."""
    draw = BlockDraw(monkeypatch)
    draw.never()
    return draw
