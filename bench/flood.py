"""Issue 23's flood replayed from several source addresses, then a genuine citizen at that desk.

Seeds a fresh database (SQLite file, or the PostgreSQL database given), starts a private
redis-server as the rate-limit store (as production would: several gunicorn workers share it)
and the app under gunicorn with `gunicorn.conf.py` and the default limits, then:

1. **replay**: each attacker address (127.0.0.2, 127.0.0.3, … bound as the client sockets'
   source: every 127.0.0.0/8 address is loopback on Linux) opens `/q/<centre>` once for a form
   state and posts it with `action=next` over and over, a new `sv_device` cookie and a made-up
   `X-Forwarded-For` each time (ignored: `SURVEY_PROXY_COUNT` is 0, so the app takes the
   socket's address), `--posts` in all, as in the issue (3,000 from 4 addresses);
2. **mint**: each attacker address then opens `/q/<centre>` `--mints` times for fresh states and
   posts each one `--posts-per-state` times: the script that gets a new state per post;
3. **citizen**: a citizen on an address the flood did not use opens the desk and sends a whole
   questionnaire after the replay, another one while the mint phase is under way, a third after
   it; a citizen on an attacker's address (sharing its carrier's address) tries too.

`--tree DIR` runs the app from another source tree (e.g. `git archive <commit> | tar -x -C
DIR`) with this machine's venv: the figures before a change. Prints one JSON report.

Usage:
  .venv/bin/python bench/flood.py --port 8140
  .venv/bin/python bench/flood.py --database postgresql+psycopg://postgres@127.0.0.1:5432/flood_b
  .venv/bin/python bench/flood.py --tree /tmp/flood-before --port 8141
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import secrets
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import (  # noqa: E402 (the project root must be importable first)
    STATE,
    VENV_BIN,
    _items,
    _query,
    form_of,
    prepare_database,
    stop,
    wait_for_port,
)

CITIZEN_ADDRESS = "127.0.0.100"


def attacker_addresses(count: int) -> list[str]:
    return [f"127.0.0.{2 + number}" for number in range(count)]


def start_server(database: str, port: int, redis_port: int, tree: Path) -> subprocess.Popen:
    """The app under the project's gunicorn configuration, default limits, Redis counters."""
    env = {**os.environ, "SURVEY_DATABASE_URL": database, "SURVEY_SECRET_KEY": "bench-only-secret",
           "SURVEY_BIND": f"127.0.0.1:{port}", "SURVEY_ACCESS_LOG": "",
           "SURVEY_RATELIMIT_STORAGE": f"redis://127.0.0.1:{redis_port}/0"}
    for name in [name for name in env if name.startswith(("SURVEY_RATE_LIMIT_", "SURVEY_ALERT_"))]:
        del env[name]  # the defaults, as shipped
    log = open(Path(tempfile.gettempdir()) / f"gunicorn-flood-{port}.log", "w")
    server = subprocess.Popen([str(VENV_BIN / "gunicorn"), "-c", str(tree / "gunicorn.conf.py"), "wsgi:app"],
                              cwd=tree, env=env, stdout=subprocess.DEVNULL, stderr=log)
    wait_for_port(port)
    return server


def session_from(address: str, concurrency: int = 8, browser: bool = False):
    """An HTTP client whose sockets leave from `address`; a script keeps no cookies, a browser does."""
    import aiohttp

    connector = aiohttp.TCPConnector(local_addr=(address, 0), limit=concurrency)
    jar = aiohttp.CookieJar(unsafe=True) if browser else aiohttp.DummyCookieJar()
    return aiohttp.ClientSession(connector=connector, cookie_jar=jar)


def _stranger_headers() -> dict[str, str]:
    made_up = f"198.51.100.{secrets.randbelow(250) + 1}"
    return {"Cookie": f"sv_device={secrets.token_urlsafe(16)}", "X-Forwarded-For": made_up}


async def _open(session, base: str, centre: str, tally: Counter) -> str | None:
    async with session.get(f"{base}/q/{centre}", headers=_stranger_headers()) as response:
        tally[f"GET {response.status}"] += 1
        html = await response.text()
    found = STATE.search(html)
    return found.group(1) if found else None


async def _post(session, base: str, state: str, tally: Counter, retry_after: list[int]) -> None:
    data = {"state": state, "action": "next"}
    async with session.post(f"{base}/s", data=data, headers=_stranger_headers(), allow_redirects=False) as response:
        tally[f"POST {response.status}"] += 1
        if response.status == 429:
            retry_after.append(int(response.headers.get("Retry-After", "0")))
        await response.read()


