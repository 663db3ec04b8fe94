"""Load and fault harness: the real app under gunicorn, citizens completing the whole questionnaire.

Seeds a fresh database (SQLite file, or the PostgreSQL database given), starts gunicorn with
`gunicorn.conf.py` on loopback, and runs N virtual respondents with an asyncio (aiohttp)
client for D seconds. Each respondent has its own cookie jar, opens `/q/<centre>`, answers
every page with the CSRF token and the hidden state the page carries, and submits; then
starts again. A request that fails at the connection (a killed worker) is resent as is,
with the same submission id, as a phone would.

Reported: completed questionnaires per second; p50/p95/p99 of page posts and of the final
submit; status counts; and the check: submits acknowledged (303 to "Cảm ơn") = responses
stored, every stored response with its answers, no answer without its response.

Faults (--fault): kill-worker (kill -9 one gunicorn worker mid-run), sqlite-lock (another
process holds the SQLite write lock 3 s, three times), pg-terminate (pg_terminate_backend of
the app's connections, three times), redis-stop (the rate-limit store, a private
redis-server, is killed mid-run), slow-upload (an official uploads a 45,000-row counts file
over and over during the run; compare the citizens' latencies with a run without it).

Two modes. Closed loop (--respondents N): N respondents answer back to back, as fast as the
server lets them: the throughput ceiling, with latencies that are mostly queueing. Open loop
(--rate R): a new citizen arrives every 1/R s whatever the server's pace, reads each page for
--think seconds and posts it: the latency a citizen meets at a sustained demand.

Usage:
  .venv/bin/python bench/load.py --respondents 200 --seconds 60 --port 8110
  .venv/bin/python bench/load.py --rate 10 --seconds 60 --port 8110
  .venv/bin/python bench/load.py --database postgresql+psycopg://postgres@127.0.0.1:5432/load_h14 ...
  .venv/bin/python bench/load.py --fault kill-worker ...
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VENV_BIN = Path(sys.executable).parent

STATE = re.compile(r'name="state" type="hidden" value="([^"]*)"')
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]*)"')
ITEM = re.compile(r'id="q-([a-z0-9_]+)"')
FAST_LIMITS = "1000000 per hour"
RESENDS = 3


def bench_environment(database: str, port: int, extra: dict | None = None) -> dict:
    env = {
        **os.environ,
        "SURVEY_DATABASE_URL": database,
        "SURVEY_SECRET_KEY": "bench-only-secret",
        "SURVEY_BIND": f"127.0.0.1:{port}",
        "SURVEY_ACCESS_LOG": "",
        # One test machine is every citizen: lift the per-address and per-questionnaire limits.
        "SURVEY_RATE_LIMIT_QUESTIONNAIRE": FAST_LIMITS,
        "SURVEY_RATE_LIMIT_START": FAST_LIMITS,
        "SURVEY_RATE_LIMIT_ADDRESS": FAST_LIMITS,
    }
    env.update(extra or {})
    return env


ADMIN: dict[str, str] = {}


def prepare_database(database: str) -> str:
    """Migrate and seed `database` from empty; return a centre code to open (the admin's password in ADMIN)."""
    if database.startswith("postgresql"):
        from sqlalchemy import create_engine, text

        engine = create_engine(database)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    env = bench_environment(database, 0)
    for command in (["db", "upgrade"], ["seed"]):
        done = subprocess.run([str(VENV_BIN / "flask"), "--app", "wsgi", *command], cwd=ROOT, env=env,
                              check=True, capture_output=True, text=True)
        if found := re.search(r"Password: (\S+)", done.stdout):
            ADMIN["password"] = found.group(1)
    return _query(database, "SELECT code FROM service_centre ORDER BY code LIMIT 1")[0][0]


def _query(database: str, sql: str) -> list[tuple]:
    from sqlalchemy import create_engine, text

    engine = create_engine(database)
    with engine.connect() as connection:
        rows = [tuple(r) for r in connection.execute(text(sql))]
    engine.dispose()
    return rows


def start_gunicorn(database: str, port: int, app: str = "wsgi:app", cwd: Path = ROOT,
                   extra: dict | None = None) -> subprocess.Popen:
    server = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), app],
        cwd=cwd, env=bench_environment(database, port, extra),
        stdout=subprocess.DEVNULL, stderr=open(Path(tempfile.gettempdir()) / f"gunicorn-{port}.log", "w"),
    )
    wait_for_port(port)
    return server


