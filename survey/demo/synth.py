"""Draw synthetic responses as arrays: places, times, durations, devices, answers, flags.

Arrivals follow a real quarter's shape: each centre collects on a few desk-days of its own
(a day the desk invites citizens), as many as its responses need at a few to a dozen a day,
so a thin commune has its handful of responses on one to three days and the provincial centre
on most days of the quarter. Centre sizes are skewed: many communes stay thin all quarter.
Each assigned block is drawn per respondent at its share; the assigned answer it mostly.

The flags follow the definitions of `survey.respond.quality` exactly, computed on arrays:
a response is a burst when more than BURST_MAX responses of its centre (itself included)
were submitted within BURST_WINDOW up to it; a repeat device when its device answered earlier
in the wave; a speeder, straight-liner or outside office hours by the same thresholds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from survey.questionnaire import Item
from survey.respond import quality

BASE_SCORE = 4.3  # about 80% answer 4–5, near Đắk Lắk's SIPAS of 81.53% in 2025
NO_ANSWER_RATE = 0.03
OPTIONAL_PART_RATE = 0.3  # share of respondents who fill an optional part (pages marked optional)
SKIP_RATE = 0.1  # a question that is not required, left blank
BLOCK_LEFT_BLANK_RATE = 0.08  # respondents drawn for a block who answer none of it
RESPONSES_PER_DESK_DAY = (1.5, 10)  # a desk's day of invitations, from a quiet commune to a busy ward
RECEIPT_RATE = 0.2
SPEEDER_RATE = 0.04
STRAIGHT_RATE = 0.01
OUTSIDE_HOURS_RATE = 0.03
BURST_SHARE = 0.005  # responses that arrive in bursts of BURST_SIZE
BURST_SIZE = 8
REPEAT_RATE = 0.015
THIN_CENTRE_RATE = 0.35  # centres that get only a few responses all quarter
THIN_CENTRE_SIZE = 0.05  # their share of an ordinary centre's responses
CENTRE_SIZE_SPREAD = 1.0  # log-normal sigma of the centres' sizes


@dataclass(frozen=True)
class Places:
    centre_ids: np.ndarray
    centre_locality: np.ndarray  # locality index per centre (-1 for the provincial centre)
    field_ids: dict[str, int]  # field code → id


@dataclass
class Draw:
    """N responses, sorted by submission time."""

    centre: np.ndarray  # index into Places.centre_ids
    field_code: np.ndarray  # object
    submitted: np.ndarray  # epoch seconds, float
    duration: np.ndarray  # seconds, int
    channel: np.ndarray  # object
    device: np.ndarray  # object, hex
    latent: np.ndarray  # respondent satisfaction factor (locality + field + person)
    optional_on: np.ndarray  # (N, n_optional_pages) bool
    assigned: np.ndarray  # (N, n_blocks) bool: drawn for each assigned block
    block_answered: np.ndarray  # (N, n_blocks) bool: drawn and answering some of it
    flags: list[list[str]] | None = None


def _quarter_days(start: dt.date, end: dt.date, timezone: str) -> np.ndarray:
    days = pd.bdate_range(start, end, freq="C", weekmask="Mon Tue Wed Thu Fri Sat")
    return np.array([dt.datetime(d.year, d.month, d.day, tzinfo=ZoneInfo(timezone)).timestamp() for d in days])


def draw_responses(rng: np.random.Generator, n: int, places: Places, field_codes: list[str],
                   start: dt.date, end: dt.date, timezone: str, n_optional: int,
                   block_shares: tuple[float, ...] = ()) -> Draw:
    """Who answered where and when, before any item is drawn."""
    n_centres = len(places.centre_ids)
    size = rng.lognormal(0.0, CENTRE_SIZE_SPREAD, n_centres)
    size[rng.random(n_centres) < THIN_CENTRE_RATE] *= THIN_CENTRE_SIZE
    centre = rng.choice(n_centres, size=n, p=size / size.sum())
    field_weight = rng.dirichlet(np.full(len(field_codes), 1.5))
    field_index = rng.choice(len(field_codes), size=n, p=field_weight)
    field_code = np.asarray(field_codes, dtype=object)[field_index]
    n_localities = max(1, int(places.centre_locality.max()) + 1)
    locality_effect = np.append(rng.normal(0.0, 0.35, n_localities), 0.2)  # last: provincial centre
    field_effect = rng.normal(0.0, 0.15, len(field_codes))
    latent = locality_effect[places.centre_locality[centre]] + field_effect[field_index] + rng.normal(0, 1, n)

    days = _quarter_days(start, end, timezone)
    day = days[_desk_days(rng, centre, n_centres, len(days))]
    seconds = rng.uniform(7.25 * 3600, 16.75 * 3600, n)
    outside = rng.random(n) < OUTSIDE_HOURS_RATE
    seconds[outside] = rng.uniform(18 * 3600, 20 * 3600, outside.sum())
    submitted = day + seconds
    bursts = int(n * BURST_SHARE) // BURST_SIZE
    for _ in range(bursts):  # staff filling in forms: BURST_SIZE in a few minutes at one desk
        rows = rng.choice(n, BURST_SIZE, replace=False)
        centre[rows] = centre[rows[0]]
        submitted[rows] = submitted[rows[0]] + np.arange(BURST_SIZE) * 20.0
    duration = rng.lognormal(np.log(240), 0.4, n).astype(int)
    fast = rng.random(n) < SPEEDER_RATE
    duration[fast] = rng.integers(15, 40, fast.sum())
    device = np.array([rng.bytes(32).hex() for _ in range(n)], dtype=object) if n < 1000 \
        else _hex_devices(rng, n)
    order = np.argsort(submitted, kind="stable")
    repeat = np.flatnonzero(rng.random(n) < REPEAT_RATE)
    assigned = rng.random((n, len(block_shares))) < np.asarray(block_shares, dtype=float)
    draw = Draw(centre[order], field_code[order], submitted[order], duration[order],
                np.where(rng.random(n) < RECEIPT_RATE, "receipt", "desk").astype(object),
                device[order], latent[order], rng.random((n, n_optional)) < OPTIONAL_PART_RATE,
                assigned, assigned & (rng.random(assigned.shape) >= BLOCK_LEFT_BLANK_RATE))
    if len(repeat):  # the same phone answering again later: reuse an earlier device
        earlier = (rng.random(len(repeat)) * repeat).astype(int)
        keep = earlier < repeat
        draw.device[repeat[keep]] = draw.device[earlier[keep]]
    return draw


def _desk_days(rng: np.random.Generator, centre: np.ndarray, n_centres: int, n_days: int) -> np.ndarray:
    """Each response's day (an index into the quarter's days), among its centre's own desk-days."""
    day = np.empty(len(centre), dtype=np.int64)
    order = np.argsort(centre, kind="stable")
    bounds = np.searchsorted(centre[order], np.arange(n_centres + 1))
    for c in range(n_centres):
        rows = order[bounds[c]:bounds[c + 1]]
        if not len(rows):
            continue
        per_day = rng.uniform(*RESPONSES_PER_DESK_DAY)
        # a thin commune's few answers still come on one to three different days
        k = int(min(n_days, len(rows), max(np.ceil(len(rows) / per_day), rng.integers(1, 4))))
        own = rng.choice(n_days, size=k, replace=False)
        day[rows] = own[rng.integers(0, k, len(rows))]
    return day


