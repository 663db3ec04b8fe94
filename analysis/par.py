"""PAR Index leaders' survey: criterion points, field sums and the block total with a 95% CI.

Each criterion c has a maximum ``P_c`` and graded options worth a share ``s`` of it (A-D,
by default 1, 0.6, 0.2, 0).  Its points are ``P_c`` times the weighted mean share over the
leaders who chose a graded option; "không đánh giá được" (E) and blanks leave the
denominator.  A field (lĩnh vực) is the sum of its criteria and the block total the sum of
all, so every figure is ``sum_c P_c * T(s_c) / T(a_c)``, a linear combination of ratio
estimators (``a_c`` = 1 when c has a graded answer).  Its SE is the Taylor linearisation of
the whole combination (Wolter, *Introduction to Variance Estimation*, ch. 6; Lohr, *Sampling:
Design and Analysis*, ch. 9), with leaders a stratified sample by group and no clusters:
weight ``N_h / n_h`` and fpc ``N_h`` when the invited count ``N_h`` of each group is given
(Lohr ch. 3), equal weights otherwise.  Intervals are ``estimate +/- t(df) * se``.

The sensitivity line counts E as 0 instead of leaving it out.  Cells of fewer than
``min_cell`` leaders are reported without figures (``suppressed``), so that a small group
cannot be read off.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from analysis.design import Design, DesignError
from analysis.estimators import estimate_domains
from analysis.linearization import Combination
from analysis.results import _clean, t_interval

MIN_CELL = 5
LEVEL = 0.95
_WEIGHT, _POPULATION = "_par_weight", "_par_population"


@dataclass(frozen=True)
class Criterion:
    """One scored question: its code (the answer column), maximum points, field and shares."""

    code: str
    points: float
    field: str
    shares: Mapping[str, float]
    """Share earned by each graded option value; any other non-blank value is E."""


@dataclass(frozen=True)
class Figure:
    """Points with their design-based uncertainty; ``None`` figures when suppressed."""

    estimate: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    n: int

    def as_dict(self) -> dict[str, Any]:
        return {"estimate": _clean(self.estimate), "se": _clean(self.se),
                "ci_low": _clean(self.ci_low), "ci_high": _clean(self.ci_high), "n": int(self.n)}


@dataclass(frozen=True)
class ParReport:
    """Every number of the score; the JSON, XLSX and web views all render this record."""

    total: Figure
    total_e_as_zero: Figure
    max_points: float
    by_group: list[dict[str, Any]] = field(default_factory=list)
    by_field: list[dict[str, Any]] = field(default_factory=list)
    criteria: list[dict[str, Any]] = field(default_factory=list)
    min_cell: int = MIN_CELL
    level: float = LEVEL

    @property
    def suppressed(self) -> bool:
        return self.total.estimate is None

    def as_dict(self) -> dict[str, Any]:
        return {"total": self.total.as_dict(), "total_e_as_zero": self.total_e_as_zero.as_dict(),
                "max_points": self.max_points, "min_cell": self.min_cell, "level": self.level,
                "by_group": self.by_group, "by_field": self.by_field, "criteria": self.criteria}


@dataclass(frozen=True, eq=False)
class _Answers:
    """One criterion's answers as arrays: graded (A-D), E, and the share earned."""

    graded: np.ndarray
    cannot_assess: np.ndarray
    share: np.ndarray

    def columns(self, e_as_zero: bool):
        """(answered, share): E counts as answered with share 0 when ``e_as_zero``."""
        answered = self.graded | self.cannot_assess if e_as_zero else self.graded
        return answered.astype(float), self.share


def _answers(data: pd.DataFrame, criterion: Criterion) -> _Answers:
    if criterion.code not in data.columns:
        raise DesignError(f"unknown criterion column '{criterion.code}'")
    text = data[criterion.code].astype("string").str.strip().str.lower()
    blank = (text.isna() | (text == "")).to_numpy(dtype=bool, na_value=True)
    share = text.map(dict(criterion.shares)).to_numpy(dtype=float, na_value=np.nan)
    graded = ~np.isnan(share)
    return _Answers(graded, ~blank & ~graded, np.where(graded, share, 0.0))


def _design(data: pd.DataFrame, group: str, population: Mapping[str, int] | None) -> Design:
    frame = data.copy()
    if population is None:
        return Design.from_frame(frame, strata=group)
    sizes = frame[group].map(lambda g: population.get(g))
    if sizes.isna().any():
        row = int(np.flatnonzero(sizes.isna().to_numpy())[0])
        raise DesignError(f"group '{frame[group].iloc[row]}' (row {row + 1}) has no invited count")
    sampled = frame[group].map(frame[group].value_counts())
    frame[_POPULATION] = sizes.astype(float)
    frame[_WEIGHT] = frame[_POPULATION] / sampled
    return Design.from_frame(frame, weight=_WEIGHT, strata=group, fpc=_POPULATION)


