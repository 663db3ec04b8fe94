"""Sending the leaders' invitations and reminders: planned, claimed, sent once, retried with back-off.

A run (`run`: `flask leaders send`, or the button on the progress page through the job queue)
first *plans*: one `leader_delivery` row per invitee not yet counted as completed, per channel and
round (0 is the invitation; reminder k is planned only once round k-1 was sent at least the
reminder gap ago, and never beyond ``--reminders``). Then it *delivers* the rows that are due,
one at a time and at most `SEND_RATE`, each in three steps:

1. claim: one conditional UPDATE turns the row ``sending`` (``attempts`` + 1), and, if the
   invitee has not yet opened a link, a fresh token replaces theirs; both are committed before
   anything leaves, so a second run, or a run at the same time, finds nothing to send here;
2. send: the link exists only in memory and in the message;
3. record: ``sent``, or ``failed`` with the relay's reason and, when trying again can help, the
   next attempt after a back-off that doubles (5 minutes, 10, 20, … at most 6 hours, 5 attempts).

A process killed between 1 and 3 leaves the row ``sending``: whether its message left is not
known, so once its claim is older than `CLAIM_LEASE` the next run marks it failed, "interrupted",
and does not send it again. Never twice outweighs never lost; the progress page counts it.

The button's send runs in slices (`run_job`): the job consumer runs one job at a time, and a send
to a province's leaders at `SEND_RATE` takes minutes to an hour, mostly asleep in the throttle;
a report build an official waits for on screen must not wait that long. A slice claims no
message once `SLICE_SECONDS` have passed, nor sleeps past them: when the throttle asks for a
longer pause, the slice ends and queues the next one for when the pause is over (huey's
schedule), so the consumer is free meanwhile and a build queued at any time starts within one
slice (builds also have the higher priority, survey.jobs). Each slice plans, recovers and
claims exactly as a whole run does, so the guarantees above hold across slices. The throttle's
window (when the last messages left) is kept per channel in the queue's store between slices,
so the rate holds across slices, across two sends queued together, and across a consumer
restart. `flask leaders send` is not the queue: it sends everything in one run, as before.

Which message: an invitee who has opened a link may hold a draft encrypted under that link's
token, and an invitee whose sheet waits in the mix has opened it too; a new token would destroy
the draft, so they get a message without a link that points to the one they have. Everyone else
gets a fresh link, which replaces any earlier one (a letter's too). Choosing by ``opened`` and
``completed`` only, both already visible to the operator, tells nobody more about who answered
(docs/security.md, "Channels").
"""

from __future__ import annotations

import collections
import datetime as dt
import logging
import time
from dataclasses import dataclass
from typing import Callable, Iterable

from flask import render_template
from limits import parse as parse_rate
from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from survey import jobs
from survey.clock import utcnow
from survey.leaders.invitations import Invitation, Sender, issue
from survey.leaders.senders import NO_EMAIL, NO_PHONE, DeliveryError, Message
from survey.models import DeliveryStatus, LeaderDelivery, LeaderInvitation, SendChannel, Wave

JOB = "leaders_send"
log = logging.getLogger(__name__)
BACKOFF_FIRST = dt.timedelta(minutes=5)
BACKOFF_LONGEST = dt.timedelta(hours=6)
MAX_ATTEMPTS = 5
CLAIM_LEASE = dt.timedelta(minutes=15)
"""A claim older than this belongs to a run that died: a message takes seconds (30 s timeout)."""
REMINDER_GAP = dt.timedelta(days=3)
SLICE_SECONDS = 10.0
"""How long one slice of the button's send claims messages. A report build queued meanwhile
starts after at most this plus one message (a relay answers within its 30 s timeout, most in
well under a second), not after the whole send. Each slice re-reads the wave (recover, plan,
the due list: 30–120 ms for 3,000 invitees on SQLite and on PostgreSQL once the tables have
statistics), about 1% of 10 s, while a build waits seconds, not minutes."""
WINDOW_KEY = "leaders-send-window:{channel}"
REASON_LENGTH = 300
LINK_SHOWN = "[đường dẫn]"
INTERRUPTED = ("Bị gián đoạn giữa lúc gửi (tiến trình dừng): không biết tin đã đến hay chưa, nên hệ thống "
               "không tự gửi lại để tránh gửi hai lần.")
