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
"""

from __future__ import annotations

import functools
import threading
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

_JOBS: dict[str, Callable[..., Any]] = {}
_creating = threading.Lock()


@dataclass(frozen=True)
class JobQueue:
    """An app's huey and its registered jobs, each wrapped to run in the app's context."""

    huey: Huey
    tasks: dict[str, Any]

    def enqueue(self, name: str, *args: Any) -> None:
        """Queue job `name` with `args` (in immediate mode: run it now)."""
        self.tasks[name](*args)


def register(name: str, func: Callable[..., Any]) -> None:
    """Declare a job; every app's queue runs it under this name."""
    _JOBS[name] = func


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
    from huey import MemoryHuey, RedisHuey, SqliteHuey

    url = queue_url(app)
    options: dict[str, Any] = {"results": False}  # a job keeps its own outcome (e.g. build.json)
    if url == "immediate://":
        huey: Huey = MemoryHuey(QUEUE_NAME, immediate=True, **options)
    elif url == "memory://":
        huey = MemoryHuey(QUEUE_NAME, **options)
    elif url.startswith("sqlite:///"):
        huey = SqliteHuey(QUEUE_NAME, filename=url.removeprefix("sqlite:///"), **options)
    else:
        huey = RedisHuey(QUEUE_NAME, url=url, **options)
    tasks = {name: huey.task(name=name)(_in_context(app, func)) for name, func in _JOBS.items()}
    return JobQueue(huey, tasks)


def _in_context(app: Flask, func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def run(*args: Any) -> Any:
        with app.app_context():
            return func(*args)

    return run
