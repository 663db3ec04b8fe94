"""Page posts per second of the real app against a bare Flask app, same gunicorn, same client.

Both run under gunicorn.conf.py on loopback and are driven by wrk (C, not the bottleneck) with
bench/page_post.lua: the real app receives the same valid page-one post ("next", with its
state, CSRF token and session cookie) over and over, each a full page post (CSRF check,
validation, draft upsert, template); the bare app receives one POST inserting a row with
sqlite3. Reported: requests/s of each, the ratio, and wrk's latency percentiles; and the
workers' CPU milliseconds per request of each (from /proc), whose ratio is steadier than the
rates' when other processes share the machine.

The two servers take turns under load for `--rounds` rounds; the figures are the median
round's, with every round's ratio listed.

Usage: .venv/bin/python bench/ceiling.py [--seconds 10] [--rounds 3] [--connections 50] [--port 8120]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import form_of, prepare_database, start_gunicorn, stop, worker_pids  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def _cpu_fields(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def workers_cpu(server: subprocess.Popen) -> tuple[float, float]:
    """CPU seconds (user, system) used so far by the server's workers, live ones and those
    gunicorn has already replaced (`max_requests`), whose time the master reaped."""
    master = _cpu_fields(server.pid)
    user, system = int(master[13]), int(master[14])  # cutime, cstime: reaped workers
    for pid in worker_pids(server):
        fields = _cpu_fields(pid)
        user, system = user + int(fields[11]), system + int(fields[12])  # utime, stime
    return user / TICK, system / TICK


def timed(server: subprocess.Popen, url: str, seconds: float, connections: int, body: str, cookie: str = "") -> dict:
    """wrk against `url`, with the server's CPU milliseconds per request over the same run
    (and the part of them spent in the kernel: sockets, fsync)."""
    user_before, system_before = workers_cpu(server)
    found = wrk(url, seconds, connections, body, cookie)
    requests = found["requests_per_s"] * int(seconds)
    user, system = workers_cpu(server)
    found["server_cpu_ms_per_request"] = round(1000 * (user + system - user_before - system_before) / requests, 2)
    found["server_system_cpu_ms_per_request"] = round(1000 * (system - system_before) / requests, 2)
    return found


def wrk(url: str, seconds: float, connections: int, body: str, cookie: str = "") -> dict:
    env = {**os.environ, "WRK_BODY": body, "WRK_COOKIE": cookie}
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{int(seconds)}s", "--timeout", "10s", "--latency", "-s",
         str(ROOT / "bench" / "page_post.lua"), url],
        capture_output=True, text=True, env=env, check=True,
    ).stdout
    found = {"requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}
    for pct in ("50", "90", "99"):
        match = re.search(rf"\s{pct}%\s+([\d.]+)(us|ms|s)", out)
        if match:
            value, unit = float(match.group(1)), match.group(2)
            found[f"p{pct}_ms"] = value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    found["non_2xx_3xx"] = int(errors.group(1)) if errors else 0
    socket_errors = re.search(r"Socket errors: (.*)", out)
    found["socket_errors"] = socket_errors.group(1) if socket_errors else ""
    return found


def opened_page(base: str, centre: str) -> tuple[str, str]:
    """The urlencoded body of page one's "next" post and the session cookie it needs."""
    from survey.questionnaire import load_questionnaire

    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(f"{base}/q/{centre}").read().decode()
    items = load_questionnaire(ROOT / "questionnaires" / "sipas-2026.yaml").items_by_code
    body = urllib.parse.urlencode(form_of(html, items))
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    check = opener.open(urllib.request.Request(f"{base}/s", data=body.encode()))
    assert check.status == 200 and 'name="state"' in check.read().decode(), "page one's post should show page two"
    return body, cookie


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10, help="length of each timed window")
    parser.add_argument("--rounds", type=int, default=3,
                        help="alternating app/bare windows; the ratio reported is the median round's")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--port", type=int, default=8120)
    parser.add_argument("--database", help="PostgreSQL URL for the real app; default SQLite")
    parser.add_argument("--ratelimit-storage", default="memory://",
                        help="the real app's rate-limit store, e.g. redis://127.0.0.1:6379/14 (default memory://)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="survey-ceiling-"))
    database = args.database or f"sqlite:///{tmp}/app.db"
    centre = prepare_database(database)
    # Both servers stay up and take turns under load, so a slow spell of a shared machine
    # falls on both alike rather than on whichever ran during it.
    server = start_gunicorn(database, args.port, extra={"SURVEY_RATELIMIT_STORAGE": args.ratelimit_storage})
    bare = start_gunicorn(database, args.port + 1, app="bare_app:app", cwd=ROOT / "bench",
                          extra={"BARE_DATABASE": str(tmp / "bare.db")})
    rounds = []
    try:
        base = f"http://127.0.0.1:{args.port}"
        body, cookie = opened_page(base, centre)
        for _ in range(args.rounds):
            app_run = timed(server, f"{base}/s", args.seconds, args.connections, body, cookie)
            bare_run = timed(bare, f"http://127.0.0.1:{args.port + 1}/p", args.seconds, args.connections, "v=1")
            rounds.append({
                "app_page_post": app_run, "bare_post": bare_run,
                "ratio_app_to_bare": round(app_run["requests_per_s"] / bare_run["requests_per_s"], 3),
                # Less sensitive to other load on the machine than the rates: server CPU per request.
                "cpu_ratio_bare_to_app": round(bare_run["server_cpu_ms_per_request"]
                                               / app_run["server_cpu_ms_per_request"], 3),
            })
    finally:
        stop(server)
        stop(bare)
    results = dict(sorted(rounds, key=lambda r: r["ratio_app_to_bare"])[len(rounds) // 2])  # the median round
    results["ratios_of_rounds"] = [r["ratio_app_to_bare"] for r in rounds]
    results["cpu_ratios_of_rounds"] = [r["cpu_ratio_bare_to_app"] for r in rounds]
    results["gunicorn_overrides"] = {name: os.environ[name] for name in ("SURVEY_WORKERS", "SURVEY_THREADS")
                                     if name in os.environ}  # else gunicorn.conf.py's defaults
    results["database"] = database.split(":")[0]
    results["ratelimit_storage"] = args.ratelimit_storage
    results["load_average"] = os.getloadavg()
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
