"""The progress page's send in slices on the job queue (survey.leaders.delivery, `run_job`).

The consumer runs one job at a time. A send to a province's leaders takes minutes to an hour at
`SEND_RATE`; before, a report build an official clicked meanwhile waited for all of it. Now a
send works in slices of at most `SLICE_SECONDS` and queues the next one, and a build has the
higher priority: these tests run the memory queue as the consumer would, one job at a time,
with the relay real (aiosmtpd) and the clock frozen and moved by hand (time_machine), so the
throttle's pauses take no real time and no assertion depends on a machine's speed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pytest
import redis
import time_machine
from sqlalchemy import select

from survey import jobs
from survey.leaders import delivery
from survey.leaders.delivery import Throttle, run
from survey.models import AuditLog, DeliveryStatus, LeaderDelivery, SendChannel
from survey.reports import data, store
from survey.reports import jobs as builds
from tests.factories import make_wave
from tests.survey.leaders.test_send import (  # noqa: F401 (fixtures)
    BASE,
    TITLE,
    UNLIMITED,
    _address,
    _addressees,
    _email_relay,
    invitees,
    mailbox,
)
from tests.survey.leaders.test_send_commands import email_settings  # noqa: F401 (fixture)
from tests.survey.reports.test_build_jobs import _redis_url, no_rows

START = dt.datetime(2026, 7, 6, 2, 0, tzinfo=dt.timezone.utc)
# Two a minute: six leaders take three throttle windows, so the send cannot end in one slice.
SLOW_RATE = "2 per minute"


def _utc_now() -> dt.datetime:
    """huey's clock: naive UTC."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def consume(huey, clock, box, ran: list[tuple[str, int, float]], jobs_to_run: int | None = None) -> None:
    """Run the queue as `python -m survey.jobs` does, one job at a time: take the next job
    (highest priority first); when none is waiting, move the frozen clock to the next scheduled
    one and let it in, as the consumer's scheduler would. Each job run is noted with how many
    messages the relay had received after it and the clock's time (seconds from START)."""
    while jobs_to_run is None or jobs_to_run > 0:
        task = huey.dequeue()
        if task is None:
            scheduled = huey.scheduled()
            if not scheduled:
                return
            clock.shift(max(0.0, (min(t.eta for t in scheduled) - _utc_now()).total_seconds()))
            for due in huey.read_schedule():
                huey.enqueue(due)
            continue
        if not huey.ready_to_run(task):  # a slice queued for later: the consumer schedules it
            huey.add_schedule(task)
            continue
        huey.execute(task)
        ran.append((task.name, len(box.messages), (_utc_now() - START.replace(tzinfo=None)).total_seconds()))
        if jobs_to_run is not None:
            jobs_to_run -= 1


@pytest.fixture
def sending(app, db_session, tmp_path, monkeypatch, email_settings):  # noqa: F811
    """The memory queue, a slow relay rate, a place for reports and a report wave whose build
    finds nothing to estimate (its run, not its content, is what these tests watch)."""
    app.config.update(SEND_RATE=SLOW_RATE, REPORTS_DIR=str(tmp_path / "stored"))
    monkeypatch.setattr(data, "report_for_wave", no_rows)
    report_wave = make_wave(db_session, code="2026Q3")
    db_session.commit()
    return jobs.queue(app), report_wave


def _send_audits(session) -> list[dict]:
    return [entry.detail for entry in session.scalars(
        select(AuditLog).where(AuditLog.action == "leaders_send").order_by(AuditLog.id))]


