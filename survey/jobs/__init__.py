"""The background job queue: work that takes seconds (a report build) leaves the request for
a consumer process, `python -m survey.jobs`.

The queue is huey's (https://huey.readthedocs.io): one small, dependency-free package whose
queue lives in a SQLite file (`make run`: ``<instance>/jobs.db``, nothing to install) or in
Redis (production: ``SURVEY_JOBS_URL=redis://…``, the server the rate limits already use), with
a consumer that stops gracefully on SIGTERM. RQ needs Redis even on a laptop, and Celery is far
more than one queue needs.

A feature registers its job once, at import (`register("report_build", run_build)`). An app's
queue is made on first use from its configuration (nothing reads configuration at import), and
each job runs inside that app's context. Under ``TESTING`` with no ``JOBS_URL`` the queue is an
in-process memory queue that nothing consumes until the test says so, so a test never sends
work to the developer's ``instance/jobs.db``; ``immediate://`` runs a job inside the call that
queues it (huey's immediate mode), for the tests that need a job done. The consumer is
`python -m survey.jobs` (`survey/jobs/__main__.py`).

The consumer runs one job at a time, and only on CPU time nothing else wants (Linux's
SCHED_IDLE policy; nice 10 where that is refused): on a 2-core server a build takes what the web
workers leave and gives way to every citizen's page post (docs/benchmarks.md, "Report builds
off the request").

One job at a time means a long job must not hold the queue: a job someone waits for on a page
(a report build) is registered at `ON_SCREEN` priority, which huey's storage takes before any
job queued at the default 0, whenever it was queued; and a long job (the leaders' send) works
in slices of seconds, each queueing the next (`JobQueue.enqueue` with ``delay``: huey's
schedule, which the consumer's scheduler moves into the queue when due). SQLite and memory
storage keep priorities; Redis keeps them in a sorted set (huey's PriorityRedisHuey, Redis 5 or
later), where plain RedisHuey's list refuses any priority. A list left by a consumer from
before priorities is moved into the sorted set when the consumer starts (`adopt_list_queue`).
"""

from __future__ import annotations

import functools
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from flask import Flask, current_app

if TYPE_CHECKING:  # huey (and the redis client it loads) with the first queue, not with every command
    from huey import Huey

EXTENSION = "survey.jobs"
QUEUE_NAME = "survey"
NICENESS = 10  # where SCHED_IDLE is refused
# The SQLite queue is polled: at most this long between a click and the job's start.
POLL_SECONDS = 1.0
# Priorities, higher first: a job someone waits for on a page goes before background work.
BACKGROUND = 0
ON_SCREEN = 10

_JOBS: dict[str, tuple[Callable[..., Any], int]] = {}
_creating = threading.Lock()


@dataclass(frozen=True)
class JobQueue:
    """An app's huey and its registered jobs, each wrapped to run in the app's context."""

    huey: Huey
    tasks: dict[str, Any]

    def enqueue(self, name: str, *args: Any, delay: float = 0.0) -> None:
        """Queue job `name` with `args`, to start no sooner than `delay` seconds from now (in
        immediate mode: run it now, after sleeping the delay, as no scheduler would move it)."""
        task = self.tasks[name]
        if delay <= 0:
            task(*args)
        elif self.huey.immediate:
            time.sleep(delay)
            task(*args)
        else:
            task.schedule(args, delay=delay)


def register(name: str, func: Callable[..., Any], priority: int = BACKGROUND) -> None:
    """Declare a job; every app's queue runs it under this name, before any queued job of a
    lower `priority`."""
    _JOBS[name] = (func, priority)


def registered() -> list[str]:
    """The names of the registered jobs."""
    return sorted(_JOBS)


def queue(app: Flask | None = None) -> JobQueue:
    """The app's job queue, made on first use from its ``JOBS_URL``."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    made = app.extensions.get(EXTENSION)
    if made is None:
        with _creating:
            made = app.extensions.get(EXTENSION)
            if made is None:
                made = app.extensions[EXTENSION] = _make_queue(app)
    return made


def queue_url(app: Flask) -> str:
    """Where the app's queue lives: ``JOBS_URL``, else a SQLite file in the instance folder
    (an in-process memory queue under ``TESTING``)."""
    url = app.config.get("JOBS_URL") or ""
    if url:
        return url
    return "memory://" if app.testing else "sqlite:///" + str(Path(app.instance_path) / "jobs.db")


def _make_queue(app: Flask) -> JobQueue:
    from huey import MemoryHuey, PriorityRedisHuey, SqliteHuey

    url = queue_url(app)
    options: dict[str, Any] = {"results": False}  # a job keeps its own outcome (e.g. build.json)
    if url == "immediate://":
        huey: Huey = MemoryHuey(QUEUE_NAME, immediate=True, **options)
    elif url == "memory://":
        huey = MemoryHuey(QUEUE_NAME, **options)
    elif url.startswith("sqlite:///"):
        huey = SqliteHuey(QUEUE_NAME, filename=url.removeprefix("sqlite:///"), **options)
    else:
        huey = PriorityRedisHuey(QUEUE_NAME, url=url, **options)
    tasks = {name: huey.task(name=name, priority=priority or None)(_in_context(app, func))
             for name, (func, priority) in _JOBS.items()}
    return JobQueue(huey, tasks)


def adopt_list_queue(huey: Huey) -> int:
    """Move jobs left in a Redis list by a consumer from before priorities (RedisHuey kept its
    queue in a list at the key where PriorityRedisHuey keeps a sorted set, and Redis refuses
    the one where the other is) into the sorted set, oldest first: an upgrade loses no queued
    build or send. Returns how many were moved; 0 for any other storage."""
    storage = huey.storage
    conn = getattr(storage, "conn", None)
    if conn is None or not hasattr(storage, "queue_key") or conn.type(storage.queue_key) != b"list":
        return 0
    with conn.pipeline() as pipe:  # MULTI: no LPUSH falls between the read and the delete
        pipe.lrange(storage.queue_key, 0, -1)
        pipe.delete(storage.queue_key)
        left, _ = pipe.execute()
    for data in reversed(left):  # LPUSH put the oldest last
        storage.enqueue(data, _priority_of(huey, data))
    return len(left)


def _priority_of(huey: Huey, data: bytes) -> int | None:
    """The priority its job has now (a build's `ON_SCREEN`); None for a job no longer registered."""
    try:
        return huey.deserialize_task(data).priority
    except Exception:  # an unknown job: queued as it was; the consumer logs it when it comes
        return None


def _in_context(app: Flask, func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def run(*args: Any) -> Any:
        with app.app_context():
            return func(*args)

    return run
