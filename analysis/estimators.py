"""Means, totals, proportions and ratios, overall and by domain.

Each is R's ``svymean`` / ``svytotal`` / ``svyciprop`` / ``svyratio``
(Lumley, *Complex Surveys*, chs. 2-3), with ``by=`` done as ``svyby``:
domain estimation on the full design, never by dropping PSUs (Lohr,
*Sampling: Design and Analysis*, ch. 4 on domains).  Missing values are
left out as with ``na.rm = TRUE``, which is again domain estimation.

Standard errors come from ``analysis.linearization`` (Taylor series, Wolter
ch. 6).  The design effect is R's default ``deff = TRUE``: the variance over
``(1 - n/N) s^2 / n`` with ``s^2`` the weighted variance times ``n/(n-1)``
(Kish 1965; Lumley ch. 2); it is undefined (``None``) when ``N <= n``.
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np

from analysis.design import Design, DesignError, domain_codes, numeric_column
from analysis.linearization import Combination, Linearized, linearize
from analysis.results import Estimate, build, korn_graubard, logit_interval, normal_interval

__all__ = ["mean", "total", "proportion", "ratio", "estimate_domains"]


def estimate_domains(design: Design, columns: Iterable[np.ndarray], combo: Combination,
                     by: str | None, overall: bool) -> list[tuple[tuple | None, Linearized, int]]:
    """Linearise ``combo`` for the population and/or each domain of ``by``.

    Returns ``(domain, linearized, row)`` triples: read row ``row`` of the
    arrays in ``linearized`` for that domain.
    """
    codes, labels, n_domains = domain_codes(design, by)
    sums = design.group_sums(columns, codes, n_domains)
    args = (design.strata, design.psu_stratum, combo, design.calibration)
    out = []
    if overall or by is None:
        out.append((None, linearize(sums.pooled(), *args), 0))
    if by is not None:
        lin = linearize(sums, *args)
        out.extend((((by, label),), lin, d) for d, label in enumerate(labels))
    return out


def _as_list(variables: str | Sequence[str]) -> list[str]:
    return [variables] if isinstance(variables, str) else list(variables)


def _moment_columns(values: Sequence[np.ndarray]):
    for y in values:
        present = ~np.isnan(y)
        filled = np.where(present, y, 0.0)
        yield present.astype(float)
        yield filled
        yield filled * filled


def _deff(lin: Linearized, d: int, j: int, variance: float, for_total: bool):
    n, weight_sum = lin.counts[d, 3 * j], lin.totals[d, 3 * j]
    if n < 2 or weight_sum <= n:
        return None
    s2 = (lin.totals[d, 3 * j + 2] / weight_sum - (lin.totals[d, 3 * j + 1] / weight_sum) ** 2)
    s2 *= n / (n - 1)
    if for_total:
        s2 *= weight_sum ** 2
    vsrs = s2 * (weight_sum - n) / (weight_sum * n)
    return variance / vsrs if vsrs > 0 else None


PROPORTION_INTERVALS = ("beta", "logit")


def _proportion_interval(method: str, level: float):
    if method == "beta":
        return (lambda p, se, n, df: korn_graubard(p, se, n, df, level),
                "taylor; korn-graubard (beta) interval, t(df), nchs effective n")
    return (lambda p, se, n, df: logit_interval(p, se, level, df), "taylor; logit interval, t(df)")


def _moments(design, names, values, statistic, by, level, overall, interval="beta") -> list[Estimate]:
    k = len(names)
    den = np.arange(k) * 3 if statistic != "total" else -np.ones(k, np.int64)
    combo = Combination(np.arange(k) * 3 + 1, den, np.eye(k))
    results = []
    for domain, lin, d in estimate_domains(design, _moment_columns(values), combo, by, overall):
        for j, name in enumerate(names):
            est, var = lin.estimate[d, j], lin.variance[d, j]
            se = np.sqrt(var)
            if statistic == "proportion":
                bounds, method = _proportion_interval(interval, level)
            else:
                bounds = lambda e, s, n, df: normal_interval(e, s, level)  # noqa: E731
                method = "taylor; wald interval, normal"
            deff = _deff(lin, d, j, var, statistic == "total")
            results.append(build(name, statistic, domain, est, se, bounds, lin.domain_df(d, j, design.df),
                                 deff, lin.counts[d, 3 * j], method, level, lin.domain_psus(d, j)))
    return results


def mean(design: Design, variables: str | Sequence[str], *, by: str | None = None,
         level: float = 0.95, overall: bool = False) -> list[Estimate]:
    """Weighted means, as ``svymean`` (or ``svyby(..., svymean)`` with ``by``)."""
    names = _as_list(variables)
    return _moments(design, names, [numeric_column(design.data, v) for v in names],
                    "mean", by, level, overall)


def total(design: Design, variables: str | Sequence[str], *, by: str | None = None,
          level: float = 0.95, overall: bool = False) -> list[Estimate]:
    """Estimated population totals, as ``svytotal``."""
    names = _as_list(variables)
    return _moments(design, names, [numeric_column(design.data, v) for v in names],
                    "total", by, level, overall)


def indicator(design: Design, variable: str, success=None) -> np.ndarray:
    """0/1 column for a proportion: the column itself, or whether it equals ``success``."""
    if success is None:
        values = numeric_column(design.data, variable)
        bad = ~np.isnan(values) & (values != 0) & (values != 1)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise DesignError(f"column '{variable}' row {row + 1}: {values[row]:g} is not 0 or 1 "
                              "(give the value that counts as success)")
        return values
    column = design.data[variable]
    text = column.astype("string").str.strip()
    hit = (text == str(success).strip()).fillna(False).to_numpy()
    return np.where(text.isna().to_numpy() | (text == "").fillna(True).to_numpy(), np.nan, hit * 1.0)


def proportion(design: Design, variables: str | Sequence[str], *, success=None, by: str | None = None,
               level: float = 0.95, overall: bool = False, interval: str = "beta") -> list[Estimate]:
    """Proportions as ``svyciprop``: ``interval="beta"`` (Korn–Graubard, NCHS rules) or ``"logit"``.

    Each interval uses the degrees of freedom of the PSUs holding the answers,
    as R's ``svyciprop`` on ``subset(design, ...)`` does.
    """
    if interval not in PROPORTION_INTERVALS:
        raise DesignError(f"interval '{interval}' is not one of {', '.join(PROPORTION_INTERVALS)}")
    names = _as_list(variables)
    for name in names:
        if name not in design.data.columns:
            raise DesignError(f"unknown column '{name}'")
    return _moments(design, names, [indicator(design, v, success) for v in names],
                    "proportion", by, level, overall, interval)


def ratio(design: Design, numerator: str, denominator: str, *, by: str | None = None,
          level: float = 0.95, overall: bool = False) -> list[Estimate]:
    """Ratio of two totals, as ``svyratio``; Wald normal interval, no deff."""
    num, den = numeric_column(design.data, numerator), numeric_column(design.data, denominator)
    present = ~(np.isnan(num) | np.isnan(den))
    columns = [present * 1.0, np.where(present, num, 0.0), np.where(present, den, 0.0)]
    combo = Combination(np.array([1]), np.array([2]), np.eye(1))
    results = []
    for domain, lin, d in estimate_domains(design, columns, combo, by, overall):
        est, se = lin.estimate[d, 0], np.sqrt(lin.variance[d, 0])
        results.append(build(f"{numerator}/{denominator}", "ratio", domain, est, se,
                             lambda e, s, n, df: normal_interval(e, s, level),
                             lin.domain_df(d, 0, design.df), None, lin.counts[d, 0],
                             "taylor; wald interval, normal", level, lin.domain_psus(d, 0)))
    return results
