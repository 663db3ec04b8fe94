"""Means, totals, proportions and ratios, overall and by domain.

Each is R's ``svymean`` / ``svytotal`` / ``svyciprop`` / ``svyratio``
(Lumley, *Complex Surveys*, chs. 2-3), with ``by=`` done as ``svyby``:
domain estimation on the full design, never by dropping PSUs (Lohr,
*Sampling: Design and Analysis*, ch. 4 on domains).  Missing values are
left out as with ``na.rm = TRUE``, which is again domain estimation.

Standard errors come from ``analysis.linearization`` (Taylor series, Wolter
ch. 6).  The design effect is R's default ``deff = TRUE``: the variance over
``(1 - n/N) s^2 / n`` with ``s^2`` the weighted variance times ``n/(n-1)``
(Kish 1965; Lumley ch. 2); it is undefined (``None``) when ``N <= n`` or when
``s^2`` is 0 (every answer equal: R gives ``0/0 = NaN``).  ``s^2`` is summed
from deviations from the domain mean, as R's ``svyvar`` (``sweep`` then
``svymean``), never as ``sum w y^2 / W - ybar^2``, which cancels
catastrophically when the answers are nearly equal or far from 0 (``deviation_sums``).
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
        yield present.astype(float)
        yield np.where(present, y, 0.0)


def deviation_sums(weights: np.ndarray, values: Iterable[np.ndarray], codes: np.ndarray,
                   n_domains: int) -> np.ndarray:
    """``(D, J)``: per domain and column, ``sum_i w_i (y_i - ybar_d)^2`` over the answered rows
    (NaN is no answer), the numerator of R's ``svyvar`` for the design effect.

    The mean is refined once by the mean deviation from it (the corrected two-pass
    algorithm, Chan, Golub & LeVeque 1983): R sums in extended precision, so the mean of
    answers that are all 3 is exactly 3 there and every deviation 0, while one pass in
    doubles may land an ulp away, leaving deviations of rounding size whose squares made
    a design effect of 1e-17 where R has none.  After the step the mean of equal answers is
    the answer itself (the first deviation is exact, Sterbenz), so their sum is 0."""
    columns = []
    for y in values:
        present = ~np.isnan(y)
        w = np.where(present, weights, 0.0)
        filled = np.where(present, y, 0.0)
        weight_sum = np.bincount(codes, weights=w, minlength=n_domains)
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = np.where(weight_sum > 0, np.bincount(codes, weights=w * filled, minlength=n_domains)
                            / weight_sum, 0.0)
            mean += np.where(weight_sum > 0, np.bincount(codes, weights=w * (filled - mean[codes]),
                                                         minlength=n_domains) / weight_sum, 0.0)
        deviation = np.where(present, filled - mean[codes], 0.0)
        columns.append(np.bincount(codes, weights=w * deviation * deviation, minlength=n_domains))
    return np.column_stack(columns) if columns else np.zeros((n_domains, 0))


def domain_deviation_sums(design: Design, values: Sequence[np.ndarray], by: str | None,
                          overall: bool) -> list[np.ndarray]:
    """``deviation_sums`` for each ``Linearized`` of ``estimate_domains(..., by, overall)``, in its order."""
    out = []
    if overall or by is None:
        out.append(deviation_sums(design.weights, values, np.zeros(len(design.data), np.int64), 1))
    if by is not None:
        codes, _, n_domains = domain_codes(design, by)
        out.append(deviation_sums(design.weights, values, codes, n_domains))
    return out


def srs_variance(n: float, weight_sum: float, deviations: float, for_total: bool = False) -> float | None:
    """R's ``deff = TRUE`` denominator: ``(1 - n/W) s^2 / n`` with ``s^2 = deviations / W * n/(n-1)``
    (times ``W^2`` for a total); ``None`` where R's is 0 or undefined (``W <= n``, ``n < 2``)."""
    if n < 2 or weight_sum <= n:
        return None
    s2 = deviations / weight_sum * n / (n - 1)
    if for_total:
        s2 *= weight_sum ** 2
    vsrs = s2 * (weight_sum - n) / (weight_sum * n)
    return vsrs if vsrs > 0 else None


def _deff(lin: Linearized, d: int, j: int, variance: float, deviations: float, for_total: bool):
    vsrs = srs_variance(lin.counts[d, 2 * j], lin.totals[d, 2 * j], deviations, for_total)
    return None if vsrs is None else variance / vsrs


PROPORTION_INTERVALS = ("beta", "logit")


def _proportion_interval(method: str, level: float):
    if method == "beta":
        return (lambda p, se, n, df: korn_graubard(p, se, n, df, level),
                "taylor; korn-graubard (beta) interval, t(df), nchs effective n")
    return (lambda p, se, n, df: logit_interval(p, se, level, df), "taylor; logit interval, t(df)")


def _moments(design, names, values, statistic, by, level, overall, interval="beta") -> list[Estimate]:
    k = len(names)
    den = np.arange(k) * 2 if statistic != "total" else -np.ones(k, np.int64)
    combo = Combination(np.arange(k) * 2 + 1, den, np.eye(k))
    results = []
    domains = estimate_domains(design, _moment_columns(values), combo, by, overall)
    deviations = domain_deviation_sums(design, values, by, overall)
    for domain, lin, d in domains:
        spread = deviations[0 if domain is None else -1][d]
        for j, name in enumerate(names):
            est, var = lin.estimate[d, j], lin.variance[d, j]
            se = np.sqrt(var)
            if statistic == "proportion":
                bounds, method = _proportion_interval(interval, level)
            else:
                bounds = lambda e, s, n, df: normal_interval(e, s, level)  # noqa: E731
                method = "taylor; wald interval, normal"
            deff = _deff(lin, d, j, var, spread[j], statistic == "total")
            results.append(build(name, statistic, domain, est, se, bounds, lin.domain_df(d, j, design.df),
                                 deff, lin.counts[d, 2 * j], method, level, lin.domain_psus(d, j)))
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