NO_ADDRESS = {SendChannel.EMAIL: NO_EMAIL, SendChannel.SMS: NO_PHONE}
SUBJECTS = ("Thư mời tham gia khảo sát Chỉ số cải cách hành chính, đợt {wave}",
            "Nhắc lại: thư mời tham gia khảo sát Chỉ số cải cách hành chính, đợt {wave}")


class Throttle:
    """At most ``rate`` (e.g. "30 per minute") sends in any window of its length: before a send
    that would exceed it, sleep until the oldest send of the window leaves it.

    ``sent`` carries on an earlier throttle's `window` (the job's slices, on the wall clock); a
    time after ``clock()`` (the clock was set back since) counts as now, so the pause it causes
    is never longer than one window."""

    def __init__(self, rate: str, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep, sent: Iterable[float] = ()):
        item = parse_rate(rate)
        self.amount, self.seconds = item.amount, item.get_expiry()
        self.clock, self.sleep = clock, sleep
        now = clock()
        self.sent: collections.deque[float] = collections.deque(sorted(min(t, now) for t in sent))

    def pause(self) -> float:
        """Seconds to wait before the next send keeps within the rate (0: send now)."""
        now = self.clock()
        while self.sent and now - self.sent[0] >= self.seconds:
            self.sent.popleft()
        return 0.0 if len(self.sent) < self.amount else self.seconds - (now - self.sent[0])

    def wait(self) -> None:
        """Sleep until a send keeps within the rate, and count the send."""
        while (seconds := self.pause()) > 0:
            self.sleep(seconds)
        self.sent.append(self.clock())

    def window(self) -> list[float]:
        """When the sends still in the window happened, on this throttle's clock."""
        self.pause()
        return list(self.sent)


@dataclass(frozen=True)
class RunResult:
    """What one run (or slice) did, for the command's last line and the audit log; ``left``
    due messages a slice did not reach, to be tried ``resume_in`` seconds later."""

    planned: int
    sent: int
    failed: int
    interrupted: int
    left: int = 0
    resume_in: float = 0.0


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the ``attempts``-th failed attempt: 5 minutes, doubled each time, at most 6 hours."""
    return min(BACKOFF_FIRST * 2 ** (attempts - 1), BACKOFF_LONGEST)


def _wave_rows(wave: Wave, channel: SendChannel):
    return and_(LeaderDelivery.channel == channel, LeaderDelivery.invitation_id.in_(
        select(LeaderInvitation.id).where(LeaderInvitation.wave_id == wave.id)))


def plan(session: Session, wave: Wave, channel: SendChannel, reminders: int,
         now: dt.datetime, gap: dt.timedelta = REMINDER_GAP) -> int:
    """Queue what is owed to the invitees not yet completed; withdraw what completed ones no
    longer need. Returns how many rows were queued; the caller commits."""
    completed = select(LeaderInvitation.id).where(LeaderInvitation.wave_id == wave.id,
                                                  LeaderInvitation.completed.is_(True))
    session.execute(delete(LeaderDelivery).where(
        _wave_rows(wave, channel), LeaderDelivery.invitation_id.in_(completed),
        LeaderDelivery.status.in_([DeliveryStatus.QUEUED, DeliveryStatus.FAILED])))
    last = (select(LeaderDelivery.invitation_id, func.max(LeaderDelivery.round).label("round"))
            .where(LeaderDelivery.channel == channel).group_by(LeaderDelivery.invitation_id).subquery())
    open_invitees = session.execute(
        select(LeaderInvitation.id, last.c.round)
        .outerjoin(last, last.c.invitation_id == LeaderInvitation.id)
        .where(LeaderInvitation.wave_id == wave.id, LeaderInvitation.completed.is_(False))).all()
    latest = {(row.invitation_id, row.round): row for row in session.scalars(
        select(LeaderDelivery).where(_wave_rows(wave, channel)))}
    queued = 0
    for invitation_id, round_ in open_invitees:
        if round_ is None:
            next_round = 0
        else:
            previous = latest[(invitation_id, round_)]
            if (round_ >= reminders or previous.status != DeliveryStatus.SENT
                    or previous.sent_at is None or previous.sent_at > now - gap):
                continue
            next_round = round_ + 1
        session.add(LeaderDelivery(invitation_id=invitation_id, channel=channel, round=next_round,
                                   status=DeliveryStatus.QUEUED, attempts=0))
        queued += 1
    try:
        session.flush()
    except IntegrityError:  # a run started at the same moment planned the same rows: it owns them
        session.rollback()
        return 0
    return queued


def _due(now: dt.datetime):
    return or_(LeaderDelivery.status == DeliveryStatus.QUEUED,
               and_(LeaderDelivery.status == DeliveryStatus.FAILED, LeaderDelivery.next_attempt_at <= now))


def recover_interrupted(session: Session, wave: Wave, channel: SendChannel, now: dt.datetime) -> int:
    """Mark claims left by a dead run as failed and not to be retried; the caller commits."""
    return session.execute(
        update(LeaderDelivery)
        .where(_wave_rows(wave, channel), LeaderDelivery.status == DeliveryStatus.SENDING,
               LeaderDelivery.next_attempt_at < now)
        .values(status=DeliveryStatus.FAILED, reason=INTERRUPTED, next_attempt_at=None)
        .execution_options(synchronize_session=False)).rowcount


def compose(channel: SendChannel, invitation: LeaderInvitation, wave: Wave, title: str,
            url: str | None, reminder: bool) -> Message:
    """The Vietnamese message: the link when there is one, else a pointer to the link held."""
    template = "leaders/invitation_email.txt" if channel == SendChannel.EMAIL else "leaders/invitation_sms.txt"
    body = render_template(template, invitation=invitation, wave=wave, title=title, url=url, reminder=reminder)
    return Message(SUBJECTS[bool(reminder)].format(wave=wave.code), body.strip() + "\n")


def _without_link(reason: str, link: Invitation | None) -> str:
    """The relay's words, with the link (and its token) cut out should the relay repeat them."""
    if link is not None:
        reason = reason.replace(link.url, LINK_SHOWN).replace(link.url.rsplit("/", 1)[-1], LINK_SHOWN)
    return reason[:REASON_LENGTH]