def wait_for_port(port: int, seconds: float = 60) -> None:
    import socket

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"nothing listens on port {port}")


def stop(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(30)
    except subprocess.TimeoutExpired:
        server.kill()


def worker_pids(server: subprocess.Popen) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout
    return [int(pid) for pid in found.split()]


@dataclass
class Tally:
    page_posts: list[float] = field(default_factory=list)
    submits: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    acknowledged: int = 0
    resent: int = 0
    gave_up: int = 0
    arrived: int = 0  # open loop: citizens who started a questionnaire

    def count(self, status: int) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1


def answer(item) -> str | list[str] | None:
    if item.type == "likert":
        return "4"
    if item.type == "select_one":
        return item.choices.choices[0].value
    if item.type == "select_many":
        return [item.choices.choices[0].value]
    if item.type == "integer":
        return str(item.minimum or 1)
    return "Cán bộ nhiệt tình."


def form_of(html: str, items: dict) -> list[tuple[str, str]]:
    fields = [("state", STATE.search(html).group(1))]
    token = CSRF.search(html)
    if token:
        fields.append(("csrf_token", token.group(1)))
    fields.append(("action", "submit" if 'value="submit"' in html else "next"))
    for code in dict.fromkeys(ITEM.findall(html)):
        if code in items and (value := answer(items[code])) is not None:
            fields.extend((code, v) for v in (value if isinstance(value, list) else [value]))
    return fields


async def questionnaire(session, base: str, centre: str, items: dict, deadline: float, tally: Tally,
                        think: float = 0.0) -> bool:
    """Complete one questionnaire in `session` (its own cookie jar); False when the respondent gives up."""
    import aiohttp

    try:
        async with session.get(f"{base}/q/{centre}") as response:
            tally.count(response.status)
            html = await response.text()
    except aiohttp.ClientError:
        return True
    while 'name="state"' in html and time.monotonic() < deadline + 30:
        fields = form_of(html, items)
        final = ("action", "submit") in fields
        if think:
            await asyncio.sleep(think)  # reading the page and tapping the answers
        for _ in range(RESENDS + 1):
            started = time.perf_counter()
            try:
                async with session.post(f"{base}/s", data=fields, allow_redirects=False) as response:
                    html = await response.text()
                    status, location = response.status, response.headers.get("Location", "")
                break
            except (aiohttp.ClientError, asyncio.TimeoutError):
                tally.resent += 1  # a killed worker: resend the same page, same submission id
                await asyncio.sleep(0.5)
        else:
            tally.gave_up += 1
            return False
        elapsed = time.perf_counter() - started
        tally.count(status)
        tally.page_posts.append(elapsed)
        if status == 303 and "/cam-on" in location:
            tally.submits.append(elapsed)
            tally.acknowledged += 1
            return True
        if final and status == 200 and 'value="submit"' in html:
            continue  # re-shown (busy, expired token): press the button again
        if status >= 500 or status == 429:
            await asyncio.sleep(1)
            if 'name="state"' not in html:
                return True
    return True


async def respondent(base: str, centre: str, items: dict, deadline: float, tally: Tally) -> None:
    """Closed loop: one respondent completing questionnaires back to back until the deadline."""
    import aiohttp

    while time.monotonic() < deadline:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
            if not await questionnaire(session, base, centre, items, deadline, tally):
                return


async def newcomer(base: str, centre: str, items: dict, deadline: float, tally: Tally, think: float) -> None:
    """Open loop: one citizen arriving, completing one questionnaire, and leaving."""
    import aiohttp

    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        await questionnaire(session, base, centre, items, deadline, tally, think)


def _items() -> dict:
    from survey.questionnaire import load_questionnaire

    return load_questionnaire(ROOT / "questionnaires" / "sipas-2026.yaml").items_by_code


async def run_load(base: str, centre: str, respondents: int, seconds: float) -> tuple[Tally, float]:
    items, tally = _items(), Tally()
    started = time.monotonic()
    deadline = started + seconds
    await asyncio.gather(*(respondent(base, centre, items, deadline, tally) for _ in range(respondents)))
    return tally, time.monotonic() - started


async def run_arrivals(base: str, centre: str, rate: float, seconds: float, think: float) -> tuple[Tally, float]:
    """Open loop: a new citizen starts a questionnaire every 1/`rate` s for `seconds`, whatever the
    server's pace, so a slow server meets the same demand (a closed loop would slow down with it)."""
    items, tally = _items(), Tally()
    started = time.monotonic()
    deadline = started + seconds
    citizens, arrived = [], 0
    while (now := time.monotonic()) < deadline:
        due = started + arrived / rate
        if due > now:
            await asyncio.sleep(due - now)
        citizens.append(asyncio.create_task(newcomer(base, centre, items, deadline, tally, think)))
        arrived += 1
    tally.arrived = arrived
    await asyncio.gather(*citizens)
    return tally, time.monotonic() - started


def percentiles(values: list[float]) -> dict[str, float]:
    if len(values) < 2:
        return {}
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {"p50_ms": round(cuts[49] * 1000, 1), "p95_ms": round(cuts[94] * 1000, 1),
            "p99_ms": round(cuts[98] * 1000, 1)}


def check_stored(database: str) -> dict[str, int]:
    (responses,), = _query(database, "SELECT count(*) FROM response")
    (empty,), = _query(database, "SELECT count(*) FROM response r WHERE NOT EXISTS "
                                 "(SELECT 1 FROM answer a WHERE a.response_id = r.id)")
    # citizens' answers only: a leader's answer row has no response_id (it has a leader_response_id)
    (orphans,), = _query(database, "SELECT count(*) FROM answer a WHERE a.leader_response_id IS NULL "
                                   "AND NOT EXISTS (SELECT 1 FROM response r WHERE r.id = a.response_id)")
    (drafts,), = _query(database, "SELECT count(*) FROM response_draft d WHERE EXISTS "
                                  "(SELECT 1 FROM response r WHERE r.id = d.submission_id)")
    return {"stored": responses, "responses_without_answers": empty, "answers_without_response": orphans,
            "drafts_of_stored_responses": drafts}


def inject(fault: str, server: subprocess.Popen, database: str, seconds: float, log: list[str]) -> threading.Thread:
    def kill_worker():
        time.sleep(seconds / 3)
        victim = worker_pids(server)[0]
        os.kill(victim, signal.SIGKILL)
        log.append(f"kill -9 worker {victim} at {seconds / 3:.0f} s")

    def sqlite_lock():
        path = database.removeprefix("sqlite:///")
        for round_ in range(3):
            time.sleep(seconds / 4)
            connection = sqlite3.connect(path, isolation_level=None, timeout=30)
            connection.execute("BEGIN IMMEDIATE")
            time.sleep(3)
            connection.execute("ROLLBACK")
            connection.close()
            log.append(f"write lock held 3 s (round {round_ + 1})")

    def pg_terminate():
        name = database.rsplit("/", 1)[1]
        for round_ in range(3):
            time.sleep(seconds / 4)
            rows = _query(database, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                    f"WHERE datname = '{name}' AND pid <> pg_backend_pid()")
            log.append(f"pg_terminate_backend: {rows[0][0]} connections (round {round_ + 1})")

    def slow_upload():
        # An official uploads a 45,000-row counts file again and again while citizens answer;
        # its rows name no known centre, so each upload is read and checked in full and refused.
        import requests

        base = f"http://127.0.0.1:{server_port[0]}"
        staff = requests.Session()
        login = staff.get(f"{base}/auth/login").text
        token = CSRF.search(login).group(1)
        staff.post(f"{base}/auth/login", data={"username": "admin", "password": ADMIN["password"],
                                               "csrf_token": token})
        rows = "".join(f"c{i},f{i % 15},2026Q3,{i}\n" for i in range(45_000))
        body = ("centre_code,field_code,quarter,dossiers_resolved\n" + rows).encode()
        deadline, uploads = time.monotonic() + seconds, []
        while time.monotonic() < deadline:
            page = staff.get(f"{base}/admin/counts").text
            token = CSRF.search(page).group(1)
            started = time.perf_counter()
            answer = staff.post(f"{base}/admin/counts", data={"csrf_token": token},
                                files={"file": ("counts.csv", body)})
            uploads.append((answer.status_code, round(time.perf_counter() - started, 1)))
        log.append(f"{len(uploads)} uploads of 45,000 rows (status, seconds): {uploads}")

    def redis_stop():
        time.sleep(seconds / 3)
        REDIS[0].kill()
        log.append(f"redis-server killed at {seconds / 3:.0f} s")

    thread = threading.Thread(target={"kill-worker": kill_worker, "sqlite-lock": sqlite_lock,
                                      "pg-terminate": pg_terminate, "redis-stop": redis_stop,
                                      "slow-upload": slow_upload}[fault])
    thread.start()
    return thread


REDIS: list[subprocess.Popen] = []
server_port: list[int] = []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=200)
    parser.add_argument("--rate", type=float,
                        help="open loop: new citizens starting per second (instead of --respondents in a closed loop)")
    parser.add_argument("--think", type=float, default=2.0,
                        help="open loop: seconds each citizen spends on a page before posting it (default 2)")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--port", type=int, default=8110)
    parser.add_argument("--database", help="PostgreSQL URL; default a fresh SQLite file")
    parser.add_argument("--ratelimit-storage", default="memory://",
                        help="the app's rate-limit store, e.g. redis://127.0.0.1:6379/14 (default memory://)")
    parser.add_argument("--fault", choices=["kill-worker", "sqlite-lock", "pg-terminate", "redis-stop", "slow-upload"])
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="survey-load-"))
    database = args.database or f"sqlite:///{tmp}/load.db"
    centre = prepare_database(database)
    extra = {"SURVEY_RATELIMIT_STORAGE": args.ratelimit_storage}
    if args.fault == "redis-stop":
        REDIS.append(subprocess.Popen(["redis-server", "--port", str(args.port + 50), "--save", "",
                                       "--appendonly", "no"], stdout=subprocess.DEVNULL))
        wait_for_port(args.port + 50)
        extra["SURVEY_RATELIMIT_STORAGE"] = f"redis://127.0.0.1:{args.port + 50}/0"
    server = start_gunicorn(database, args.port, extra=extra)
    server_port.append(args.port)
    log: list[str] = []
    try:
        injector = inject(args.fault, server, database, args.seconds, log) if args.fault else None
        base = f"http://127.0.0.1:{args.port}"
        if args.rate:
            tally, elapsed = asyncio.run(run_arrivals(base, centre, args.rate, args.seconds, args.think))
        else:
            tally, elapsed = asyncio.run(run_load(base, centre, args.respondents, args.seconds))
        if injector:
            injector.join()
    finally:
        stop(server)
        for redis in REDIS:
            redis.kill()
    stored = check_stored(database)
    report = {
        "database": database.split(":")[0].split("+")[0],
        "mode": f"open loop, {args.rate}/s arriving, {args.think} s per page" if args.rate
        else f"closed loop, {args.respondents} respondents",
        "seconds": round(elapsed, 1), "fault": args.fault, "fault_log": log,
        "arrived": tally.arrived or None,
        "completed": tally.acknowledged, "completed_per_s": round(tally.acknowledged / elapsed, 2),
        "page_posts": len(tally.page_posts), "page_posts_per_s": round(len(tally.page_posts) / elapsed, 1),
        "page_post": percentiles(tally.page_posts), "final_submit": percentiles(tally.submits),
        "statuses": dict(sorted(tally.statuses.items())), "resent_after_connection_error": tally.resent,
        "gave_up": tally.gave_up,
        "acknowledged": tally.acknowledged, **stored,
        "acknowledged_equals_stored": tally.acknowledged == stored["stored"],
        "server_errors": sum(n for s, n in tally.statuses.items() if s >= 500),
        "load_average": os.getloadavg(),
    }
    print(json.dumps(report, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
