"""The locality summary: what a locality officer sees of the citizens' responses.

Officers are the people citizens rate, so they see aggregates only, never a response:
- responses per local day (a count says nothing about any answer);
- quality flags per day, for complete days only and only when the day holds at least
  MIN_CELL responses;
- the locality's SIPAS estimates (index, fields, elements) with 95% confidence intervals.

Two rules stop an officer from recovering one citizen's answers by comparing what the page
showed before and after that citizen (a differencing attack):
- officers' figures use responses sent before today (local time) only, so a response seen
  being sent at the desk does not move anything on the page that day;
- the estimates use the earliest responses in whole blocks of MIN_CELL, in submission order,
  so two views of the page differ by at least MIN_CELL responses or not at all.
A cell (a day, an estimate) with fewer than MIN_CELL responses is suppressed: shown as
"fewer than 5", its figures left out.

Estimates are unweighted and treat each response as a simple random draw (the weighted,
design-based estimates are the analysts'); only responses the review kept count.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.labels import note_text
from survey.models import Answer, Response, ReviewStatus, Wave
from survey.privacy import MIN_CELL
from survey.privacy.timebands import local_date
from survey.questionnaire import QuestionnaireDefinition
from survey.questionnaire.model import IndexTree

if TYPE_CHECKING:  # pandas and analysis/ load with the first estimate, not with the app
    import pandas as pd

ANALYSIS_ROOT = "index"  # the name analysis/ gives the root of the tree


def suppressed(n: int) -> bool:
    """Whether a cell of `n` responses is too small to show an officer its figures."""
    return n < MIN_CELL


@dataclass
class DaySummary:
    """Responses received on one local day, with their quality flags."""

    day: dt.date
    responses: int = 0
    flagged: int = 0
    flags: Counter = field(default_factory=Counter)

    @property
    def suppressed(self) -> bool:
        return suppressed(self.responses)


@dataclass(frozen=True)
class NodeEstimate:
    """One node of the index tree estimated for the locality.

    `n` counts the responses that answered at least one item under the node; the figures are
    None when the node is suppressed (n under MIN_CELL) or cannot be computed (a child node
    with no answers at all).
    """

    code: str
    label: str
    depth: int
    n: int
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    note: str | None = None  # why the estimate or its interval is missing, in Vietnamese

    @property
    def suppressed(self) -> bool:
        return suppressed(self.n)


@dataclass(frozen=True)
class LocalitySummary:
    """Everything an officer's summary page or aggregate export shows."""

    wave: Wave
    responses: int
    days: list[DaySummary]
    estimates: list[NodeEstimate]
    estimated_from: int
    """How many responses the estimates use (whole blocks of MIN_CELL)."""
    cutoff: dt.datetime | None
    """Responses sent from this moment on are not counted yet (None: all are)."""


def summarise(session: Session, wave: Wave, centre_ids: Iterable[int], definition: QuestionnaireDefinition,
              zone: str, cutoff: dt.datetime | None, blocks: bool = True) -> LocalitySummary:
    """The summary of `wave` at `centre_ids`, counting responses sent before `cutoff`.

    Officers get `cutoff` = the start of today and `blocks` on; admins and analysts may see
    the live, exact figures (`cutoff` None, `blocks` off).
    """
    centre_ids = list(centre_ids)
    query = (
        select(Response.id, Response.submitted_at, Response.quality_flags, Response.review_status)
        .where(Response.wave_id == wave.id, Response.centre_id.in_(centre_ids))
        .order_by(Response.submitted_at, Response.id)
    )
    if cutoff is not None:
        query = query.where(Response.submitted_at < cutoff)
    rows = session.execute(query).all()
    days: dict[dt.date, DaySummary] = {}
    kept: list = []
    for response_id, submitted_at, flags, status in rows:
        day = days.setdefault(local_date(submitted_at, zone), DaySummary(local_date(submitted_at, zone)))
        day.responses += 1
        if flags:
            day.flagged += 1
            day.flags.update(flags)
        if status == ReviewStatus.INCLUDED:
            kept.append(response_id)
    if blocks:
        kept = kept[: len(kept) - len(kept) % MIN_CELL]
    estimates = locality_estimates(session, kept, definition)
    return LocalitySummary(wave, len(rows), sorted(days.values(), key=lambda d: d.day), estimates,
                           len(kept), cutoff)


def _analysis_tree(tree: IndexTree, code: str) -> list[str] | dict:
    """The node `code` in analysis/'s form: a list of items, or {child: ...}."""
    children = tree.node(code).children
    if not any(tree.is_node(child) for child in children):
        return list(children)
    return {child: _analysis_tree(tree, child) if tree.is_node(child) else [child] for child in children}


def _child_weights(tree: IndexTree) -> dict[str, float]:
    weights: dict[str, float] = {}
    for node in tree.nodes:
        for child, weight in zip(node.children, node.weights or (), strict=False):
            weights[child] = weight
    return weights


