"""The one result record and its confidence intervals.

Intervals follow R's ``survey`` package (Lumley, *Complex Surveys*, ch. 2,
and R's ``svyciprop`` help page): ``confint(svymean(...))`` is a Wald interval with the normal
quantile; ``svyciprop(method = "logit")`` is a Wald interval on the logit
scale with the t quantile on the design's degrees of freedom,
``expit(logit(p) +/- t * se / (p (1 - p)))`` since the delta method gives
``se(logit p) = se(p) / (p (1 - p))``; index nodes use ``estimate +/- t * se``.
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

    def as_dict(self) -> dict:
        """A JSON-ready record; NaN becomes ``None``."""
        key = "node" if self.statistic in NODE_STATISTICS else "variable"
        record = {key: self.name, "statistic": self.statistic,
                  "domain": None if self.domain is None else dict(self.domain)}
        for field in ("estimate", "se", "ci_low", "ci_high", "n", "df", "deff", "cv"):
            record[field] = _clean(getattr(self, field))
        record.update(method=self.method, level=self.level)
        return record


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


def expit(eta):
    """Inverse logit."""
    return 1.0 / (1.0 + np.exp(-eta))


def build(name, statistic, domain, estimate, se, interval, df, deff, n, method, level) -> Estimate:
    """Assemble an ``Estimate`` from plain numbers (NaN allowed)."""
    estimate, se = float(estimate), float(se)
    cv = se / abs(estimate) if estimate not in (0.0,) and not math.isnan(estimate) else math.nan
    deff = None if deff is None or not np.isfinite(deff) else float(deff)
    return Estimate(name, statistic, domain, estimate, se, float(interval[0]), float(interval[1]),
                    int(df), deff, cv, int(n), method, float(level))
