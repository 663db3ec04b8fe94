"""Benchmark the quarterly report (docs/benchmarks.md, section "Quarterly report").

    python bench/report_bench.py frame --count 1000000
        Build the report from an in-memory synthetic analysis frame of COUNT responses over
        102 localities and the provincial centre, draw the charts and write HTML, XLSX and
        JSON, in a child process: wall time and peak RSS of that process.  No database.
    python bench/report_bench.py db --url URL --count N [--fill] [--no-peer]
        With --fill, first fill demo wave DEMO-2026Q4 with N responses (``flask demo responses``,
        not timed against the budget).  Then time ``flask --app wsgi report quarterly`` as a
        whole process; then, in a child process of its own, the loading step alone
        (``analysis_frame(session, wave, opinions=True)``: every response with its scores and
        opinion answers, exclusions and weights); and beside them the peer: R's ``survey``
        (Rscript) fitting the same key-driver model with ``svyglm`` on the exported analysis
        frame.  Prints wall and CPU seconds, peak RSS, the ratio and the load average
        (``/proc/loadavg``) before and after.  Run it under ``flock /work/bench.lock``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
FLASK = [PYTHON, "-m", "flask", "--app", "wsgi"]
R_PEER = r"""
suppressMessages(library(survey))
d <- read.csv(commandArgs(TRUE)[1])
sc <- function(items) { m <- as.matrix(d[, items]); rowMeans(m, na.rm = TRUE) }
d$acc <- sc(c("tc1","tc2","tc3","tc4")); d$pro <- sc(c("tt1","tt2","tt3","tt4"))
d$civ <- sc(c("cc1","cc2","cc3","cc4","cc5")); r <- sc(c("kq1","kq2","kq3"))
d$y <- as.numeric(r >= 4); d$y[is.nan(r)] <- NA
for (v in c("acc","pro","civ")) d[[v]][is.nan(d[[v]])] <- NA
des <- svydesign(id = ~psu, strata = ~stratum, weights = ~design_weight, data = d, nest = TRUE)
options(survey.lonely.psu = "adjust")
f <- svyglm(y ~ acc + pro + civ, design = des, family = quasibinomial())
print(SE(f))
"""


LOAD_ONLY = """
import time
from sqlalchemy import select
from survey import create_app
from survey.extensions import db
from survey.models import Wave
from survey.frame.load import analysis_frame
app = create_app()
with app.app_context():
    wave = db.session.scalar(select(Wave).where(Wave.code == "DEMO-2026Q4"))
    wall, cpu = time.perf_counter(), time.process_time()
    frame, _ = analysis_frame(db.session, wave, opinions=True)
    print(f"analysis_frame(opinions=True): {len(frame):,} rows, {time.perf_counter() - wall:.1f} s wall, "
          f"{time.process_time() - cpu:.1f} s CPU")
