"""Report builds off the request (issue 23, finding 4): a citizen's page post while a build runs,
against the same with nothing running, and forty parallel clicks on the build button.

Migrates and seeds a fresh SQLite database (or the PostgreSQL one given), fills demo wave
DEMO-2026Q4 with --count responses, starts gunicorn with gunicorn.conf.py and the job consumer
(`python -m survey.jobs`, as systemd would) on a SQLite queue file and signs an analyst in.
Throughout, a citizen posts page one of the questionnaire every --gap seconds, each post timed
under the phase it started in:

  idle    nothing else runs; idle and build windows alternate --builds times, each idle window
          as long as the build before it, so the machine's background load falls on both;
  build   one click on "Lập lại báo cáo", until that build is done;
  attack  --clicks parallel clicks (issue 23: 40), until the build is done.

Reported: the citizen's page-post latencies per phase (p50/p95/p99/mean/max), the clicks' answer
times (each follows the 303 to the report page, as a browser does), the builds' own times and
how many builds the consumer ran (its "Executing" lines): one per build window and one for the
attack. The figures before (each click built inside its request) are issue 23's probe's.

Usage:
  flock /work/bench.lock .venv/bin/python bench/build_jobs.py --count 100000 --port 8130
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ceiling import opened_page  # noqa: E402
from bench.load import (  # noqa: E402
    ADMIN,
    VENV_BIN,
    bench_environment,
    percentiles,
    prepare_database,
    start_gunicorn,
    stop,
)

WAVE = "DEMO-2026Q4"
CSRF = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


class Citizen(threading.Thread):
    """Posts page one again and again, one post every `gap` seconds, timing each under the
    label of the phase it started in."""

    def __init__(self, base: str, centre: str, gap: float) -> None:
        super().__init__(daemon=True)
        self.body, self.cookie = opened_page(base, centre)
        self.url, self.gap = f"{base}/s", gap
        self.label = "idle"
        self.latencies: dict[str, list[float]] = {}
        self.failures: dict[str, int] = {}
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            label = self.label
            request = urllib.request.Request(self.url, data=self.body.encode(), headers={"Cookie": self.cookie})
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=120) as answer:
                    answer.read()
                    ok = answer.status == 200
            except OSError:
                ok = False
            self.latencies.setdefault(label, []).append(time.perf_counter() - started)
            self.failures[label] = self.failures.get(label, 0) + (not ok)
            self.stopping.wait(self.gap)

    def summary(self, label: str) -> dict:
        values = self.latencies.get(label, [])
        return {"posts": len(values), "failed": self.failures.get(label, 0), **percentiles(values),
                "mean_ms": round(statistics.fmean(values) * 1000, 1) if values else None,
                "max_ms": round(max(values) * 1000, 1) if values else None}


def analyst(base: str, env: dict) -> tuple[urllib.request.OpenerDirector, str]:
    """A signed-in analyst's browser and a CSRF token for the build form."""
    made = subprocess.run([str(VENV_BIN / "flask"), "--app", "wsgi", "users", "create", "bench-analyst",
                           "--role", "analyst"], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    password = re.search(r"Password: (\S+)", made.stdout).group(1)
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    token = CSRF.search(opener.open(f"{base}/auth/login").read().decode()).group(1)
    opener.open(f"{base}/auth/login", data=urllib.parse.urlencode(
        {"csrf_token": token, "username": "bench-analyst", "password": password}).encode()).read()
    page = opener.open(f"{base}/admin/reports/").read().decode()
    return opener, CSRF.search(page).group(1)


def click(opener, base: str, token: str) -> tuple[float, int]:
    started = time.perf_counter()
    try:
        answer = opener.open(f"{base}/admin/reports/{WAVE}/build",
                             data=urllib.parse.urlencode({"csrf_token": token}).encode(), timeout=600)
        answer.read()
        status = answer.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    return time.perf_counter() - started, status


def build_state(reports: Path) -> dict:
    path = reports / WAVE / "build.json"
    return json.loads(path.read_text()) if path.exists() else {}


def clicks_until_built(opener, base: str, token: str, clicks: int, reports: Path) -> tuple[list, float]:
    """`clicks` parallel clicks, then wait for the build: the clicks' answers and the build's seconds."""
    with ThreadPoolExecutor(max_workers=clicks) as pool:
        answers = list(pool.map(lambda _: click(opener, base, token), range(clicks)))
    while build_state(reports).get("status") in ("queued", "running"):
        time.sleep(0.2)
    state = build_state(reports)
    assert state["status"] == "done", state
    return answers, state["finished_at"] - state["started_at"]


def clicks_summary(answers: list[tuple[float, int]]) -> dict:
    times = sorted(a[0] for a in answers)
    return {"count": len(answers), "statuses": sorted({a[1] for a in answers}),
            "fastest_s": round(times[0], 2), "slowest_s": round(times[-1], 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", help="PostgreSQL URL (default: a fresh SQLite file)")
    parser.add_argument("--count", type=int, default=100_000, help="responses in the demo wave")
    parser.add_argument("--port", type=int, default=8130)
    parser.add_argument("--seconds", type=float, default=5,
                        help="the first idle window (each later one lasts as long as the build before it)")
    parser.add_argument("--gap", type=float, default=0.2, help="seconds between the citizen's posts")
    parser.add_argument("--clicks", type=int, default=40)
    parser.add_argument("--builds", type=int, default=5, help="builds one after the other in the build phase")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="build-jobs-"))
    database = args.database or f"sqlite:///{work / 'survey.db'}"
    reports = work / "reports"
    extra = {"SURVEY_JOBS_URL": f"sqlite:///{work / 'jobs.db'}", "SURVEY_REPORTS_DIR": str(reports)}
    env = bench_environment(database, args.port, extra)
    centre = prepare_database(database)
    assert ADMIN, "seed printed no admin password"
    filled = subprocess.run([str(VENV_BIN / "flask"), "--app", "wsgi", "demo", "responses", "--wave", WAVE,
                             "--count", str(args.count), "--with-counts"], cwd=ROOT, env=env,
                            capture_output=True, text=True, check=True)
    print(filled.stdout.strip().splitlines()[-1], flush=True)

    server = start_gunicorn(database, args.port, extra=extra)
    consumer_log = work / "consumer.log"
    consumer = subprocess.Popen([str(VENV_BIN / "python"), "-m", "survey.jobs"], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=open(consumer_log, "w"))
    base = f"http://127.0.0.1:{args.port}"
    try:
        opener, token = analyst(base, env)
        print(json.dumps({"machine": os.uname().nodename, "cpus": os.cpu_count(), "count": args.count,
                          "loadavg_before": Path("/proc/loadavg").read_text().split()[:3]}), flush=True)
        citizen = Citizen(base, centre, args.gap)
        citizen.start()
        executed = consumer_log.read_text().count("Executing")
        builds, answers = [], []
        for number in range(args.builds):  # idle and build windows alternate: background load falls on both
            citizen.label = f"idle {number}"
            time.sleep(builds[-1] if builds else args.seconds)
            citizen.label = f"build {number}"
            answer, seconds = clicks_until_built(opener, base, token, 1, reports)
            answers += answer
            builds.append(seconds)
        citizen.label = f"idle {args.builds}"
        time.sleep(builds[-1])
        citizen.label = "attack"
        attack, attack_seconds = clicks_until_built(opener, base, token, args.clicks, reports)
        citizen.label = "after"
        time.sleep(1)
        citizen.stopping.set()
        citizen.join()
        ran = consumer_log.read_text().count("Executing") - executed
        windows = citizen.latencies
        pooled = {kind: [v for label, values in windows.items() if label.startswith(kind) for v in values]
                  for kind in ("idle", "build")}
        for kind, values in pooled.items():
            citizen.latencies[kind] = values
            citizen.failures[kind] = sum(n for label, n in citizen.failures.items() if label.startswith(f"{kind} "))
        for label in ("idle", "build", "attack"):
            print(json.dumps({"citizen": label, **citizen.summary(label)}), flush=True)
        # Each build window against the idle windows on either side of it: the background load drifts.
        ratios = [statistics.median(windows[f"build {n}"])
                  / statistics.median(windows[f"idle {n}"] + windows[f"idle {n + 1}"]) for n in range(args.builds)]
        print(json.dumps({"p50_build_over_adjacent_idle": [round(r, 2) for r in ratios],
                          "median_ratio": round(statistics.median(ratios), 3)}), flush=True)
        print(json.dumps({"build_clicks": clicks_summary(answers), "build_seconds": [round(b, 1) for b in builds]}))
        print(json.dumps({"attack_clicks": clicks_summary(attack), "attack_build_seconds": round(attack_seconds, 1),
                          "builds_run_in_all": ran, "builds_expected": args.builds + 1}), flush=True)
        print(json.dumps({"loadavg_after": Path("/proc/loadavg").read_text().split()[:3]}), flush=True)
    finally:
        consumer.terminate()
        consumer.wait(60)
        stop(server)


if __name__ == "__main__":
    main()
