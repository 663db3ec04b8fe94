"""Benchmark of issue 12: `flask leaders score` as an official runs it, beside R's survey.

Workload: a leaders' wave of the shipped par-leaders-2026 questionnaire with LEADERS answers
(four groups, 21 criteria, about 8% "không đánh giá được"), in a SQLite database built by the
migrations.  Timed as whole processes, each run RUNS times, median reported:

- ours: `flask --app wsgi leaders score --wave PAR-2026Q3` (app start, query, estimation, JSON);
- peer: `Rscript tests/data/reference_par.R` on the same answers exported as CSV (R start,
  read.csv, svydesign, svytotal, svycontrast for the total and the E-as-zero line);
- for scale: `flask --app wsgi leaders --help`, the app starting and doing nothing.

    .venv/bin/python bench/par_bench.py [--leaders 2000] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GROUPS = {"dai_bieu_hdnd": 0.12, "lanh_dao_so": 0.18, "truong_phong": 0.3, "lanh_dao_xa": 0.4}
WAVE = "PAR-2026Q3"


def build(directory: Path, leaders: int, seed: int = 20261129) -> tuple[str, Path]:
    """A migrated SQLite database with the wave, invitations and answers; and the CSV of them."""
    from flask_migrate import upgrade

    from survey import create_app
    from survey.extensions import db
    from survey.models import Answer, LeaderResponse
    from tests.factories import make_invitations, make_leader_wave
    from tests.survey.leaders.conftest import LEADERS

    url = f"sqlite:///{directory / 'bench.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "STARTUP_CHECK": False})
    rng = np.random.default_rng(seed)
    codes = [item.code for item in LEADERS.graded_items]
    rows = []
    with app.app_context():
        upgrade()
        wave = make_leader_wave(db.session, code=WAVE)
        counts = {g: int(leaders * share) for g, share in GROUPS.items()}
        invited = {g: int(n * 1.5) for g, n in counts.items()}
        make_invitations(db.session, wave, invited)
        for group, n in counts.items():
            for _ in range(n):
                answers = dict(zip(codes, rng.choice(list("abcde"), len(codes), p=[.3, .35, .17, .1, .08]),
                                   strict=False))
                response = LeaderResponse(id=uuid.uuid4(), wave_id=wave.id, group_code=group, unit_type="so")
                db.session.add(response)
                db.session.add_all(Answer(leader_response_id=response.id, item_code=code, value=value)
                                   for code, value in answers.items())
                rows.append({"group": group, "invited": invited[group], **answers})
        db.session.commit()
    csv = directory / "answers.csv"
    pd.DataFrame(rows).to_csv(csv, index=False)
    return url, csv


def timed(command: list[str], env: dict, runs: int) -> tuple[float, str]:
    seconds, output = [], ""
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=True)
        seconds.append(time.perf_counter() - start)
        output = done.stdout
    return statistics.median(seconds), output


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leaders", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url, csv = build(Path(tmp), args.leaders)
        env = {**os.environ, "SURVEY_DATABASE_URL": url, "SURVEY_SECRET_KEY": "bench"}
        flask = str(Path(sys.executable).with_name("flask"))
        ours, output = timed([flask, "--app", "wsgi", "leaders", "score", "--wave", WAVE], env, args.runs)
        start_only, _ = timed([flask, "--app", "wsgi", "leaders", "--help"], env, args.runs)
        r_json = Path(tmp) / "r.json"
        peer, _ = timed(["Rscript", "tests/data/reference_par.R", str(csv), str(r_json)], env, args.runs)
        mine, theirs = json.loads(output)["total"], json.loads(r_json.read_text())["total"]
    print(json.dumps({
        "leaders": mine["n"], "runs": args.runs,
        "flask_leaders_score_s": round(ours, 3), "rscript_reference_par_s": round(peer, 3),
        "flask_app_start_only_s": round(start_only, 3),
        "ratio_ours_over_r": round(ours / peer, 2),
        "total_ours": mine["estimate"], "total_r": theirs["estimate"],
        "se_ours": mine["se"], "se_r": theirs["se"],
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
    }, indent=2))


if __name__ == "__main__":
    main()