def test_a_build_clicked_during_a_send_runs_before_the_send_ends_and_each_leader_gets_one_message(
        client, auth, db_session, leader_wave, invitees, sending, email_settings):  # noqa: F811
    queue, report_wave = sending
    ran: list[tuple[str, int, float]] = []
    with time_machine.travel(START, tick=False) as clock:
        queue.enqueue(delivery.JOB, leader_wave.id, "email", 0)  # the progress page's send button
        consume(queue.huey, clock, email_settings, ran, jobs_to_run=1)
        auth("admin")
        page = client.get(f"/admin/leaders/{leader_wave.code}/progress").get_data(as_text=True)
        # Between slices the page counts what went and what waits: 4 chờ gửi, 0 đang gửi, 2 đã gửi, 0 lỗi.
        assert re.search(r'<td>Email</td><td class="num">4</td><td class="num">0</td>'
                         r'<td class="num">2</td><td class="num">0</td>', page)
        assert store.read_build(report_wave.code) is None
        builds.request(report_wave.code)  # an official clicks "Lập báo cáo" while the send runs
        consume(queue.huey, clock, email_settings, ran)

    assert ran == [(delivery.JOB, 2, 0.0), (builds.JOB, 2, 0.0),  # the build waited for one slice only
                   (delivery.JOB, 4, 60.0), (delivery.JOB, 6, 120.0)]  # each slice when the rate allows
    assert store.read_build(report_wave.code)["status"] == "failed"  # it ran (and said why it could not build)
    assert sorted(to for to, _ in email_settings.messages) == sorted(
        _address(SendChannel.EMAIL, n) for n in range(6))  # each exactly once
    assert {(d.status, d.attempts) for d in db_session.scalars(select(LeaderDelivery))} == {(DeliveryStatus.SENT, 1)}
    assert _send_audits(db_session) == [{"channel": "email", "planned": 6, "sent": 6, "failed": 0,
                                         "interrupted": 0, "slices": 3}]  # one entry for the whole send


def test_a_build_queued_behind_a_send_goes_first(db_session, leader_wave, invitees, sending,  # noqa: F811
                                                 email_settings):  # noqa: F811
    """Both clicks before the consumer takes either: the build's priority puts it first."""
    queue, report_wave = sending
    ran: list[tuple[str, int, float]] = []
    with time_machine.travel(START, tick=False) as clock:
        queue.enqueue(delivery.JOB, leader_wave.id, "email", 0)
        builds.request(report_wave.code)
        consume(queue.huey, clock, email_settings, ran)
    assert [name for name, _, _ in ran] == [builds.JOB] + [delivery.JOB] * 3
    assert len(email_settings.messages) == 6


def test_two_sends_queued_together_share_the_rate_and_send_each_message_once(
        db_session, leader_wave, invitees, sending, email_settings):  # noqa: F811
    """Two clicks on "Gửi": their slices take turns; the throttle's window, kept per channel in
    the queue's store, holds the two of them to the relay's rate together."""
    queue, _ = sending
    ran: list[tuple[str, int, float]] = []
    with time_machine.travel(START, tick=False) as clock:
        queue.enqueue(delivery.JOB, leader_wave.id, "email", 0)
        queue.enqueue(delivery.JOB, leader_wave.id, "email", 0)
        consume(queue.huey, clock, email_settings, ran)
    gained = Counter()
    before = 0
    for _, received, at in ran:
        gained[at] += received - before
        before = received
    assert dict(gained) == {0.0: 2, 60.0: 2, 120.0: 2}  # never more than 2 in a minute
    assert len(email_settings.messages) == 6
    assert len({to for to, _ in email_settings.messages}) == 6
    audits = _send_audits(db_session)
    assert len(audits) == 2 and sum(a["sent"] for a in audits) == 6


class SlowRelay:
    """A relay that takes 4 s of the throttle's clock to accept each message."""

    def __init__(self, sender, now: list[float]) -> None:
        self.sender, self.now, self.channel = sender, now, sender.channel

    def address_of(self, invitation):
        return self.sender.address_of(invitation)

    def send(self, to, message) -> None:
        self.sender.send(to, message)
        self.now[0] += 4


