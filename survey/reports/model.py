"""The quarterly report as data: one object holds every number.

HTML, XLSX, JSON and the web page are renderers of a ``Report``, so a number
cannot differ between them.  ``Report.as_dict()`` is the JSON document
described in ``docs/report.md``.  A locality is one ``LocalityRow``; a later
column (e.g. a small-area estimate) goes into its ``extra`` mapping, which the
JSON carries as ``extra``; the HTML and XLSX renderers show it once a column
is added for it there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from survey.enums import ReportKind
from survey.labels import note_text


def _clean(value):
    if value is None:
        return None
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    return value


@dataclass(frozen=True)
class Stat:
    """An estimate with its design-based uncertainty (shares are proportions in [0, 1]).

    ``note`` says why the SE or the interval is missing (``analysis.results.NOTES``);
    ``as_dict`` adds its Vietnamese wording as ``note_text``.
    """

    estimate: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    n: int
    deff: float | None
    cv: float | None
    note: str | None = None

    @property
    def effective_n(self) -> float | None:
        """n ÷ deff with deff floored at 1 (NCHS presentation standards), so never above n."""
        if self.deff is None or not self.deff > 0:
            return None
        return self.n / max(self.deff, 1.0)

    @property
    def note_text(self) -> str | None:
        """Why the SE or interval is missing, in Vietnamese."""
        return note_text(self.note, self.n)

    def as_dict(self) -> dict:
        return {"estimate": _clean(self.estimate), "se": _clean(self.se), "ci_low": _clean(self.ci_low),
                "ci_high": _clean(self.ci_high), "n": self.n, "effective_n": _clean(self.effective_n),
                "deff": _clean(self.deff), "cv": _clean(self.cv), "note": self.note,
                "note_text": note_text(self.note, self.n)}


EMPTY = Stat(None, None, None, None, 0, None, None, "no_answers")


@dataclass(frozen=True)
class NodeResult:
    """A node of the index tree (the index, a field or an element) with its estimate.

    ``reliable`` and ``reasons`` apply the same rule as the localities' (``analysis.report``).
    """

    code: str
    label: str
    stat: Stat
    parent: str | None = None
    reliable: bool = False
    reasons: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {"code": self.code, "label": self.label, "parent": self.parent, **self.stat.as_dict(),
                "reliable": self.reliable, "reasons": list(self.reasons)}


@dataclass(frozen=True)
class ItemResult:
    """One item: its share satisfied and its weighted share at each answer level 1-5."""

    code: str
    label: str
    element: str
    share: Stat
    levels: tuple[float, ...]
    reliable: bool = False
    reasons: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {"code": self.code, "label": self.label, "element": self.element,
                "share_satisfied": self.share.as_dict(), "levels": [_clean(v) for v in self.levels],
                "reliable": self.reliable, "reasons": list(self.reasons)}


@dataclass
class LocalityRow:
    """One locality (or the provincial centre): its index, reliability, rank and group."""

    code: str
    name: str
    kind: str
    index: Stat
    reliable: bool
    reasons: tuple[str, ...]
    rank: int | None = None
    group: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    change: dict[str, Any] | None = None  # since the previous wave (analysis.change), or why not

    def as_dict(self) -> dict:
        change = None if self.change is None else {
            **{k: _clean(v) for k, v in self.change.items()},
            "note_text": note_text(self.change.get("note"), self.index.n)}
        return {"code": self.code, "name": self.name, "kind": self.kind, "n": self.index.n,
                "index": self.index.as_dict(), "reliable": self.reliable,
                "reasons": list(self.reasons), "rank": self.rank, "group": self.group,
                "change": change,
                **({"extra": self.extra} if self.extra else {})}


@dataclass(frozen=True)
class SectorRow:
    """One service sector (lĩnh vực thủ tục hành chính, e.g. Đất đai): its index and reliability.

    ``nodes`` holds the index's children (the service and policy halves) in the sector.
    """

    code: str
    name: str
    index: Stat
    reliable: bool
    reasons: tuple[str, ...]
    nodes: dict[str, Stat] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"code": self.code, "name": self.name, "n": self.index.n, "index": self.index.as_dict(),
                "reliable": self.reliable, "reasons": list(self.reasons),
                "nodes": {k: v.as_dict() for k, v in self.nodes.items()}}


@dataclass(frozen=True)
class OpinionResult:
    """An opinion item (harassment, informal payments): the weighted share reporting it."""

    code: str
    label: str
    overall: Stat
    by_locality: dict[str, Stat]  # reliable localities only

    def as_dict(self) -> dict:
        return {"code": self.code, "label": self.label, "overall": self.overall.as_dict(),
                "by_locality": {k: v.as_dict() for k, v in self.by_locality.items()}}


@dataclass(frozen=True)
class DriverRow:
    """One element in the key-driver regression (log-odds per point of the element's mean score)."""

    code: str
    label: str
    coefficient: float
    se: float
    ci_low: float
    ci_high: float
    p_value: float

    @property
    def odds_ratio(self) -> float:
        return math.exp(self.coefficient)

    def as_dict(self) -> dict:
        return {"code": self.code, "label": self.label, "coefficient": self.coefficient, "se": self.se,
                "ci_low": self.ci_low, "ci_high": self.ci_high, "p_value": self.p_value,
                "odds_ratio": self.odds_ratio}


@dataclass(frozen=True)
class Drivers:
    """The key-driver regression: outcome, the elements as predictors, and a plain reading."""

    outcome: str
    outcome_label: str
    rows: tuple[DriverRow, ...]
    intercept: float
    n: int
    df: int
    reading: str
    left_out: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {"outcome": self.outcome, "outcome_label": self.outcome_label, "n": self.n, "df": self.df,
                "intercept": self.intercept, "drivers": [r.as_dict() for r in self.rows],
                "reading": self.reading, "left_out": list(self.left_out)}


@dataclass(frozen=True)
class CentreQuality:
    """Responses, flags and exclusions at one centre; coverage where dossier counts exist."""

    centre_code: str
    centre_name: str
    locality_code: str
    stored: int
    kept: int
    excluded: int
    flagged: int
    dossiers: int | None

    @property
    def coverage(self) -> float | None:
        """Responses ÷ dossiers resolved."""
        return self.stored / self.dossiers if self.dossiers else None

    def as_dict(self) -> dict:
        return {"centre_code": self.centre_code, "centre_name": self.centre_name,
                "locality_code": self.locality_code, "stored": self.stored, "kept": self.kept,
                "excluded": self.excluded, "flagged": self.flagged, "dossiers": self.dossiers,
                "coverage": self.coverage}


@dataclass
class Report:
    """Every number of the quarterly SIPAS report for one wave."""

    wave: str
    is_demo: bool
    weighted: bool
    n: int
    level: float
    target: float | None  # the questionnaire's (``index.target``) or the command's; None: no target
    df: int
    index: NodeResult
    fields: list[NodeResult]
    elements: list[NodeResult]
    items: list[ItemResult]
    weakest: list[str]
    localities: list[LocalityRow]
    opinions: list[OpinionResult]
    drivers: Drivers | None
    change: dict | None
    trend: list[dict]
    quality: list[CentreQuality]
    method: dict
    reliability_rule: str
    interim: bool = False
    built_at: str = ""  # local ISO time of the build
    weakest_left_out: int = 0  # items not in the weakest list because their share is not reliable
    sectors: list[SectorRow] = field(default_factory=list)
    extremes: dict[str, dict] = field(default_factory=dict)  # per element: best and worst reliable locality
    comments: list[dict] | None = None  # the published comment digests of the wave, by locality
    # province-level sections from the questionnaire's report items (survey.reports.groups);
    # None when the questionnaire declares none
    groups: list | None = None
    priorities: list | None = None
    channels: list | None = None
    charts: dict[str, bytes] = field(default_factory=dict, repr=False)
    geometry: dict[str, list] = field(default_factory=dict, repr=False)  # code → boundary, for the map only

    @property
    def gap(self) -> float | None:
        """Target minus the index (positive = below target); None without a target or an estimate."""
        if self.target is None or self.index.stat.estimate is None:
            return None
        return self.target - self.index.stat.estimate

    @property
    def gap_sentence(self) -> str | None:
        """The distance to the target in words, as firm as the estimate allows; None without a target."""
        from survey.reports.wording import target_sentence

        return None if self.target is None else target_sentence(self.index.stat, self.target, self.index.reliable)

    @property
    def summary(self) -> list[str]:
        """The one-page summary for the leadership, as sentences (``wording.summary_sentences``)."""
        from survey.reports.wording import summary_sentences

        return summary_sentences(self)

    def item(self, code: str) -> ItemResult:
        return next(i for i in self.items if i.code == code)

    def as_dict(self) -> dict:
        """The JSON document (docs/report.md); charts are left out."""
        return {
            "kind": ReportKind.SATISFACTION, "wave": self.wave, "demo": self.is_demo, "weighted": self.weighted,
            "n": self.n,
            "interim": self.interim, "built_at": self.built_at,
            "level": self.level, "df": self.df, "target": self.target, "gap": _clean(self.gap),
            "gap_sentence": self.gap_sentence,
            "summary": self.summary,
            "province": {
                "index": {self.index.code: self.index.as_dict()},
                "fields": {f.code: f.as_dict() for f in self.fields},
                "elements": {e.code: e.as_dict() for e in self.elements},
                "items": {i.code: i.as_dict() for i in self.items},
            },
            "weakest_items": self.weakest,
            "weakest_left_out": self.weakest_left_out,
            "localities": [row.as_dict() for row in self.localities],
            "sectors": [row.as_dict() for row in self.sectors],
            "extremes": self.extremes,
            "comments": self.comments,
            "groups": None if self.groups is None else [g.as_dict() for g in self.groups],
            "priorities": None if self.priorities is None else [p.as_dict() for p in self.priorities],
            "channels": None if self.channels is None else [c.as_dict() for c in self.channels],
            "opinions": {o.code: o.as_dict() for o in self.opinions},
            "drivers": None if self.drivers is None else self.drivers.as_dict(),
            "change": self.change,
            "trend": self.trend,
            "quality": [q.as_dict() for q in self.quality],
            "method": self.method,
            "reliability_rule": self.reliability_rule,
        }
