"""The one result record and its confidence intervals.

Intervals follow R's ``survey`` package (Lumley, *Complex Surveys*, ch. 2,
and R's ``svyciprop`` help page): ``confint(svymean(...))`` is a Wald interval with the normal
quantile; ``svyciprop(method = "logit")`` is a Wald interval on the logit
scale with the t quantile on the design's degrees of freedom,
``expit(logit(p) +/- t * se / (p (1 - p)))`` since the delta method gives
``se(logit p) = se(p) / (p (1 - p))``.

Shares and indices (means of shares, so also in [0, 1]) get the Korn–Graubard
interval by default, R's ``svyciprop(method = "beta")`` (Korn & Graubard 1998,
*Survey Methodology* 24:193–201): a Clopper–Pearson interval on the effective
sample size ``p (1 - p) / var``, scaled by ``(t(n - 1) / t(df))^2``.  It stays
inside [0, 1] at any n.  With ``nchs=True`` (the report's choice) the NCHS Data
Presentation Standards for Proportions (Parker et al. 2017, *Vital Health Stat*
2(175)) are applied: the effective sample size is capped at n (design effect
floored at 1), and taken as n where the variance is 0 or p is 0 or 1.

What cannot be estimated is said, not printed as 0 or NaN (``Estimate.note``):
no answers, one answer, answers from a single PSU (no variance between PSUs to
measure), or no degrees of freedom (every stratum has one PSU: an SE exists by
the lonely-PSU rule, an interval does not).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable

import numpy as np
import pandas as pd
from scipy import special  # quantiles without importing scipy.stats (a second at start-up)

#: statistics reported under the JSON key "node" rather than "variable"
NODE_STATISTICS = frozenset({"share", "meanscore", "element", "index", "node"})


@dataclass(frozen=True)
class Estimate:
    """One estimate with its design-based uncertainty (R's ``svystat``).

    ``domain`` is ``None`` for the whole population, else a tuple of
    ``(column, value)`` pairs.  ``deff`` is ``None`` where undefined.
    """

    name: str
    statistic: str
    domain: tuple | None
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    df: int
    deff: float | None
    cv: float
    n: int
    method: str
    level: float
    note: str | None = None  # why se / interval are missing (NOTES), None when all are there

    def as_dict(self) -> dict:
        """A JSON-ready record; NaN becomes ``None``."""
        key = "node" if self.statistic in NODE_STATISTICS else "variable"
        record = {key: self.name, "statistic": self.statistic,
                  "domain": None if self.domain is None else dict(self.domain)}
        for field in ("estimate", "se", "ci_low", "ci_high", "n", "df", "deff", "cv"):
            record[field] = _clean(getattr(self, field))
        record.update(method=self.method, level=self.level, note=self.note)
        return record


#: reasons an estimate lacks its SE and interval (the first three) or only its interval (the last)
NOTES = {
    "no_answers": "no response answered",
    "missing_part": "a part it averages has no answers, so it has no value",
    "one_response": "a single response: no variance can be estimated",
    "one_psu": "every answer comes from one PSU: no variance between PSUs can be estimated",
    "no_df": "no degrees of freedom (one PSU per stratum): no interval",
}
WITHOUT_SE = ("no_answers", "missing_part", "one_response", "one_psu")


def note_for(n: int, psus: int | None, df: int) -> str | None:
    """Why an estimate from ``n`` answers in ``psus`` PSUs with ``df`` lacks SE or interval."""
    if n < 1:
        return "no_answers"
    if n < 2:
        return "one_response"
    if psus is not None and psus < 2:
        return "one_psu"
    if df <= 0:
        return "no_df"
    return None


def _clean(value):
    if value is None:
        return None
    if isinstance(value, (int, np.integer)):
        return int(value)
    value = float(value)
    return None if math.isnan(value) or math.isinf(value) else value


def to_records(results: Iterable[Estimate]) -> list[dict]:
    """Results as JSON-ready dictionaries."""
    return [r.as_dict() for r in results]


def to_frame(results: Iterable[Estimate]) -> pd.DataFrame:
    """Results as a flat table; a domain becomes one column per ``by`` column."""
    rows = []
    for r in results:
        row = r.as_dict()
        domain = row.pop("domain") or {}
        name = row.pop("node", None) or row.pop("variable", None)
        rows.append({"name": name, "statistic": row.pop("statistic"),
                     **{f"domain_{k}": v for k, v in domain.items()}, **row})
    return pd.DataFrame(rows)


def normal_interval(estimate, se, level):
    """Wald interval with the normal quantile, as ``confint(svymean(...))``."""
    q = special.ndtri(0.5 + level / 2)
    return estimate - q * se, estimate + q * se


def t_interval(estimate, se, level, df):
    """Wald interval with the t quantile on ``df`` degrees of freedom."""
    q = special.stdtrit(df, 0.5 + level / 2) if df > 0 else np.nan
    return estimate - q * se, estimate + q * se


def logit_interval(p, se, level, df):
    """Logit interval of ``svyciprop(method = "logit")``; undefined at p = 0 or 1."""
    p = np.asarray(p, dtype=float)
    q = special.stdtrit(df, 0.5 + level / 2) if df > 0 else np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        inside = (p > 0) & (p < 1)
        eta = np.where(inside, np.log(p / (1 - p)), np.nan)
        half = q * np.asarray(se) / (p * (1 - p))
        return expit(eta - half), expit(eta + half)


def korn_graubard(p, se, n, df, level, nchs: bool = True):
    """Korn–Graubard interval of a proportion, R's ``svyciprop(method = "beta")``.

    ``n`` is the number of responses behind ``p`` (R's ``nrow(design)``), ``df``
    the design's degrees of freedom.  Without ``nchs`` this is R's formula
    exactly (undefined where the variance is 0); with it, the effective sample
    size is capped at ``n`` and is ``n`` where ``p`` is 0 or 1 or the variance 0.
    """
    p, se = np.asarray(p, dtype=float), np.asarray(se, dtype=float)
    n, df = np.asarray(n, dtype=float), np.asarray(df, dtype=float)
    alpha = 1 - level
    variance = se * se
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = p * (1 - p) / variance
        if nchs:
            usable = (variance > 0) & (p > 0) & (p < 1)
            n_eff = np.minimum(np.where(usable, n_eff, n), n)
        ok = (n > 1) & (df > 0)
        scale = np.where(ok, special.stdtrit(np.where(ok, n - 1, 1), alpha / 2)
                         / special.stdtrit(np.where(ok, df, 1), alpha / 2), np.nan)
        n_eff = n_eff * scale * scale
        x = n_eff * p
        bad = ~(np.isfinite(n_eff) & (n_eff > 0) & np.isfinite(p))
        safe_x = np.where(bad, 0.5, x)
        safe_n = np.where(bad, 1.0, n_eff)
        low = np.where(safe_x <= 0, 0.0, special.betaincinv(np.maximum(safe_x, 1e-300),
                                                            safe_n - safe_x + 1, alpha / 2))
        high = np.where(safe_x >= safe_n, 1.0, special.betaincinv(
            safe_x + 1, np.maximum(safe_n - safe_x, 1e-300), 1 - alpha / 2))
    return np.where(bad, np.nan, low), np.where(bad, np.nan, high)


def expit(eta):
    """Inverse logit."""
    return 1.0 / (1.0 + np.exp(-eta))


def build(name, statistic, domain, estimate, se, interval, df, deff, n, method, level,
          psus: int | None = None) -> Estimate:
    """Assemble an ``Estimate`` from plain numbers (NaN allowed), applying ``note_for``.

    ``interval`` is a pair of bounds, or a function ``(estimate, se, n, df)`` giving
    them, called only when an interval can be computed.  ``psus`` is the number of
    PSUs holding the answers; with fewer than 2 there is no SE.
    """
    estimate, se, n, df = float(estimate), float(se), int(n), int(df)
    note = "missing_part" if math.isnan(estimate) and n > 0 else note_for(n, psus, df)
    deff = None if deff is None or not np.isfinite(deff) else float(deff)
    low = high = math.nan
    if note in WITHOUT_SE:
        se, deff = math.nan, None
    elif note is None:
        low, high = interval(estimate, se, n, df) if callable(interval) else interval
    cv = se / abs(estimate) if estimate != 0.0 and not math.isnan(estimate) else math.nan
    return Estimate(name, statistic, domain, estimate, se, float(low), float(high), df, deff, cv, n,
                    method, float(level), note)