"""


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


CPU = {"last": 0.0}  # CPU seconds (user + system) of the last timed command


def _timed(command: list[str], env=None, cwd=ROOT) -> tuple[float, float, str]:
    """Run a command to completion: wall seconds, its own peak RSS (MiB, from ``wait4``), output.

    The CPU seconds it used (user + system) go to ``CPU["last"]``: on a shared machine they
    say more than the wall time.
    """
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as output:
        child = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, text=True, env=env, cwd=cwd)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        output.seek(0)
        text = output.read()
    if child.returncode != 0:
        sys.exit(f"{' '.join(command[:6])} failed ({child.returncode}):\n{text}")
    CPU["last"] = usage.ru_utime + usage.ru_stime
    return wall, usage.ru_maxrss / 1024, text


def frame_child(count: int, out: Path) -> None:
    """The measured work of ``frame`` mode (runs in the child)."""
    sys.path.insert(0, str(ROOT))
    from bench.report_frame import localities, make_frame
    from survey import create_app
    from survey.frame.compact import Opinions
    from survey.models.places import LocalityName
    from survey.questionnaire import load_questionnaire
    from survey.reports import render
    from survey.reports.build import build_report
    from survey.reports.charts import render_all

    frame = make_frame(count, 102, seed=1)
    started = time.perf_counter()
    questionnaire = load_questionnaire(ROOT / "questionnaires" / "sipas-2026.yaml")
    report = build_report(frame, None, questionnaire.index, wave="DEMO-2026Q4", is_demo=True,
                          localities=[LocalityName(*row) for row in localities(102)],
                          opinions=Opinions.of(questionnaire))
    built = time.perf_counter()
    report.charts = render_all(report)
    drawn = time.perf_counter()
    document = report.as_dict()
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "bench", "STARTUP_CHECK": False})
    with app.app_context():
        (out / "report.html").write_text(render.to_html(document, report.charts), encoding="utf-8")
    (out / "report.xlsx").write_bytes(render.to_xlsx(document, report.charts))
    (out / "report.json").write_text(render.to_json(document), encoding="utf-8")
    done = time.perf_counter()
    print(f"build {built - started:.1f} s, charts {drawn - built:.1f} s, files {done - drawn:.1f} s "
          f"(frame made before timing)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("frame", "db", "child"))
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--url", help="database URL for db mode (SURVEY_DATABASE_URL)")
    parser.add_argument("--fill", action="store_true", help="fill demo wave DEMO-2026Q4 first")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--no-peer", action="store_true", help="db mode: skip the R peer")
    args = parser.parse_args()
    if args.mode == "child":
        frame_child(args.count, args.out)
        return
    out = Path(tempfile.mkdtemp(prefix="report-bench-"))
    if args.mode == "frame":
        wall, peak, text = _timed([PYTHON, __file__, "child", "--count", str(args.count), "--out", str(out)])
        print(f"frame mode, {args.count:,} responses: {wall:.1f} s wall, {CPU['last']:.1f} s CPU "
              f"(whole process), peak RSS {peak:.0f} MiB; {text.strip()}")
        return
    no_peer = args.no_peer
    env = {**os.environ, "SURVEY_DATABASE_URL": args.url, "SECRET_KEY": os.environ.get("SECRET_KEY", "bench")}
    if args.fill:
        for command in (["db", "upgrade"], ["seed"],
                        ["demo", "responses", "--wave", "DEMO-2026Q4", "--count", str(args.count), "--with-counts"]):
            wall, _, text = _timed(FLASK + command, env)
            print(f"{' '.join(command[:2])}: {wall:.1f} s  {text.strip().splitlines()[-1]}")
    print(f"load average before: {_load()}")
    wall, peak, text = _timed(FLASK + ["report", "quarterly", "--wave", "DEMO-2026Q4", "--out", str(out)], env)
    cpu = CPU["last"]
    print(f"flask report quarterly: {wall:.1f} s wall, {cpu:.1f} s CPU, peak RSS {peak:.0f} MiB")
    print("\n".join(line for line in text.splitlines() if line.startswith("[") or "SIPAS" in line))
    print(f"load average: {_load()}")
    load_wall, load_peak, load_text = _timed([PYTHON, "-c", LOAD_ONLY], env)
    print(f"loading alone (whole child, imports included): {load_wall:.1f} s wall, {CPU['last']:.1f} s CPU, "
          f"peak RSS {load_peak:.0f} MiB; {load_text.strip()}")
    print(f"load average: {_load()}")
    if no_peer:
        return
    export = out / "frame.csv"
    code = ("from survey import create_app\nfrom survey.extensions import db\nfrom sqlalchemy import select\n"
            "from survey.models import Wave\nfrom survey.frame.load import analysis_frame\nimport sys\n"
            "app = create_app()\nwith app.app_context():\n"
            "    w = db.session.scalar(select(Wave).where(Wave.code == 'DEMO-2026Q4'))\n"
            "    f, _ = analysis_frame(db.session, w)\n"
            "    f.drop(columns=['quality_flags']).to_csv(sys.argv[1], index=False)\n")
    subprocess.run([PYTHON, "-c", code, str(export)], env=env, cwd=ROOT, check=True)
    script = out / "peer.R"
    script.write_text(R_PEER)
    r_wall, _, _ = _timed(["Rscript", str(script), str(export)])
    r_cpu = CPU["last"]
    print(f"peer Rscript svyglm (drivers model only, on the exported frame): {r_wall:.1f} s wall, "
          f"{r_cpu:.1f} s CPU; whole report ÷ R's one model = {wall / r_wall:.2f} (wall), "
          f"{cpu / r_cpu:.2f} (CPU)")
    print(f"load average after: {_load()}")


if __name__ == "__main__":
    main()
