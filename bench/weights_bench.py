"""Benchmark of issue 10: demo responses in bulk, then the analysis frame and its weights.

For one database (SQLite file or PostgreSQL) it builds a fresh schema, seeds the province,
fills a demo wave with N responses and dossier counts (timing `flask demo responses` as a
whole process), then times, in a child process, `survey.frame.load.analysis_frame` — loading
every response with its design columns and scores, excluding flagged ones, computing the
cell weights — split into the load and the weights. Beside it, the same load done the old
way (the long answer table pivoted in pandas) on a subset, as the peer.

    .venv/bin/python bench/weights_bench.py --database-url sqlite:////tmp/bench.db --count 1000000
    .venv/bin/python bench/weights_bench.py --count 1000000 \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test_h10
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WAVE = "DEMO-2026Q4"

CHILD = r"""
import json, resource, sys, time
from sqlalchemy import select
from wsgi import app
from survey.extensions import db
from survey.models import Wave
from survey.frame.load import analysis_frame
from survey.frame.responses import is_kept, load_responses
with app.app_context():
    wave = db.session.scalar(select(Wave).where(Wave.code == sys.argv[1]))
    t0, c0 = time.perf_counter(), time.process_time()
    frame = load_responses(db.session, wave, app.config["TIMEZONE"])
    t1, c1 = time.perf_counter(), time.process_time()
    db.session.rollback()
    t2, c2 = time.perf_counter(), time.process_time()
    full, report = analysis_frame(db.session, wave)
    t3, c3 = time.perf_counter(), time.process_time()
    # CPU seconds of this process beside wall-clock: on a shared machine the wall clock
    # mostly measures the queue for the cores (the database's own time is in neither on PostgreSQL)
    print(json.dumps({"rows": len(frame), "kept": len(full), "load_s": t1 - t0,
                      "analysis_frame_s": t3 - t2, "load_cpu_s": c1 - c0, "analysis_frame_cpu_s": c3 - c2,
                      "weights_cpu_s": (c3 - c2) - (c1 - c0),
                      "load_average": open("/proc/loadavg").read().split()[:3],
                      "weighted": report.weighted, "collapses": len(report.collapses),
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

PEER = r"""
import json, sys, time
import pandas as pd
from sqlalchemy import select
from wsgi import app
from survey.extensions import db
from survey.models import Answer, Response, Wave
with app.app_context():
    wave = db.session.scalar(select(Wave).where(Wave.code == sys.argv[1]))
    limit = int(sys.argv[2])
    ids = select(Response.id).where(Response.wave_id == wave.id).limit(limit).subquery()
    t0 = time.perf_counter()
    rows = db.session.execute(select(Answer.response_id, Answer.item_code, Answer.score)
                              .where(Answer.response_id.in_(select(ids.c.id)))).all()
    long = pd.DataFrame(rows, columns=["response_id", "item_code", "score"])
    wide = long.pivot(index="response_id", columns="item_code", values="score")
    print(json.dumps({"rows": len(wide), "answer_rows": len(long), "seconds": time.perf_counter() - t0}))
"""


def run(args: list[str], env: dict) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return time.perf_counter() - started, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--peer-count", type=int, default=100_000,
                        help="responses loaded the old way (answer table), for comparison")
    parser.add_argument("--reuse", action="store_true", help="keep the database and its demo wave")
    args = parser.parse_args()
    env = dict(os.environ, SURVEY_DATABASE_URL=args.database_url, SURVEY_SECRET_KEY="bench-only",
               SURVEY_STARTUP_CHECK="0", PYTHONPATH=str(ROOT))
    flask = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi"]
    python = str(ROOT / ".venv" / "bin" / "python")
    result: dict = {"database": args.database_url.split(":")[0], "count": args.count,
                    "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores (shared)"}
    if not args.reuse:
        if args.database_url.startswith("sqlite:///"):
            Path(args.database_url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        else:
            run([python, "-c", "import sys\nfrom sqlalchemy import create_engine, text\n"
                 "e = create_engine(sys.argv[1])\nwith e.begin() as c:\n"
                 "    c.execute(text('DROP SCHEMA public CASCADE')); c.execute(text('CREATE SCHEMA public'))",
                 args.database_url], env)
        run(flask + ["db", "upgrade"], env)
        run(flask + ["seed"], env)
        seconds, out = run(flask + ["demo", "responses", "--wave", WAVE, "--count", str(args.count),
                                    "--with-counts"], env)
        result["demo_responses_whole_process_s"] = round(seconds, 1)
        result["demo_output"] = out.strip()
    _, out = run([python, "-c", CHILD, WAVE], env)
    result["analysis_frame"] = json.loads(out)
    if args.peer_count:
        _, out = run([python, "-c", PEER, WAVE, str(args.peer_count)], env)
        result["peer_answer_table_pivot"] = json.loads(out)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
