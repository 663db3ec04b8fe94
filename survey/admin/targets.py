"""Per-centre targets for a wave, from the dossiers each centre resolved the quarter before.

A centre that resolved N dossiers (số hồ sơ đã giải quyết) in the previous quarter is expected
to collect ⌈N × rate⌉ responses this wave (`MONITOR_SAMPLING_RATE`, default 5%). A centre
without counts for that quarter falls back to `MONITOR_TARGET_PER_CENTRE`.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey.models import AdminCount, Wave
from survey.quarters import previous_quarter


@dataclass(frozen=True)
class Target:
    responses: int
    dossiers: int | None
    """The previous quarter's dossiers it comes from; None when the fallback applies."""


def centre_targets(session: Session, wave: Wave, centre_ids: list[int], rate: float,
                   fallback: int) -> dict[int, Target]:
    """Each centre's target for `wave`: previous-quarter dossiers × `rate`, else `fallback`."""
    dossiers = dict(session.execute(
        select(AdminCount.centre_id, func.sum(AdminCount.dossiers_resolved))
        .where(AdminCount.quarter == previous_quarter(wave), AdminCount.centre_id.in_(centre_ids))
        .group_by(AdminCount.centre_id)
    ).all())
    targets = {}
    for centre_id in centre_ids:
        count = dossiers.get(centre_id)
        if count is None:
            targets[centre_id] = Target(fallback, None)
        else:
            targets[centre_id] = Target(max(1, math.ceil(int(count) * rate)) if count else 0, int(count))
    return targets


def expected_by(wave: Wave, today: dt.date, target: int) -> int:
    """Responses a centre should have by `today` to reach `target` by the wave's end."""
    total_days = (wave.closes_on - wave.opens_on).days + 1
    elapsed = min(max((today - wave.opens_on).days + 1, 0), total_days)
    return round(target * elapsed / total_days)
