"""Progress of a wave: invited, opened, completed and the rate, per group and per unit.

Everything here is read from the invitations, and from the mix only as a count per group. An
invitation turns completed when its sheet leaves the mix in a block of at least five of its
group (survey.leaders.mix), so two loads of these pages differ by blocks, never by one leader.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.models import DeliveryStatus, LeaderInvitation, SendChannel, Wave

STATUS_LABELS = {
    DeliveryStatus.QUEUED: "chờ gửi",
    DeliveryStatus.SENDING: "đang gửi",
    DeliveryStatus.SENT: "đã gửi",
    DeliveryStatus.FAILED: "lỗi",
}
CHANNEL_LABELS = {SendChannel.EMAIL: "Email", SendChannel.SMS: "Tin nhắn SMS"}


@dataclass(frozen=True)
class Tally:
    """Counts for one group or unit."""

    key: str
    invited: int
    opened: int
    completed: int

    @property
    def rate(self) -> float | None:
        """Response rate: completed over invited."""
        return self.completed / self.invited if self.invited else None


def _tally(rows, key) -> list[Tally]:
    counts: dict[str, list[int]] = {}
    for row in rows:
        c = counts.setdefault(key(row), [0, 0, 0])
        c[0] += 1
        c[1] += row.opened
        c[2] += row.completed
    return [Tally(k, *v) for k, v in sorted(counts.items())]


def progress(session: Session, wave: Wave) -> tuple[Tally, list[Tally], list[Tally]]:
    """The wave's totals, the tallies by group and by (group, unit)."""
    rows = list(session.scalars(select(LeaderInvitation).where(LeaderInvitation.wave_id == wave.id)))
    overall = _tally(rows, lambda r: "") or [Tally("", 0, 0, 0)]
    return overall[0], _tally(rows, lambda r: r.group_code), _tally(rows, lambda r: f"{r.group_code}\t{r.unit}")


def non_respondents(session: Session, wave: Wave) -> list[LeaderInvitation]:
    """Invitees not yet counted as completed (a sheet waiting in the mix included), for reminders."""
    return list(session.scalars(
        select(LeaderInvitation)
        .where(LeaderInvitation.wave_id == wave.id, LeaderInvitation.completed.is_(False))
        .order_by(LeaderInvitation.group_code, LeaderInvitation.unit, LeaderInvitation.full_name)))


def invited_by_group(session: Session, wave: Wave) -> dict[str, int]:
    """How many leaders of each group were invited: the N_h of the score's design."""
    _, groups, _ = progress(session, wave)
    return {t.key: t.invited for t in groups}