class WaveOver(Exception):
    """The wave no longer accepts sheets: a link sent now would open nothing."""


WAVE_OVER = "Đợt {wave} đã kết thúc ngày {day}: không gửi thư mời hay nhắc nữa."


def run(session: Session, wave: Wave, sender: Sender, base_url: str, title: str, throttle: Throttle,
        reminders: int = 0, today: dt.date | None = None,
        clock: Callable[[], dt.datetime] = utcnow, slice_seconds: float | None = None) -> RunResult:
    """Plan, then send every due message of the wave on the sender's channel, committing each step;
    with `slice_seconds`, stop before a message the throttle's clock says would start past them."""
    if today is not None and wave.closes_on < today:
        raise WaveOver(WAVE_OVER.format(wave=wave.code, day=wave.closes_on.strftime("%d/%m/%Y")))
    channel = SendChannel(sender.channel)
    interrupted = recover_interrupted(session, wave, channel, clock())
    session.commit()
    planned = plan(session, wave, channel, reminders, clock())
    session.commit()
    due = list(session.scalars(select(LeaderDelivery.id).where(_wave_rows(wave, channel), _due(clock()))
                               .order_by(LeaderDelivery.round, LeaderDelivery.id)))
    sent = failed = 0
    started = throttle.clock()
    for index, row_id in enumerate(due):
        if slice_seconds is not None:
            pause = throttle.pause()
            if throttle.clock() - started + pause > slice_seconds:  # never sleep past the slice
                return RunResult(planned, sent, failed, interrupted, left=len(due) - index, resume_in=pause)
        throttle.wait()
        now = clock()
        claimed = session.execute(
            update(LeaderDelivery).where(LeaderDelivery.id == row_id, _due(now))
            .values(status=DeliveryStatus.SENDING, attempts=LeaderDelivery.attempts + 1,
                    next_attempt_at=now + CLAIM_LEASE)
            .execution_options(synchronize_session=False)).rowcount
        if not claimed:
            session.rollback()
            continue  # another run took it, or it is no longer due
        row = session.get(LeaderDelivery, row_id, populate_existing=True)
        invitation = session.get(LeaderInvitation, row.invitation_id)
        if invitation.completed:
            session.delete(row)  # its block was released since the plan: nothing is owed
            session.commit()
            continue
        address = sender.address_of(invitation)
        link = None
        if address and not invitation.opened:
            issued = issue(session, wave, base_url, [invitation.id])
            link = issued[0] if issued else None
        session.commit()
        try:
            if not address:
                raise DeliveryError(NO_ADDRESS[channel], permanent=True)
            sender.send(address, compose(channel, invitation, wave, title, link and link.url, row.round > 0))
        except DeliveryError as exc:
            row.status = DeliveryStatus.FAILED
            row.reason = _without_link(exc.reason, link)
            retry = not exc.permanent and row.attempts < MAX_ATTEMPTS
            row.next_attempt_at = clock() + backoff(row.attempts) if retry else None
            failed += 1
        else:
            row.status, row.reason, row.next_attempt_at, row.sent_at = DeliveryStatus.SENT, None, None, clock()
            sent += 1
        session.commit()
    return RunResult(planned, sent, failed, interrupted)