def _depths(tree: IndexTree, code: str, depth: int = 0) -> Mapping[str, int]:
    found = {code: depth}
    for child in tree.node(code).children:
        if tree.is_node(child):
            found.update(_depths(tree, child, depth + 1))
    return found


def locality_estimates(session: Session, response_ids: list, definition: QuestionnaireDefinition,
                       language: str = "vi") -> list[NodeEstimate]:
    """The index tree's nodes estimated from `response_ids`, each suppressed under MIN_CELL."""
    tree = definition.index
    if not tree.nodes:
        return []
    root = tree.root.code
    depths = _depths(tree, root)
    items = list(tree.items_under(root))
    scores = _scores(session, response_ids, items)
    results = {}
    if len(scores) >= MIN_CELL:
        from analysis.api import estimate_index
        from analysis.design import DesignError

        try:
            shape = _analysis_tree(tree, root)
            found = estimate_index(scores, shape if isinstance(shape, dict) else {root: shape},
                                   weights=_child_weights(tree), meanscores=tree.item_score == "mean_score")
        except DesignError:
            found = []  # e.g. no item answered at all: nothing to show
        results = {(root if e.name == ANALYSIS_ROOT else e.name): e for e in found
                   if e.statistic not in ("share", "meanscore")}
    estimates = []
    for code, depth in depths.items():
        node = tree.node(code)
        found = results.get(code)
        # Responses with an answer under the node: analysis/ counts every row of the frame.
        n = int(scores[list(tree.items_under(code))].notna().any(axis=1).sum())
        show = found is not None and not suppressed(n) and not math.isnan(found.estimate)
        note = None if found is None or suppressed(n) else note_text(found.note, n)
        estimates.append(NodeEstimate(
            code, definition.text(node.label, language), depth, n,
            found.estimate if show else None,
            _bounded(found.ci_low, low=0.0) if show else None,
            _bounded(found.ci_high, high=5.0 if tree.item_score == "mean_score" else 1.0) if show else None,
            note,
        ))
    return estimates


def _bounded(value: float, low: float | None = None, high: float | None = None) -> float | None:
    """A confidence bound clipped to the scale; None when it could not be computed."""
    if math.isnan(value):
        return None
    value = max(value, low) if low is not None else value
    return min(value, high) if high is not None else value


def _scores(session: Session, response_ids: list, items: list[str]) -> pd.DataFrame:
    """One row per response, one column per scored item (1–5, blank when not answered)."""
    import pandas as pd

    if not response_ids:
        return pd.DataFrame(columns=items, dtype=float)
    pairs = []
    for start in range(0, len(response_ids), 1000):  # keep IN lists to a size every database takes
        chunk = response_ids[start:start + 1000]
        pairs.extend(session.execute(
            select(Answer.response_id, Answer.item_code, Answer.score)
            .where(Answer.response_id.in_(chunk), Answer.item_code.in_(items))
        ).all())
    frame = pd.DataFrame(pairs, columns=["response_id", "item_code", "score"])
    wide = frame.pivot(index="response_id", columns="item_code", values="score")
    wide = wide.reindex(index=response_ids, columns=items).astype(float)
    return wide.reset_index(drop=True)


SUPPRESSED_NOTE = f"dưới {MIN_CELL} phiếu"
UNAVAILABLE_NOTE = "không tính được: thiếu câu trả lời"


def summary_tables(summary: LocalitySummary, locality_code: str) -> dict[str, pd.DataFrame]:
    """The summary as export tables: `estimates` (one row per index node) and `per_day`.

    Suppressed cells carry no figure and say why in `note`.
    """
    import pandas as pd

    estimates = pd.DataFrame(
        [
            {
                "wave": summary.wave.code, "locality_code": locality_code, "node": e.code, "label": e.label,
                "responses": e.n if not e.suppressed else None, "estimate": e.estimate,
                "ci_low": e.ci_low, "ci_high": e.ci_high,
                "note": SUPPRESSED_NOTE if e.suppressed else (e.note or UNAVAILABLE_NOTE) if e.estimate is None
                else (e.note or ""),
            }
            for e in summary.estimates
        ],
        columns=["wave", "locality_code", "node", "label", "responses", "estimate", "ci_low", "ci_high", "note"],
    )
    per_day = pd.DataFrame(
        [
            {
                "wave": summary.wave.code, "locality_code": locality_code, "date": d.day.isoformat(),
                "responses": d.responses, "flagged": None if d.suppressed else d.flagged,
                "flags": "" if d.suppressed else "; ".join(f"{k}: {v}" for k, v in sorted(d.flags.items())),
                "note": SUPPRESSED_NOTE if d.suppressed else "",
            }
            for d in summary.days
        ],
        columns=["wave", "locality_code", "date", "responses", "flagged", "flags", "note"],
    )
    return {"estimates": estimates, "per_day": per_day}
