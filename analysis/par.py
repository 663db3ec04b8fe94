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
(Lohr ch. 3), equal weights otherwise.

Intervals stay inside [0, maximum]: a figure divided by its maximum is a mean of shares in
[0, 1], so its interval is the logit interval of R's ``svyciprop(method = "logit")`` (Lumley,
*Complex Surveys*, 2.2.3): ``max * expit(logit(p) +/- t(df) * se / (max * p * (1 - p)))``,
with df the design's (responses minus groups; responses minus one within a group).

A figure that cannot be computed is ``None`` with a reason code, never NaN:

- ``suppressed``: fewer than ``min_cell`` leaders, so a small group cannot be read off;
- ``census``: every invited leader of the cell answered, so there is no sampling error
  (se 0, no interval);
- ``no_graded``: no leader chose a graded option (A-D) for a criterion in the cell;
- ``too_few``: fewer than two responses, no variance can be estimated;
- ``no_df``: the design leaves no degrees of freedom (as many groups as responses);
- ``all_same``: every answer earned the same share, so the estimated variance is 0 although
  not everyone answered; an interval of width 0 would claim certainty it does not have.

The sensitivity line counts E as 0 instead of leaving it out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import special

from analysis.design import Design, DesignError
from analysis.estimators import estimate_domains
from analysis.linearization import Combination
from analysis.results import _clean

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


CENSUS, SUPPRESSED, NO_GRADED, TOO_FEW, NO_DF, ALL_SAME = (
    "census", "suppressed", "no_graded", "too_few", "no_df", "all_same")
REASONS = (CENSUS, SUPPRESSED, NO_GRADED, TOO_FEW, NO_DF, ALL_SAME)
"""Why a figure, its se or its interval is ``None`` (the module docstring says when)."""


@dataclass(frozen=True)
class Figure:
    """Points with their design-based uncertainty; ``None`` where a figure cannot be computed,
    and ``reason`` says why (one of ``REASONS``)."""

    estimate: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    n: int
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"estimate": _clean(self.estimate), "se": _clean(self.se),
                "ci_low": _clean(self.ci_low), "ci_high": _clean(self.ci_high), "n": int(self.n),
                "reason": self.reason}


def bounded_interval(estimate: float, se: float, top: float, df: float,
                     level: float = LEVEL) -> tuple[float, float]:
    """The logit interval of ``estimate`` in (0, ``top``), as ``svyciprop(method="logit")``."""
    p = estimate / top
    q = float(special.stdtrit(df, 0.5 + level / 2))
    eta, half = np.log(p / (1 - p)), q * se / (top * p * (1 - p))
    return float(top / (1 + np.exp(-(eta - half)))), float(top / (1 + np.exp(-(eta + half))))


def figure(estimate: float, se: float, top: float, n: int, df: float, *, census: bool,
           shown: bool = True, level: float = LEVEL) -> Figure:
    """One figure and its interval by the rules of the module docstring."""
    if not shown:
        return Figure(None, None, None, None, n, SUPPRESSED)
    if not np.isfinite(estimate):
        return Figure(None, None, None, None, n, NO_GRADED)
    estimate = float(min(max(estimate, 0.0), top))
    if census:
        return Figure(estimate, 0.0, None, None, n, CENSUS)
    if n < 2 or not np.isfinite(se):
        return Figure(estimate, None, None, None, n, TOO_FEW)
    if df <= 0:
        return Figure(estimate, float(se), None, None, n, NO_DF)
    if se <= 0 or estimate <= 0 or estimate >= top:
        return Figure(estimate, float(se), None, None, n, ALL_SAME)
    low, high = bounded_interval(estimate, float(se), top, df, level)
    return Figure(estimate, float(se), low, high, n)


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
        with np.errstate(invalid="ignore"):
            est, se = lin.estimate[d], np.sqrt(lin.variance[d])
        out[key] = (est, se, int(lin.rows[d]), lin.counts[d, np.arange(k) * 2])
    return out


@dataclass(frozen=True)
class _Cell:
    """One domain's raw estimates and what its figures need: n, df, census, shown."""

    values: tuple
    n: int
    df: float
    census: bool
    shown: bool

    def figure(self, j: int, top: float, level: float) -> Figure:
        return figure(float(self.values[0][j]), float(self.values[1][j]), top, self.n, self.df,
                      census=self.census, shown=self.shown, level=level)


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
        empty = Figure(None, None, None, None, 0, SUPPRESSED)
        return ParReport(empty, empty, max_points,
                         [_group_row(g, None, population, max_points, 0, level) for g in groups],
                         [], [], min_cell, level)
    if group not in data.columns:
        raise DesignError(f"unknown group column '{group}'")
    design = _design(data, group, population)
    answers = [_answers(data, criterion) for criterion in criteria]
    main = _figures(design, criteria, answers, fields, group, False, level)
    zero = _figures(design, criteria, answers, fields, group, True, level)
    n = main[None][2]
    shown = n >= min_cell
    counts = data[group].value_counts()
    census = population is not None and all(counts.get(g, 0) >= size for g, size in population.items())
    overall = _Cell(main[None], n, design.df, census, shown)
    total = overall.figure(k + f, max_points, level)
    total_zero = _Cell(zero[None], n, design.df, census, shown).figure(k + f, max_points, level)
    by_group = []
    for label in dict.fromkeys([*groups, *sorted(k_ for k_ in main if k_ is not None)]):
        values = main.get(label)
        cell = None
        if values is not None:
            invited = None if population is None else population.get(label)
            cell = _Cell(values, values[2], values[2] - 1,
                         invited is not None and values[2] >= invited, values[2] >= min_cell)
        by_group.append(_group_row(label, cell, population, max_points, k + f, level))
    by_field = []
    for j, name in enumerate(fields):
        top = sum(c.points for c in criteria if c.field == name)
        result = overall.figure(k + j, top, level)
        by_field.append({"field": name, "max_points": top, **result.as_dict(),
                         "lost": None if result.estimate is None else top - result.estimate})
    rows = []
    for j, criterion in enumerate(criteria):
        result = overall.figure(j, criterion.points, level)
        graded = int(overall.values[3][j])
        rows.append({"code": criterion.code, "field": criterion.field,
                     "max_points": criterion.points, **result.as_dict(),
                     "graded": graded if shown else None,
                     "cannot_assess": int(answers[j].cannot_assess.sum()) if shown else None,
                     "mean_share": None if result.estimate is None else result.estimate / criterion.points,
                     "lost": None if result.estimate is None else criterion.points - result.estimate})
    rows.sort(key=lambda r: (-(r["lost"] or 0), r["code"]))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank if shown else None
    return ParReport(total, total_zero, max_points, by_group, by_field, rows, min_cell, level)


def _group_row(label, cell: _Cell | None, population, top: float, j: int,
               level: float) -> dict[str, Any]:
    invited = None if population is None else population.get(label)
    result = (cell.figure(j, top, level) if cell is not None
              else Figure(None, None, None, None, 0, SUPPRESSED))
    return {"group": label, "invited": invited, "responses": result.n,
            "response_rate": None if not invited else result.n / invited, **result.as_dict()}
