"""Whole-process benchmark of issue 10: `python -m analysis index` beside R's `svyby`, same file.

A user runs the command, not the core, so each side is timed as a process
from start to exit (interpreter start, imports, CSV parse, design, estimates,
output), with the child's peak RSS from ``wait4``:

- ours: ``python -m analysis index sipas_1m.csv --tree tree.json --weight weight
  --strata locality --cluster psu --by locality --format json`` (20 item shares,
  4 elements and the index, overall and for each of 102 localities);
- R: ``Rscript`` reading the same CSV with ``read.csv``, ``svydesign(id=~psu,
  strata=~locality, weights=~weight, nest=TRUE)`` and, for each item, ``svyby``
  of the share satisfied by locality over the responses that answered it (the
  SIPAS definition), writing a CSV: less work than ours (no elements, index or
  overall row).

The 2,040 locality × item shares of both are compared. Ours is also timed on the same rows
as a Parquet file (as ``flask export responses --format parquet`` types them: answers int32,
weight float64, codes text), which the command reads instead of the CSV when given one.

    .venv/bin/python bench/analysis_cli_bench.py            # ours and R (needs Rscript with survey)
    .venv/bin/python bench/analysis_cli_bench.py --no-r     # ours only
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

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
DATA = OUT / "sipas_1m.csv"
PARQUET = OUT / "sipas_1m.parquet"
N_ITEMS = 20

R_SCRIPT = r"""
suppressMessages(library(survey))
args <- commandArgs(TRUE)
d <- read.csv(args[1], stringsAsFactors = FALSE)
des <- svydesign(id = ~psu, strata = ~locality, weights = ~weight, data = d, nest = TRUE)
out <- list()
for (k in 1:20) {
  q <- paste0("q", k)
  sub <- subset(des, d[[q]] > 0)
  b <- svyby(as.formula(paste0("~I(", q, ">=4)")), ~locality, sub, svymean)
  out[[q]] <- data.frame(item = q, locality = b$locality, estimate = b[[3]], se = b[[5]])
}
write.csv(do.call(rbind, out), args[2], row.names = FALSE)
"""


def tree() -> dict:
    """The benchmark's index tree as `flask export index-tree` writes one: 4 elements of 5 items."""
    elements = [{"code": f"E{e + 1}", "label": {"vi": f"Yếu tố {e + 1}"}, "aggregate": "mean",
                 "children": [f"q{i + 1}" for i in range(5 * e, 5 * e + 5)], "weights": None}
                for e in range(4)]
    root = {"code": "index", "label": {"vi": "Chỉ số"}, "aggregate": "mean",
            "children": [e["code"] for e in elements], "weights": None}
    return {"questionnaire": "bench", "version": 1, "item_score": "share_satisfied",
            "root": "index", "nodes": [root, *elements]}


def timed(command: list[str], stdout) -> dict:
    """Wall time and peak RSS of one child process run to completion."""
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, stdout=stdout, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    stderr = child.stderr.read().decode()
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{command[0]} failed ({child.returncode}): {stderr}")
    return {"wall_s": round(wall, 3), "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
            "cpu_s": round(usage.ru_utime + usage.ru_stime, 3)}


def ensure_data() -> None:
    if not DATA.exists():  # the same generator as bench/analysis_bench.py
        code = (f"import sys; sys.path.insert(0, {str(ROOT)!r}); from pathlib import Path; "
                f"from bench.analysis_bench import generate; generate(Path({str(DATA)!r}))")
        subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def ensure_parquet() -> None:
    """The benchmark's rows as Parquet, typed as the export types them."""
    if not PARQUET.exists():
        types = {"locality": pa.string(), "psu": pa.string(), "weight": pa.float64(),
                 **{f"q{i + 1}": pa.int32() for i in range(N_ITEMS)}}
        table = pcsv.read_csv(DATA, convert_options=pcsv.ConvertOptions(column_types=types))
        pq.write_table(table, PARQUET, compression="zstd")


def median_run(command: list[str], out: Path, runs: int) -> tuple[dict, list[float]]:
    """The median of ``runs`` timed runs (by wall time) and every run's wall time."""
    results = []
    for _ in range(runs):
        with out.open("w") as handle:
            results.append(timed(command, handle))
    results.sort(key=lambda r: r["wall_s"])
    return results[len(results) // 2], [r["wall_s"] for r in results]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-r", action="store_true", help="time only python -m analysis")
    parser.add_argument("--runs", type=int, default=3, help="runs of ours (the median is reported)")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    ensure_data()
    ensure_parquet()
    tree_path = OUT / "bench_tree.json"
    tree_path.write_text(json.dumps(tree(), ensure_ascii=False), encoding="utf-8")
    ours_json = OUT / "cli_index.json"
    command = [sys.executable, "-m", "analysis", "index", str(DATA), "--tree", str(tree_path),
               "--weight", "weight", "--strata", "locality", "--cluster", "psu", "--by", "locality",
               "--format", "json"]
    load_before = os.getloadavg()
    ours, ours_runs = median_run(command, ours_json, args.runs)
    parquet_command = [*command[:4], str(PARQUET), *command[5:]]
    parquet_json = OUT / "cli_index_parquet.json"
    parquet, parquet_runs = median_run(parquet_command, parquet_json, args.runs)

    report = {"command": " ".join(["python", *command[1:]]).replace(str(ROOT) + "/", ""),
              "ours": ours, "ours_all_runs_s": ours_runs,
              "ours_parquet": parquet, "ours_parquet_all_runs_s": parquet_runs,
              "parquet_output_identical": parquet_json.read_text() == ours_json.read_text(),
              "machine": f"{platform.machine()}, {len(os.sched_getaffinity(0))} cores, "
                         f"Python {platform.python_version()}, numpy {np.__version__}, "
                         f"pandas {pd.__version__}, pyarrow {pa.__version__}",
              "load_average_before": [round(x, 1) for x in load_before]}
    if not args.no_r:
        script, table = OUT / "analysis_cli_bench.R", OUT / "r_cli_shares.csv"
        script.write_text(R_SCRIPT)
        report["r"] = timed(["Rscript", str(script), str(DATA), str(table)], subprocess.DEVNULL)
        report["r_version"] = subprocess.run(
            ["Rscript", "-e", 'cat(R.version.string, "/ survey", format(packageVersion("survey")))'],
            capture_output=True, text=True).stdout.strip()
        report["load_average_after"] = [round(x, 1) for x in os.getloadavg()]
        report["ratio_r_over_ours"] = round(report["r"]["wall_s"] / report["ours"]["wall_s"], 1)
        report["ratio_r_over_ours_cpu"] = round(report["r"]["cpu_s"] / report["ours"]["cpu_s"], 1)
        print(json.dumps(report, ensure_ascii=False), file=sys.stderr)  # kept if the comparison fails
        records = json.loads(ours_json.read_text())
        ours = {(r.get("variable") or r["node"], r["domain"]["locality"]): (r["estimate"], r["se"])
                for r in records if r["statistic"] == "share" and r["domain"]}
        r = pd.read_csv(table)
        pairs = np.array([ours[(row.item, row.locality)] for row in r.itertuples()])
        report["compared_shares"] = len(r)
        report["max_rel_diff_estimate"] = float(np.max(np.abs(pairs[:, 0] / r.estimate - 1)))
        report["max_rel_diff_se"] = float(np.max(np.abs(pairs[:, 1] / r.se - 1)))
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