def _figures(design: Design, criteria: Sequence[Criterion], answers: list[_Answers],
             fields: list[str], group: str, e_as_zero: bool, level: float):
    """Per domain (None = all): estimates and SEs of criteria, fields and the total."""
    k = len(criteria)

    def columns():
        for answer in answers:
            yield from answer.columns(e_as_zero)

    points = np.array([c.points for c in criteria])
    rows = [np.eye(k) * points]
    rows.append(np.array([[c.points if c.field == f else 0.0 for c in criteria] for f in fields]))
    rows.append(points[None, :])
    combo = Combination(np.arange(k) * 2 + 1, np.arange(k) * 2, np.vstack(rows))
    out = {}
    for domain, lin, d in estimate_domains(design, columns(), combo, group, overall=True):
        key = None if domain is None else domain[0][1]
        est, se = lin.estimate[d], np.sqrt(lin.variance[d])
        low, high = t_interval(est, se, level, design.df)
        out[key] = (est, se, low, high, int(lin.rows[d]), lin.counts[d, np.arange(k) * 2])
    return out


def _figure(values, j: int, n: int, shown: bool) -> Figure:
    est, se, low, high = (values[0][j], values[1][j], values[2][j], values[3][j])
    if not shown:
        return Figure(None, None, None, None, n)
    return Figure(float(est), float(se), float(low), float(high), n)


def par_score(data: pd.DataFrame, criteria: Sequence[Criterion], *, group: str = "group",
              population: Mapping[str, int] | None = None, level: float = LEVEL,
              min_cell: int = MIN_CELL) -> ParReport:
    """The PAR leaders' score of ``data`` (one row per leader, one answer column per criterion).

    ``population`` maps each group to its invited count; the response rate of a group is
    its rows over that count.  Groups invited but without a response are listed with n = 0.
    """
    if not criteria:
        raise DesignError("no criteria to score")
    max_points = float(sum(c.points for c in criteria))
    fields = list(dict.fromkeys(c.field for c in criteria))
    k, f = len(criteria), len(fields)
    groups = list(population) if population is not None else []
    if data.empty:
        empty = Figure(None, None, None, None, 0)
        return ParReport(empty, empty, max_points,
                         [_group_row(g, None, 0, population, False) for g in groups],
                         [], [], min_cell, level)
    if group not in data.columns:
        raise DesignError(f"unknown group column '{group}'")
    design = _design(data, group, population)
    answers = [_answers(data, criterion) for criterion in criteria]
    main = _figures(design, criteria, answers, fields, group, False, level)
    zero = _figures(design, criteria, answers, fields, group, True, level)
    overall, n = main[None], main[None][4]
    shown = n >= min_cell
    total = _figure(overall, k + f, n, shown)
    total_zero = _figure(zero[None], k + f, n, shown)
    by_group = []
    for label in dict.fromkeys([*groups, *sorted(k_ for k_ in main if k_ is not None)]):
        values = main.get(label)
        cell_n = values[4] if values is not None else 0
        by_group.append(_group_row(label, values, cell_n, population, cell_n >= min_cell, k + f))
    by_field = []
    for j, name in enumerate(fields):
        figure = _figure(overall, k + j, n, shown)
        top = sum(c.points for c in criteria if c.field == name)
        by_field.append({"field": name, "max_points": top, **figure.as_dict(),
                         "lost": None if figure.estimate is None else top - figure.estimate})
    rows = []
    for j, criterion in enumerate(criteria):
        figure = _figure(overall, j, n, shown)
        graded = int(overall[5][j])
        rows.append({"code": criterion.code, "field": criterion.field,
                     "max_points": criterion.points, **figure.as_dict(),
                     "graded": graded if shown else None,
                     "cannot_assess": int(answers[j].cannot_assess.sum()) if shown else None,
                     "mean_share": None if figure.estimate is None else figure.estimate / criterion.points,
                     "lost": None if figure.estimate is None else criterion.points - figure.estimate})
    rows.sort(key=lambda r: (-(r["lost"] or 0), r["code"]))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank if shown else None
    return ParReport(total, total_zero, max_points, by_group, by_field, rows, min_cell, level)


def _group_row(label, values, n: int, population, shown: bool, j: int = 0) -> dict[str, Any]:
    invited = None if population is None else population.get(label)
    figure = (_figure(values, j, n, shown) if values is not None
              else Figure(None, None, None, None, 0))
    return {"group": label, "invited": invited, "responses": n,
            "response_rate": None if not invited else n / invited, **figure.as_dict()}
