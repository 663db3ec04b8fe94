"""Consistent online backups of the SQLite database (PostgreSQL: pg_dump, see README)."""

from __future__ import annotations

import os
import sqlite3
import tempfile
from pathlib import Path

PAGES_PER_STEP = 1024  # copy 4 MB, then let writers in: the app keeps serving during a backup
PAUSE_BETWEEN_STEPS = 0.005


class BackupError(RuntimeError):
    """The backup could not be made; the message says why and what to do."""


def backup_sqlite(database: Path, out: Path) -> Path:
    """Copy `database` to `out` with SQLite's online backup API; `out` appears only when complete and checked."""
    if not database.exists():
        raise BackupError(f"không có cơ sở dữ liệu SQLite tại {database}")
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, partial = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".partial")
    os.close(fd)
    try:
        source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        target = sqlite3.connect(partial)
        try:
            # A snapshot consistent as of the last step: pages written meanwhile restart the copy.
            source.backup(target, pages=PAGES_PER_STEP, sleep=PAUSE_BETWEEN_STEPS)
            target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            (verdict,) = target.execute("PRAGMA integrity_check").fetchone()
        finally:
            target.close()
            source.close()
        if verdict != "ok":
            raise BackupError(f"bản sao không qua được bước kiểm tra toàn vẹn của SQLite: {verdict}")
        os.replace(partial, out)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return out
