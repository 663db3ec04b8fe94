"""`python -m survey.jobs`: the consumer of the background job queue (survey.jobs).

`make run` starts it beside the development server (`--exit-with-parent`); in production
systemd runs it (README, "Production deployment"). SIGTERM stops it gracefully: a build under
way finishes first.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading

from cli_locale import use_vietnamese
from survey.extensions import db
from survey.jobs import NICENESS, POLL_SECONDS, adopt_list_queue, queue, queue_url, registered

log = logging.getLogger("survey.jobs")


def _give_way() -> str:
    """Run jobs only on CPU time nothing else wants (Linux SCHED_IDLE, inherited by the worker
    thread started later); where that is refused, at nice 10."""
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        return "idle scheduling"
    except (AttributeError, OSError):
        os.nice(NICENESS)
        return f"nice {NICENESS}"


def _exit_with(parent: int) -> None:
    """Stop gracefully once the process that started us is gone (`make run` was ended)."""
    stopped = threading.Event()
    while not stopped.wait(1.0):
        if os.getppid() != parent:
            os.kill(os.getpid(), signal.SIGTERM)
            return


def main(argv: list[str] | None = None) -> int:
    """Consume the app's job queue until SIGTERM (graceful: a running job finishes) or SIGINT."""
    parser = argparse.ArgumentParser(prog="python -m survey.jobs",
                                     description="Chạy các việc nền của hệ thống khảo sát (lập báo cáo, "
                                                 "gửi thư mời lãnh đạo).")
    parser.add_argument("--exit-with-parent", action="store_true",
                        help="dừng khi tiến trình cha kết thúc (make run khởi động tiến trình chạy nền theo cách này)")
    args = parser.parse_args(argv)

    from survey import create_app
    from survey.config import ConfigError

    try:
        app = create_app()
    except ConfigError as exc:
        sys.stderr.write(f"survey jobs: không khởi động được. {exc}\n")
        return 1
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    url = queue_url(app)
    if url in ("memory://", "immediate://"):
        with app.app_context():
            db.engine.dispose()  # the startup check's connection
        sys.stderr.write(f"survey jobs: SURVEY_JOBS_URL={url} là hàng đợi chỉ nằm trong một tiến trình; "
                         "tiến trình chạy nền cần một tệp SQLite hoặc Redis.\n")
        return 1
    priority = _give_way()
    huey = queue(app).huey
    try:
        moved = adopt_list_queue(huey)
    except Exception:  # Redis not up yet: huey's own loop waits for it; the old list waits too
        log.exception("could not check the queue for jobs queued before priorities")
    else:
        if moved:
            log.info("moved %d jobs queued before priorities into the priority queue", moved)
    consumer = huey.create_consumer(
        workers=1, worker_type="thread", periodic=False, max_delay=POLL_SECONDS, graceful_signal="TERM")
    if args.exit_with_parent:
        threading.Thread(target=_exit_with, args=(os.getppid(),), daemon=True).start()
    shown = url if "@" not in url else url.split("://")[0] + "://…@" + url.rsplit("@", 1)[1]
    log.info("consuming %s (%s): jobs %s", shown, priority, ", ".join(registered()))
    consumer.run()
    return 0


if __name__ == "__main__":
    use_vietnamese()  # argparse's own messages (usage:, error:) in Vietnamese; not for main() under a test
    sys.exit(main())
