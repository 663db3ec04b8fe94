"""`flask --app wsgi backup --out FILE`: a consistent copy of the SQLite database while the app serves."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import click
from flask import current_app
from sqlalchemy.engine import make_url

from survey.backup import BackupError, backup_sqlite


@click.command("backup", help="Sao chép cơ sở dữ liệu SQLite ra TỆP bằng API sao lưu trực tuyến "
                          "(PostgreSQL: dùng pg_dump).")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Tệp sao lưu ghi ra, ví dụ backups/survey-2026-11-30.db.")
def backup_command(out: Path) -> None:
    """Copy the SQLite database to FILE with the online backup API (PostgreSQL: use pg_dump)."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite":
        raise click.UsageError(
            "cơ sở dữ liệu này là PostgreSQL: hãy sao lưu bằng "
            "`pg_dump --format=custom --file FILE DBNAME` (README, mục Backups)."
        )
    try:
        backup_sqlite(Path(url.database), out)
    except (BackupError, sqlite3.Error, OSError) as exc:
        raise click.ClickException(f"sao lưu không thành công: {exc}") from None
    connection = sqlite3.connect(f"file:{out}?mode=ro", uri=True)
    try:
        (responses,) = connection.execute("SELECT count(*) FROM response").fetchone()
    finally:
        connection.close()
    size = f"{out.stat().st_size:,}".replace(",", ".")  # Vietnamese groups thousands with dots
    click.echo(f"Đã sao lưu vào {out} ({size} byte, {responses} phiếu).")


COMMANDS = (backup_command,)
