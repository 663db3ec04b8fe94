"""Refuse to serve on a broken database: wrong URL, unreachable server, or pending migrations.

The check runs when the app is built to serve requests (gunicorn, `flask run`) and for every
command that reads or writes data (`seed`, `export`, ...). `flask db ...` only needs to reach
the database (its job is to fix the schema); introspection commands need nothing.
"""

from __future__ import annotations

import os
import sys

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import Migrate
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from survey.config import ConfigError
from survey.extensions import db

# Commands that must work whatever state the database is in.
UNCHECKED_COMMANDS = {"routes", "shell"}
# Commands that must work on a database whose schema is missing or behind.
SCHEMA_COMMANDS = {"db"}
# Flask's own options that take a value, so `flask --app wsgi run` is recognised.
_FLASK_OPTIONS_WITH_VALUE = {"--app", "-A", "--env-file", "-e"}


def invoked_flask_command(argv: list[str]) -> str | None:
    """The Flask CLI sub-command in `argv`, e.g. 'run' or 'db'; None outside the CLI."""
    if os.environ.get("FLASK_RUN_FROM_CLI") != "true":
        return None
    args = iter(argv[1:])
    for arg in args:
        if arg in _FLASK_OPTIONS_WITH_VALUE:
            next(args, None)
        elif not arg.startswith("-"):
            return arg
    return None


def check_ready_to_serve(app: Flask) -> None:
    """Raise ConfigError with a fix when the database cannot serve this app or command."""
    command = invoked_flask_command(sys.argv)
    if os.environ.get("FLASK_RUN_FROM_CLI") == "true" and (
        command is None or "--help" in sys.argv or "-h" in sys.argv
    ):
        return  # `flask --help` and every command's help work whatever the database state
    if command in UNCHECKED_COMMANDS or (command == "questionnaire" and "check" in sys.argv):
        return
    with app.app_context():
        try:
            with db.engine.connect() as connection:
                current = MigrationContext.configure(connection).get_current_heads()
        except OperationalError as exc:
            raise ConfigError(
                f"Không kết nối được cơ sở dữ liệu tại {db.engine.url.render_as_string()}: "
                f"{exc.orig}. Hãy kiểm tra SURVEY_DATABASE_URL và máy chủ cơ sở dữ liệu đang chạy."
            ) from None
        except SQLAlchemyError as exc:
            raise ConfigError(
                f"Cơ sở dữ liệu tại {db.engine.url.render_as_string()} báo lỗi: {exc}. "
                "Hãy kiểm tra SURVEY_DATABASE_URL."
            ) from None
        if command in SCHEMA_COMMANDS:
            return
        migrate: Migrate = app.extensions["migrate"].migrate
        script = ScriptDirectory.from_config(migrate.get_config())
        heads = set(script.get_heads())
        if set(current) != heads:
            raise ConfigError(
                "Cấu trúc cơ sở dữ liệu chưa được cập nhật "
                f"(cơ sở dữ liệu: {', '.join(sorted(current)) or 'chưa tạo bảng nào'}; "
                f"mã nguồn cần: {', '.join(sorted(heads))}). "
                "Hãy chạy: flask --app wsgi db upgrade"
            )