def run_job(wave_id: int, channel: str, reminders: int, totals: dict[str, int] | None = None) -> None:
    """One slice of the progress page's send, run by the job consumer (survey.jobs) in the app's
    context; it queues the next slice while messages are left, and the last one records the send.

    One audit entry per send, not per slice: it answers the click's ``leaders_send_queued`` with
    the whole send's counts, as the command's entry does, instead of burying the trail under a
    line every few seconds; the progress page shows the counts while the slices run."""
    from flask import current_app

    from survey.clock import local_today
    from survey.extensions import db
    from survey.leaders.senders import configured_sender
    from survey.questionnaire.versions import questionnaire_of

    wave = db.session.get(Wave, wave_id)
    if wave is None:
        return
    totals = dict(totals or dict.fromkeys(("planned", "sent", "failed", "interrupted", "slices"), 0))
    config = current_app.config
    queue = jobs.queue()
    window_key = WINDOW_KEY.format(channel=channel)
    # The wall clock: the window is read by the next slice, perhaps in another consumer process.
    throttle = Throttle(config["SEND_RATE"], clock=time.time, sent=queue.huey.get(window_key, peek=True) or ())
    q = questionnaire_of(wave)
    try:
        result = run(db.session, wave, configured_sender(SendChannel(channel), config), config["PUBLIC_BASE_URL"],
                     q.text(q.title, "vi"), throttle, reminders, local_today(), slice_seconds=SLICE_SECONDS)
    except (DeliveryError, WaveOver) as exc:
        log.warning("leaders send %s %s: %s", wave.code, channel, exc)
        if totals["slices"]:  # stopped midway (the wave ended, the relay's settings went): say what was sent
            _record_send(wave, channel, totals, stopped=str(exc))
        return
    finally:
        try:
            queue.huey.put(window_key, throttle.window())
        except Exception:  # the queue's store is down: the next slice, if any, cannot be queued either
            log.exception("could not keep the send window of %s", channel)
    for name in ("planned", "sent", "failed", "interrupted"):
        totals[name] += getattr(result, name)
    totals["slices"] += 1
    if result.left:
        try:
            # A pause under the scheduler's 1-second round is slept by the next slice instead.
            delay = result.resume_in if result.resume_in >= 1 else 0.0
            queue.enqueue(JOB, wave_id, channel, reminders, totals, delay=delay)
            return
        except Exception as exc:  # the queue's store is down: the rows stay due; a click sends them
            log.exception("could not queue the next slice of the send of %s %s", wave.code, channel)
            _record_send(wave, channel, totals, stopped=f"next slice not queued ({type(exc).__name__})")
            return
    _record_send(wave, channel, totals)


def _record_send(wave: Wave, channel: str, totals: dict[str, int], **extra: str) -> None:
    from survey.audit import record
    from survey.extensions import db

    record("leaders_send", wave.code, username="jobs", channel=channel, **totals, **extra)
    db.session.commit()


jobs.register(JOB, run_job)


def delivery_counts(session: Session, wave: Wave) -> dict[SendChannel, dict[DeliveryStatus, int]]:
    """Rows per channel and status over the whole wave: aggregates only, never who."""
    counts: dict[SendChannel, dict[DeliveryStatus, int]] = {c: {s: 0 for s in DeliveryStatus} for c in SendChannel}
    rows = session.execute(
        select(LeaderDelivery.channel, LeaderDelivery.status, func.count())
        .join(LeaderInvitation, LeaderInvitation.id == LeaderDelivery.invitation_id)
        .where(LeaderInvitation.wave_id == wave.id)
        .group_by(LeaderDelivery.channel, LeaderDelivery.status))
    for channel, status, count in rows:
        counts[SendChannel(channel)][DeliveryStatus(status)] = count
    return counts
