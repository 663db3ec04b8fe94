"""The report build button as issue 23 attacked it: builds run on the job queue (survey.jobs),
one at a time per wave, and repeated clicks join the build under way.

Attacker: an analyst (or anyone with an analyst's session) posting
`/admin/reports/<wave>/build` forty times at once; before, each post ran a whole build inside
its request and a citizen's page waited 48 s. The figures are in docs/benchmarks.md ("Report
builds off the request"); these tests check who may build, what is queued and what the page
says, never the clock.

Most tests use the in-process memory queue (nothing consumes it until the test runs the job,
as the consumer would); the last ones run the real consumer, `python -m survey.jobs`, on a
SQLite queue file and on Redis.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import pytest
import redis
import time_machine
from sqlalchemy import select

from analysis.design import DesignError
from survey import jobs
from survey.models import UserRole, Wave
from survey.reports import data, store
from survey.reports import jobs as builds
from tests.factories import PROJECT_ROOT, make_locality, make_wave

REFRESH = '<meta http-equiv="refresh"'
BUILDING = "Đang lập báo cáo…"
REDIS_URL = os.environ.get("SURVEY_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
# The consumer's start (importing the app) plus a build of a small demo wave, with room for a
# loaded machine: a guard against a hang, not a measurement.
CONSUMER_PATIENCE = 180


@pytest.fixture
def reports(app, tmp_path):
    """Built reports in a temporary folder and an empty memory queue."""
    app.config["REPORTS_DIR"] = str(tmp_path / "stored")
    return jobs.queue(app).huey


@pytest.fixture
def wave(db_session):
    return make_wave(db_session, code="2026Q3")


def no_rows(session, wave, progress, **options):
    """A build that finds nothing to estimate from."""
    progress("loading responses")
    raise DesignError("the data have no rows")


def run_next(huey) -> None:
    """Take the next job off the queue and run it, as the consumer would."""
    task = huey.dequeue()
    assert task is not None, "no job was queued"
    huey.execute(task)


def test_repeated_clicks_queue_one_build_and_join_it(auth, client, reports, wave):
    auth(UserRole.ANALYST)
    answers = [client.post(f"/admin/reports/{wave.code}/build") for _ in range(5)]

    assert [a.status_code for a in answers] == [303] * 5
    assert {a.headers["Location"] for a in answers} == {f"/admin/reports/{wave.code}"}
    assert reports.pending_count() == 1
    state = store.read_build(wave.code)
    assert state["status"] == "queued"
    page = client.get(f"/admin/reports/{wave.code}").get_data(as_text=True)
    assert "đang được lập" in page  # the joined clicks' message
    assert BUILDING in page and "Đang chờ đến lượt" in page and REFRESH in page
    assert "Tải lại" in page and "Lập báo cáo</button>" not in page  # no second build offered meanwhile
    listing = client.get("/admin/reports/").get_data(as_text=True)
    assert BUILDING in listing


def test_clicks_at_the_same_moment_start_one_build(app, reports, wave):
    """Eight requests race for the wave's build lock; one queues a build, seven join it."""
    started: list[bool] = []

    def click() -> None:
        with app.app_context():
            started.append(builds.request(wave.code)[1])

    threads = [threading.Thread(target=click) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(started) == [False] * 7 + [True]
    assert reports.pending_count() == 1


def test_the_page_shows_each_step_then_the_report(app, auth, client, reports, runner, monkeypatch):
    assert runner.invoke(args=["seed"]).exit_code == 0
    demo = runner.invoke(args=["demo", "responses", "--wave", "DEMO-2026Q4", "--count", "300", "--seed", "5",
                               "--with-counts"])
    assert demo.exit_code == 0, demo.output
    auth(UserRole.ANALYST)
    assert client.post("/admin/reports/DEMO-2026Q4/build").status_code == 303

    seen: dict[str, str] = {}
    real_build = data.report_for_wave

    def build_and_look(session, wave, **options):
        report = options.pop("progress")

        def progress(step: str) -> None:
            report(step)
            seen[step] = client.get("/admin/reports/DEMO-2026Q4").get_data(as_text=True)

        return real_build(session, wave, progress=progress, **options)

    monkeypatch.setattr(data, "report_for_wave", build_and_look)
    run_next(reports)

    unnamed = [s for s in seen if s not in builds.STEP_LABELS and not s.startswith(builds.EARLIER_WAVE_STEP)]
    assert not unnamed, f"steps the build reports with no Vietnamese name in STEP_LABELS: {unnamed}"
    assert "Đọc các phiếu trả lời của đợt" in seen["loading responses"]
    during = seen["localities"]
    assert BUILDING in during and REFRESH in during
    assert "Tính chỉ số theo từng địa phương" in during and "Tính chỉ số hài lòng toàn tỉnh" in during
    assert "Vẽ biểu đồ" in seen["charts"]
    done = client.get("/admin/reports/DEMO-2026Q4").get_data(as_text=True)
    assert BUILDING not in done and REFRESH not in done
    assert "report.xlsx" in done and 'data-code="' in done and "Lập lại báo cáo" in done
    assert store.read_build("DEMO-2026Q4")["status"] == "done"

    again = client.post("/admin/reports/DEMO-2026Q4/build")  # a finished build is not joined
    assert again.status_code == 303 and reports.pending_count() == 1


@pytest.mark.parametrize(("failure", "words"), [
    (DesignError("the data have no rows"), "chưa đủ để tính chỉ số"),
    (MemoryError(), "Lỗi hệ thống khi lập báo cáo đợt 2026Q3 (MemoryError)"),
])
def test_a_failed_build_says_why_in_vietnamese(auth, client, reports, wave, monkeypatch, failure, words):
    def fail(session, wave, progress, **options):
        progress("loading responses")
        raise failure

    monkeypatch.setattr(data, "report_for_wave", fail)
    auth(UserRole.ADMIN)
    client.post(f"/admin/reports/{wave.code}/build")
    run_next(reports)

    page = client.get(f"/admin/reports/{wave.code}").get_data(as_text=True)
    assert "Chưa lập được báo cáo." in page and words in page
    assert BUILDING not in page and REFRESH not in page
    assert "Lập báo cáo</button>" in page  # a failed build is not joined: the button is back
    assert "Lần lập gần nhất bị lỗi" in client.get("/admin/reports/").get_data(as_text=True)
    client.post(f"/admin/reports/{wave.code}/build")
    assert reports.pending_count() == 1


def test_a_wave_deleted_before_its_build_fails_with_a_reason(app, reports, wave, db_session):
    builds.request(wave.code)
    db_session.delete(db_session.scalar(select(Wave).where(Wave.code == wave.code)))
    db_session.flush()
    run_next(reports)
    assert store.read_build(wave.code)["error"] == builds.NO_WAVE.format(wave=wave.code)


def test_an_officer_cannot_start_a_build(auth, client, reports, wave, db_session):
    auth(UserRole.OFFICER, make_locality(db_session))
    assert client.post(f"/admin/reports/{wave.code}/build").status_code == 403
    assert reports.pending_count() == 0 and store.read_build(wave.code) is None
    page = client.get(f"/admin/reports/{wave.code}").get_data(as_text=True)
    assert "Chưa lập báo cáo cho đợt này." in page and "Lập báo cáo</button>" not in page


def test_a_stalled_build_is_said_and_replaced(auth, client, reports, wave, monkeypatch):
    """The consumer died mid-build: after STALLED_AFTER the page says so, a click starts a new
    build, and the old job, should it still run, leaves the new one alone."""
    auth(UserRole.ANALYST)
    client.post(f"/admin/reports/{wave.code}/build")
    old = reports.dequeue()
    with time_machine.travel(time.time() + builds.STALLED_AFTER + 60, tick=False):
        page = client.get(f"/admin/reports/{wave.code}").get_data(as_text=True)
        assert "không có tiến triển" in page and "python -m survey.jobs" in page and REFRESH not in page
        client.post(f"/admin/reports/{wave.code}/build")
    new_token = store.read_build(wave.code)["token"]
    assert reports.pending_count() == 1

    monkeypatch.setattr(data, "report_for_wave", no_rows)
    reports.execute(old)
    state = store.read_build(wave.code)
    assert state["token"] == new_token and state["status"] == "queued" and state["steps"] == []
    run_next(reports)
    assert store.read_build(wave.code)["status"] == "failed"


def test_a_queue_that_cannot_be_reached_fails_the_click_in_vietnamese(app, auth, client, tmp_path, wave):
    app.config.update(REPORTS_DIR=str(tmp_path / "stored"), JOBS_URL="redis://127.0.0.1:1/0")
    auth(UserRole.ANALYST)
    answer = client.post(f"/admin/reports/{wave.code}/build", follow_redirects=True)
    page = answer.get_data(as_text=True)
    assert "Không gửi được yêu cầu lập báo cáo tới hàng đợi" in page and BUILDING not in page


def test_immediate_mode_builds_inside_the_click(app, auth, client, tmp_path, wave, monkeypatch):
    """huey's immediate mode (JOBS_URL=immediate://), for tests that need the build done at once."""
    app.config.update(REPORTS_DIR=str(tmp_path / "stored"), JOBS_URL="immediate://")
    monkeypatch.setattr(data, "report_for_wave", no_rows)
    auth(UserRole.ANALYST)
    page = client.post(f"/admin/reports/{wave.code}/build", follow_redirects=True).get_data(as_text=True)
    assert "chưa đủ để tính chỉ số" in page and store.read_build(wave.code)["status"] == "failed"


def test_the_step_names_come_from_the_vietnamese_table():
    assert builds.step_label("loading wave 2026Q2") == "Đọc đợt 2026Q2 để so sánh"
    for step in ("loading responses", "index", "localities", "opinions", "drivers", "trend", "small areas",
                 "charts"):
        assert builds.step_label(step) != step


def _redis_url() -> str:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        pytest.fail(f"Redis at {REDIS_URL} is unreachable ({exc}): the Redis queue test needs it "
                    "(redis-server; .ci/run starts it)")
    finally:
        client.close()
    return REDIS_URL


@pytest.mark.slow
@pytest.mark.commits
@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_the_consumer_process_builds_what_a_click_queued(app, auth, client, runner, database_url, tmp_path,
                                                        backend):
    """`python -m survey.jobs` (what `make run` starts, and systemd in production) takes the
    click's build off a SQLite queue file or Redis and keeps the report."""
    url = f"sqlite:///{tmp_path / 'jobs.db'}" if backend == "sqlite" else _redis_url()
    stored = tmp_path / "stored"
    app.config.update(REPORTS_DIR=str(stored), JOBS_URL=url)
    assert runner.invoke(args=["seed"]).exit_code == 0
    assert runner.invoke(args=["demo", "responses", "--wave", "DEMO-2026Q4", "--count", "200",
                               "--with-counts"]).exit_code == 0
    auth(UserRole.ANALYST)
    huey = jobs.queue(app).huey
    if backend == "redis":
        huey.flush()
    for _ in range(3):
        client.post("/admin/reports/DEMO-2026Q4/build")
    assert huey.pending_count() == 1

    environment = {**os.environ, "SURVEY_DATABASE_URL": database_url, "SURVEY_JOBS_URL": url,
                   "SURVEY_REPORTS_DIR": str(stored), "SURVEY_STARTUP_CHECK": "1"}
    consumer = subprocess.Popen([sys.executable, "-m", "survey.jobs"], cwd=PROJECT_ROOT, env=environment,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + CONSUMER_PATIENCE
        while (store.read_build("DEMO-2026Q4") or {}).get("status") not in ("done", "failed"):
            assert consumer.poll() is None, consumer.stdout.read()
            assert time.monotonic() < deadline, "the consumer did not finish the build"
            time.sleep(0.5)
    finally:
        consumer.terminate()
        log = consumer.communicate(timeout=60)[0]
    assert consumer.returncode == 0, log
    assert store.read_build("DEMO-2026Q4")["status"] == "done", log
    assert huey.pending_count() == 0
    page = client.get("/admin/reports/DEMO-2026Q4").get_data(as_text=True)
    assert "report.xlsx" in page and BUILDING not in page
    if backend == "redis":
        huey.flush()


def test_a_queue_url_of_another_kind_is_refused_at_start(tmp_path):
    from survey.config import ConfigError, load_config

    with pytest.raises(ConfigError, match="SURVEY_JOBS_URL must be empty"):
        load_config(str(tmp_path), {"SURVEY_SECRET_KEY": "x", "SURVEY_JOBS_URL": "amqp://127.0.0.1/"})


def test_the_consumer_refuses_a_queue_inside_one_process(database_url, monkeypatch, capsys):
    from survey.jobs.__main__ import main

    monkeypatch.setenv("SURVEY_DATABASE_URL", database_url)
    monkeypatch.setenv("SURVEY_JOBS_URL", "memory://")
    assert main([]) == 1
    assert "tiến trình chạy nền cần một tệp SQLite hoặc Redis" in capsys.readouterr().err


def test_a_rebuilt_report_replaces_the_old_files_whole(reports):
    """A page reading while the consumer saves sees the old files or the new, never half of one."""
    store.save({"wave": "2026Q3", "n": 1}, {"forest": b"old", "trend": b"old"})
    folder = store.save({"wave": "2026Q3", "n": 2}, {"forest": b"new"})
    assert sorted(p.name for p in folder.iterdir()) == ["forest.png", "report.json"]  # nothing left aside
    assert store.load("2026Q3") == ({"wave": "2026Q3", "n": 2}, {"forest": b"new"})
    assert (folder / "report.json").stat().st_mode & 0o777 == 0o644
