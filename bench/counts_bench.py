"""Benchmark of issue 10: `flask counts import` of a 45,000-row counts file, as a whole process.

A fresh SQLite database gets 4,091 centres and 11 fields (45,001 centre × field cells), a
45,000-row CSV with Vietnamese headers and field names is imported for one quarter, then
imported again (the quarter is replaced). Beside it, `flask --app wsgi --help` as the peer: the
cost of starting the app at all.

    .venv/bin/python bench/counts_bench.py
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIELDS = 11
ROWS = 45_000


def timed(args: list[str], env: dict) -> float:
    started = time.perf_counter()
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return time.perf_counter() - started


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "counts.db"
        env = dict(os.environ, SURVEY_DATABASE_URL=f"sqlite:///{db}", SURVEY_SECRET_KEY="bench-only",
                   SURVEY_STARTUP_CHECK="0", PYTHONPATH=str(ROOT))
        flask = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi"]
        timed(flask + ["db", "upgrade"], env)
        centres = -(-ROWS // FIELDS)
        with sqlite3.connect(db) as connection:
            connection.executemany("INSERT INTO service_centre (code, name, active) VALUES (?, ?, 1)",
                                   [(f"c{i:05d}", f"Trung tâm {i}") for i in range(centres)])
            connection.executemany("INSERT INTO service_field (code, name, sort_order, active) VALUES (?, ?, ?, 1)",
                                   [(f"f{j}", f"Lĩnh vực {j}", j) for j in range(FIELDS)])
        lines = [f"c{n // FIELDS:05d},Lĩnh vực {n % FIELDS},{n % 997}" for n in range(ROWS)]
        path = Path(tmp) / "so-ho-so.csv"
        path.write_text("Mã trung tâm,Lĩnh vực,Số hồ sơ đã giải quyết\n" + "\n".join(lines) + "\n", encoding="utf-8")
        peer = min(timed(flask + ["--help"], env) for _ in range(2))
        first = timed(flask + ["counts", "import", str(path), "--quarter", "2026Q4"], env)
        again = timed(flask + ["counts", "import", str(path), "--quarter", "2026Q4"], env)
    print(f"flask --help (peer): {peer:.2f} s")
    print(f"counts import, {ROWS} rows: {first:.2f} s ({first / peer:.1f}× the peer)")
    print(f"counts import again (replaces the quarter): {again:.2f} s ({again / peer:.1f}× the peer)")


if __name__ == "__main__":
    main()