async def replay(base: str, centre: str, addresses: list[str], posts: int, concurrency: int) -> dict:
    """Issue 23's attack: one state per address, posted `posts` times in all, a new device each time."""
    tally, retry_after = Counter(), []

    async def one_address(address: str, count: int) -> None:
        async with session_from(address, concurrency) as session:
            state = await _open(session, base, centre, tally)
            if state is None:
                return
            queue = iter(range(count))

            async def worker() -> None:
                for _ in queue:
                    await _post(session, base, state, tally, retry_after)

            await asyncio.gather(*(worker() for _ in range(concurrency)))

    started = time.perf_counter()
    share, rest = divmod(posts, len(addresses))
    await asyncio.gather(*(one_address(a, share + (n < rest)) for n, a in enumerate(addresses)))
    return {"seconds": round(time.perf_counter() - started, 1), "statuses": dict(sorted(tally.items())),
            "retry_after_max": max(retry_after, default=None)}


async def mint(base: str, centre: str, addresses: list[str], mints: int, posts_per_state: int,
               concurrency: int) -> dict:
    """A new state for every few posts: what the per-address limits bound."""
    tally, retry_after = Counter(), []

    async def one_address(address: str) -> None:
        async with session_from(address, concurrency) as session:
            queue = iter(range(mints))

            async def worker() -> None:
                for _ in queue:
                    state = await _open(session, base, centre, tally)
                    for _ in range(posts_per_state if state else 0):
                        await _post(session, base, state, tally, retry_after)

            await asyncio.gather(*(worker() for _ in range(concurrency)))

    started = time.perf_counter()
    await asyncio.gather(*(one_address(a) for a in addresses))
    return {"seconds": round(time.perf_counter() - started, 1), "statuses": dict(sorted(tally.items())),
            "retry_after_max": max(retry_after, default=None)}


async def citizen(base: str, centre: str, address: str) -> dict:
    """One person at the desk: open the questionnaire, answer every page, send it."""
    items = _items()
    statuses: list[int] = []
    started = time.perf_counter()
    async with session_from(address, 1, browser=True) as session:
        async with session.get(f"{base}/q/{centre}") as response:
            statuses.append(response.status)
            html = await response.text()
            retry_after = response.headers.get("Retry-After")
        while 'name="state"' in html and len(statuses) < 30:
            async with session.post(f"{base}/s", data=form_of(html, items), allow_redirects=False) as response:
                statuses.append(response.status)
                html = await response.text()
                retry_after = response.headers.get("Retry-After", retry_after)
                if response.status == 303:
                    break
    return {"address": address, "statuses": statuses, "sent": statuses[-1] == 303,
            "retry_after": retry_after, "seconds": round(time.perf_counter() - started, 2)}


async def run(base: str, centre: str, args: argparse.Namespace) -> dict:
    addresses = attacker_addresses(args.addresses)
    report = {"replay": await replay(base, centre, addresses, args.posts, args.concurrency)}
    report["citizen_after_replay"] = await citizen(base, centre, CITIZEN_ADDRESS)
    if args.mints:
        async def citizen_meanwhile() -> dict:
            await asyncio.sleep(2)  # the flood under way
            return await citizen(base, centre, "127.0.0.102")

        report["mint"], report["citizen_during_mint"] = await asyncio.gather(
            mint(base, centre, addresses, args.mints, args.posts_per_state, args.concurrency), citizen_meanwhile())
    report["citizen_elsewhere"] = await citizen(base, centre, "127.0.0.101")
    report["citizen_on_an_attackers_address"] = await citizen(base, centre, addresses[0])
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--addresses", type=int, default=4, help="attacker source addresses (default 4)")
    parser.add_argument("--posts", type=int, default=3000, help="replayed posts in all (default 3000)")
    parser.add_argument("--mints", type=int, default=400, help="states opened per address (default 400; 0: skip)")
    parser.add_argument("--posts-per-state", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight per address")
    parser.add_argument("--port", type=int, default=8140)
    parser.add_argument("--database", help="PostgreSQL URL (emptied first); default a fresh SQLite file")
    parser.add_argument("--tree", type=Path, default=ROOT, help="source tree to run the app from")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="survey-flood-"))
    database = args.database or f"sqlite:///{tmp}/flood.db"
    centre = prepare_database(database)
    redis_port = args.port + 50
    redis = subprocess.Popen(["redis-server", "--port", str(redis_port), "--save", "", "--appendonly", "no"],
                             stdout=subprocess.DEVNULL)
    wait_for_port(redis_port)
    server = start_server(database, args.port, redis_port, args.tree.resolve())
    try:
        report = asyncio.run(run(f"http://127.0.0.1:{args.port}", centre, args))
    finally:
        stop(server)
        redis.kill()
    stored = _query(database, "SELECT count(*) FROM response")[0][0]
    drafts = _query(database, "SELECT count(*) FROM response_draft")[0][0]
    report.update({
        "database": database.split(":")[0].split("+")[0], "tree": str(args.tree), "centre": centre,
        "attackers": attacker_addresses(args.addresses), "responses_stored": stored, "drafts_left": drafts,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "load_average": [round(x, 1) for x in os.getloadavg()],
    })
    print(json.dumps(report, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