def _hex_devices(rng: np.random.Generator, n: int) -> np.ndarray:
    raw = rng.bytes(32 * n).hex()
    return np.array([raw[i:i + 64] for i in range(0, 64 * n, 64)], dtype=object)


def likert_scores(rng: np.random.Generator, latent: np.ndarray, n_items: int) -> np.ndarray:
    """Scores 1–5 (0 = "Không trả lời") that correlate through `latent`."""
    n = len(latent)
    item_effect = rng.normal(0.0, 0.25, n_items)
    raw = BASE_SCORE + 0.6 * latent[:, None] + item_effect[None, :] + rng.normal(0, 0.6, (n, n_items))
    scores = np.clip(np.rint(raw), 1, 5).astype(np.int8)
    straight = rng.random(n) < STRAIGHT_RATE
    scores[straight] = scores[straight, :1]
    scores[rng.random((n, n_items)) < NO_ANSWER_RATE] = 0
    return scores


def choice_values(rng: np.random.Generator, item: Item, n: int,
                  shares: dict[str, float] | None = None) -> np.ndarray:
    """Answers to a select_one / select_many / integer item as strings; `shares` (value → share)
    when the demo's answer profile gives them, else random shares."""
    if item.type == "integer":
        low, high = item.minimum or 0, item.maximum or 10
        return rng.integers(low, high + 1, n).astype(str).astype(object)
    values = np.array([c.value for c in item.choices.choices if not c.no_answer], dtype=object)
    if shares:
        weights = np.array([shares.get(value, 0.0) for value in values], dtype=float)
        return values[rng.choice(len(values), n, p=weights / weights.sum())]
    weights = rng.dirichlet(np.full(len(values), 2.0))
    return values[rng.choice(len(values), n, p=weights)]


def quality_flag_lists(draw: Draw, answered: np.ndarray, scale_scores: np.ndarray, timezone: str) -> list[list[str]]:
    """Each response's flags, by the rules of survey.respond.quality, in its order."""
    n = len(draw.submitted)
    expected = np.minimum(quality.SPEEDER_FLOOR_SECONDS, quality.SPEEDER_SECONDS_PER_ANSWER * answered)
    speeder = draw.duration < expected
    given = scale_scores > 0
    n_given = given.sum(axis=1)
    lo = np.where(given, scale_scores, 9).min(axis=1)
    hi = np.where(given, scale_scores, 0).max(axis=1)
    straight = (n_given >= quality.STRAIGHT_LINE_MIN) & (lo == hi)
    # burst: responses of the same centre submitted in [t - window, t], this one included
    key = draw.centre.astype(np.float64) * 1e10 + draw.submitted
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    window = quality.BURST_WINDOW.total_seconds()
    recent = np.arange(n) - np.searchsorted(sorted_key, sorted_key - window, side="left") + 1
    burst = np.empty(n, bool)
    burst[order] = recent > quality.BURST_MAX
    local = pd.to_datetime(draw.submitted, unit="s", utc=True).tz_convert(timezone)
    clock = (local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6).to_numpy()
    weekday = local.day_of_week.to_numpy()
    outside = np.ones(n, bool)
    for day, (opens, closes) in quality.OFFICE_HOURS.items():
        on_day = weekday == day
        outside[on_day] = ~((clock[on_day] >= _seconds(opens)) & (clock[on_day] <= _seconds(closes)))
    outside &= draw.channel == "desk"  # only a desk-QR answer says when the citizen was at the desk
    repeat = pd.Series(draw.device).duplicated().to_numpy()
    checks = [("speeder", speeder), ("straight_lining", straight), ("burst", burst),
              ("outside_hours", outside), ("repeat_device", repeat)]
    combo = sum((flag.astype(np.int64) << bit) for bit, (_, flag) in enumerate(checks))
    names = {code: [name for bit, (name, _) in enumerate(checks) if code >> bit & 1] for code in np.unique(combo)}
    return [names[c] for c in combo.tolist()]


def _seconds(moment: dt.time) -> float:
    return moment.hour * 3600 + moment.minute * 60 + moment.second + moment.microsecond / 1e6
