"""CPU cost of one citizen page post and one final submit, in process, with a cProfile listing.

Seeds a temporary SQLite database, then walks the questionnaire N times through Flask's test
client (no network, no gunicorn) and reports process CPU time per page post and per final
submit (`time.process_time`, so time waiting on the shared machine's other processes is not
counted). `--profile` prints the top functions by cumulative time for the page posts.

Usage: .venv/bin/python bench/profile_page.py [--questionnaires 40] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import FAST_LIMITS, form_of  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questionnaires", type=int, default=40)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="survey-profile-"))
    os.environ.update(SURVEY_DATABASE_URL=f"sqlite:///{tmp}/profile.db", SURVEY_SECRET_KEY="bench-only-secret",
                      SURVEY_STARTUP_CHECK="0", SURVEY_RATE_LIMIT_QUESTIONNAIRE=FAST_LIMITS,
                      SURVEY_RATE_LIMIT_ADDRESS=FAST_LIMITS, SURVEY_RATE_LIMIT_START=FAST_LIMITS)
    from flask_migrate import upgrade

    from survey import create_app
    from survey.extensions import db
    from survey.models import ServiceCentre
    from survey.questionnaire import load_questionnaire

    app = create_app()
    with app.app_context():
        upgrade()
        app.test_cli_runner().invoke(args=["seed"])
        centre = db.session.query(ServiceCentre.code).order_by(ServiceCentre.code).first()[0]
    items = load_questionnaire(ROOT / "questionnaires" / "sipas-2026.yaml").items_by_code
    page_cpu: list[float] = []
    submit_cpu: list[float] = []
    # CPU time, not wall time: waits on fsync or on other processes do not count.
    profiler = cProfile.Profile(time.process_time)
    for _ in range(args.questionnaires):
        client = app.test_client()
        html = client.get(f"/q/{centre}").get_data(as_text=True)
        while True:
            fields = form_of(html, items)
            data: dict[str, list[str]] = {}
            for name, value in fields:
                data.setdefault(name, []).append(value)
            final = ("action", "submit") in fields
            started = time.process_time()
            if args.profile and not final:
                profiler.enable()
            response = client.post("/s", data=data)
            profiler.disable()
            spent = time.process_time() - started
            if response.status_code == 303:
                submit_cpu.append(spent)
                break
            page_cpu.append(spent)
            html = response.get_data(as_text=True)
    page_ms = 1000 * sum(page_cpu[len(page_cpu) // 10:]) / len(page_cpu[len(page_cpu) // 10:])  # skip warm-up
    submit_ms = 1000 * sum(submit_cpu[1:]) / max(1, len(submit_cpu) - 1)
    print(f"page posts: {len(page_cpu)}, mean CPU {page_ms:.1f} ms each (first 10% skipped as warm-up)")
    print(f"final submits: {len(submit_cpu)}, mean CPU {submit_ms:.1f} ms each (first skipped)")
    if args.profile:
        pstats.Stats(profiler).sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(45)


if __name__ == "__main__":
    main()