def test_a_slice_claims_no_message_past_its_seconds_and_the_next_picks_up(
        db_session, leader_wave, invitees, mailbox):  # noqa: F811
    relay = _email_relay(mailbox)
    now = [0.0]
    slow = SlowRelay(relay.sender, now)
    first = run(db_session, leader_wave, slow, BASE, TITLE, Throttle(UNLIMITED, clock=lambda: now[0]),
                slice_seconds=10)
    assert (first.sent, first.left) == (3, 3)  # at 0, 4 and 8 s; the fourth would start at 12 s
    second = run(db_session, leader_wave, slow, BASE, TITLE, Throttle(UNLIMITED, clock=lambda: now[0]),
                 slice_seconds=10)
    assert (second.planned, second.sent, second.left) == (0, 3, 0)
    assert len(relay.received()) == 6 and len(set(_addressees(relay))) == 6


def test_a_slice_ends_rather_than_sleep_past_its_seconds():
    """The throttle's pause would carry the slice past its end: it stops and says when to resume."""
    now = [100.0]
    slept: list[float] = []
    throttle = Throttle("2 per minute", clock=lambda: now[0], sleep=slept.append, sent=[90.0, 95.0])
    assert throttle.pause() == 50.0  # the send at 90 s leaves the window at 150 s
    carried = Throttle("2 per minute", clock=lambda: now[0], sent=throttle.window())
    assert carried.pause() == 50.0  # the window holds across slices
    set_back = Throttle("2 per minute", clock=lambda: now[0], sent=[500.0, 600.0])  # the clock went back
    assert set_back.pause() == 60.0  # at most one window, not 8 minutes
    assert slept == []


@pytest.fixture
def own_queue_name(monkeypatch):
    """Keys of their own in Redis, apart from the build consumer test's."""
    monkeypatch.setattr(jobs, "QUEUE_NAME", "survey-priority-test")


@pytest.mark.parametrize("backend", ["memory", "sqlite", "redis"])
def test_every_storage_the_project_uses_takes_a_build_before_a_send_queued_earlier(app, tmp_path, backend,
                                                                                   own_queue_name):
    url = {"memory": "memory://", "sqlite": f"sqlite:///{tmp_path / 'jobs.db'}"}.get(backend) or _redis_url()
    app.config["JOBS_URL"] = url
    queue = jobs.queue(app)
    queue.huey.flush()
    try:
        queue.enqueue(delivery.JOB, 1, "email", 0)
        queue.enqueue(delivery.JOB, 1, "email", 0, {"slices": 1}, delay=60)  # a slice for later
        queue.enqueue(builds.JOB, "2026Q3", "token")
        queue.enqueue(delivery.JOB, 2, "sms", 0)
        order = [queue.huey.dequeue() for _ in range(4)]
        assert [(t.name, t.args[0], t.eta is not None) for t in order] == [
            (builds.JOB, "2026Q3", False), (delivery.JOB, 1, False), (delivery.JOB, 1, True), (delivery.JOB, 2, False)]
    finally:
        queue.huey.flush()


def test_jobs_left_in_a_redis_list_by_the_consumer_before_priorities_are_kept(app, own_queue_name):
    """Upgrading from RedisHuey (a list) to PriorityRedisHuey (a sorted set at the same key):
    the consumer moves what was queued, oldest first, a build still ahead of a send."""
    from huey import RedisHuey

    url = _redis_url()
    app.config["JOBS_URL"] = url
    queue = jobs.queue(app)
    queue.huey.flush()
    old = RedisHuey(jobs.QUEUE_NAME, url=url, results=False)
    old_send = old.task(name=delivery.JOB)(delivery.run_job)  # the names the old consumer registered
    old_build = old.task(name=builds.JOB)(builds.run_build)
    try:
        old_send(1, "email", 0)
        old_send(2, "sms", 0)
        old_build("2026Q3", "token")
        assert redis.Redis.from_url(url).type(queue.huey.storage.queue_key) == b"list"
        assert jobs.adopt_list_queue(queue.huey) == 3
        assert jobs.adopt_list_queue(queue.huey) == 0  # once only
        order = [queue.huey.dequeue() for _ in range(3)]
        assert [(t.name, t.args[0]) for t in order] == [(builds.JOB, "2026Q3"), (delivery.JOB, 1), (delivery.JOB, 2)]
    finally:
        queue.huey.flush()
