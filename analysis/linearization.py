"""Taylor-linearisation variances finished from per-PSU sums.

Every estimator in this package is a linear combination of ratios of
estimated totals, ``theta = sum_k c_k * T(num_k) / T(den_k)`` (a total is a
ratio whose denominator is 1).  Its linearised variable for response i is
``z_i = sum_k c_k * (y_num,i - R_k * y_den,i) / T(den_k)`` (Woodruff 1971;
Wolter, *Introduction to Variance Estimation*, 2nd ed., ch. 6 on Taylor
series methods; Lohr, *Sampling: Design and Analysis*, ch. 9).  Because ``z`` is linear
in the response-level variables, the PSU totals of ``w*z`` need only the PSU
totals of ``w*y`` -- sums that SQL ``GROUP BY stratum, psu, domain`` returns.

The with-replacement variance of a total is
``sum_h n_h/(n_h - 1) * sum_i (z_hi - zbar_h)^2`` over the ``n_h`` PSUs
sampled in stratum h (Lohr, chs. 3 and 6; Lumley, *Complex Surveys*, ch. 2), times
``(N_h - n_h)/N_h`` when a finite population correction is given.  PSUs with
no response in a domain count as zeros, which is domain estimation on the
full design as R's ``svyby`` does.  A stratum with a single PSU is left
uncentred, as R's ``options(survey.lonely.psu = "adjust")``.

Calibrated designs replace ``w*z`` by calibration residuals exactly as R's
``svyrecvar`` does: ``postStratify`` subtracts design-weighted post-stratum
means, ``rake`` runs ten sweeps of subtracting unweighted margin means of
``x / w`` (Lumley, *Complex Surveys*, ch. 7; Deville & Särndal 1992).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RAKE_VARIANCE_SWEEPS = 10  # fixed in R's svyrecvar for "raking" objects


@dataclass(frozen=True, eq=False)
class StrataInfo:
    """Strata of the full design: labels, PSUs sampled and optional N_h."""

    labels: tuple
    n_psu: np.ndarray
    population_psu: np.ndarray | None = None

    @property
    def degrees_of_freedom(self) -> int:
        """Design degrees of freedom: PSUs minus strata."""
        return int(self.n_psu.sum() - len(self.labels))

    @property
    def lonely(self) -> tuple:
        """Labels of strata with a single sampled PSU."""
        return tuple(lab for lab, n in zip(self.labels, self.n_psu, strict=False) if n == 1)

    def scale(self) -> np.ndarray:
        """Per-stratum factor f_h * n_h / (n_h - 1); f_h alone for lonely strata."""
        n = self.n_psu.astype(float)
        f = np.ones_like(n) if self.population_psu is None else (self.population_psu - n) / self.population_psu
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(n > 1, f * n / (n - 1), f)


@dataclass(frozen=True, eq=False)
class CellCalibration:
    """What variance estimation must remember about a calibration.

    Calibration multiplies every design weight in a cell (a cross-classified
    cell of the margins) by the same factor, so cell-level arrays suffice.
    """

    method: str  # "rake" or "poststratify"
    cell_rows: np.ndarray  # (C,) responses per cell
    cell_base_weight: np.ndarray  # (C,) sum of design weights per cell
    factor: np.ndarray  # (C,) final weight factor g_c
    margin_codes: np.ndarray  # (M, C) category of each cell in margin m
    step_factors: np.ndarray  # (M, C) factor after margin m in the last sweep


@dataclass(frozen=True, eq=False)
class GroupSums:
    """Sums per (PSU, domain[, calibration cell]) group: what GROUP BY returns.

    ``weighted[g, j]`` is the sum of final weight times variable j and
    ``unweighted[g, j]`` the plain sum; ``base_weight`` (sum of design weights
    before calibration) and ``cell`` are needed only for calibrated designs.
    """

    psu: np.ndarray
    domain: np.ndarray
    weighted: np.ndarray
    unweighted: np.ndarray
    rows: np.ndarray
    n_domains: int
    cell: np.ndarray | None = None
    base_weight: np.ndarray | None = None

    def pooled(self) -> GroupSums:
        """The same sums with every domain merged into one (the whole population)."""
        return GroupSums(self.psu, np.zeros_like(self.domain), self.weighted, self.unweighted,
                         self.rows, 1, self.cell, self.base_weight)


@dataclass(frozen=True, eq=False)
class Combination:
    """Statistics ``S`` as combinations ``coefficients @ ratios`` of ``K`` ratios.

    ``denominator[k] == -1`` means ratio k is the plain total of its numerator.
    """

    numerator: np.ndarray
    denominator: np.ndarray
    coefficients: np.ndarray  # (S, K)


@dataclass(frozen=True, eq=False)
class Linearized:
    """Estimates and variances per domain (rows) and statistic (columns)."""

    estimate: np.ndarray  # (D, S)
    variance: np.ndarray  # (D, S)
    totals: np.ndarray  # (D, P) weighted totals of the base variables
    counts: np.ndarray  # (D, P) unweighted sums of the base variables
    rows: np.ndarray  # (D,) responses per domain
    psus: np.ndarray | None = None  # (D, S) PSUs holding an answer used by the statistic
    df: np.ndarray | None = None  # (D, S) those PSUs minus their strata: the domain's df

    def domain_df(self, d: int, s: int, default: int) -> int:
        """Degrees of freedom of statistic ``s`` in domain ``d``, as R's ``degf`` of a subset."""
        return default if self.df is None else int(self.df[d, s])

    def domain_psus(self, d: int, s: int) -> int | None:
        """PSUs holding the answers of statistic ``s`` in domain ``d``."""
        return None if self.psus is None else int(self.psus[d, s])


def _by_domain(sums: GroupSums, values: np.ndarray) -> np.ndarray:
    out = np.zeros((sums.n_domains,) + values.shape[1:])
    np.add.at(out, sums.domain, values)
    return out


def _combine(ratio_like: np.ndarray, coefficients: np.ndarray) -> np.ndarray:
    """``ratio_like @ coefficients.T`` where a NaN term only spoils the statistics using it."""
    bad = np.isnan(ratio_like)
    out = np.where(bad, 0.0, ratio_like) @ coefficients.T
    spoiled = bad.astype(float) @ (coefficients != 0).T > 0
    out[spoiled] = np.nan
    return out


def linearize(sums: GroupSums, strata: StrataInfo, psu_stratum: np.ndarray,
              combo: Combination, calibration: CellCalibration | None = None) -> Linearized:
    """Estimate ``combo`` in every domain of ``sums`` with its linearisation variance."""
    totals = _by_domain(sums, sums.weighted)
    counts = _by_domain(sums, sums.unweighted)
    rows = _by_domain(sums, sums.rows.astype(float))
    has_den = combo.denominator >= 0
    den_col = np.where(has_den, combo.denominator, 0)
    num_t = totals[:, combo.numerator]
    den_t = np.where(has_den, totals[:, den_col], 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(den_t > 0, num_t / den_t, np.nan)
        inv_den = np.where(den_t > 0, 1.0 / den_t, np.nan)
    estimate = _combine(ratio, combo.coefficients)

    def residual(values: np.ndarray) -> np.ndarray:
        den_v = np.where(has_den, values[:, den_col], 0.0)
        lin = (values[:, combo.numerator] - ratio[sums.domain] * den_v) * inv_den[sums.domain]
        return _combine(lin, combo.coefficients)

    z = np.nan_to_num(residual(sums.weighted))
    if calibration is None:
        psu_totals, psu_index, psu_domain = _collapse(sums, z)
    else:
        psu_totals, psu_index, psu_domain = _calibrated_totals(
            sums, z, np.nan_to_num(residual(sums.unweighted)), calibration, len(psu_stratum))
    variance = _stratified_variance(psu_totals, psu_stratum[psu_index], psu_domain,
                                    strata, sums.n_domains)
    variance[np.isnan(estimate)] = np.nan
    psus, df = _domain_psus(sums, psu_stratum, combo, has_den, den_col, len(strata.labels))
    return Linearized(estimate, variance, totals, counts, rows, psus, df)


def _domain_psus(sums: GroupSums, psu_stratum, combo: Combination, has_den, den_col, n_strata):
    """PSUs and degrees of freedom behind each statistic in each domain.

    A PSU counts for a statistic when it holds a response in the domain with an
    answer to one of the statistic's ratios (its denominator is positive).  The
    degrees of freedom are those PSUs minus the strata they lie in, which is what
    R's ``degf`` gives for ``subset(design, ...)``.
    """
    den = np.where(has_den[None, :], sums.unweighted[:, den_col], sums.rows[:, None])
    used = ((den > 0).astype(np.float64) @ (combo.coefficients != 0).T) > 0  # (G, S)
    key = sums.psu.astype(np.int64) * sums.n_domains + sums.domain
    unique, inverse = np.unique(key, return_inverse=True)
    per_psu = np.zeros((len(unique), used.shape[1]))
    np.maximum.at(per_psu, inverse, used.astype(np.float64))
    domain, stratum = unique % sums.n_domains, psu_stratum[unique // sums.n_domains]
    counts = np.zeros((sums.n_domains, n_strata, used.shape[1]))
    np.add.at(counts, (domain, stratum), per_psu)
    psus = counts.sum(axis=1)
    return psus.astype(np.int64), (psus - (counts > 0).sum(axis=1)).astype(np.int64)


def _collapse(sums: GroupSums, z: np.ndarray):
    """Sum group rows into one row per (PSU, domain)."""
    key = sums.psu.astype(np.int64) * sums.n_domains + sums.domain
    unique, inverse = np.unique(key, return_inverse=True)
    totals = np.zeros((len(unique), z.shape[1]))
    np.add.at(totals, inverse, z)
    return totals, unique // sums.n_domains, unique % sums.n_domains


def _stratified_variance(psu_totals, stratum, domain, strata: StrataInfo, n_domains):
    """Per domain, ``sum_h scale_h * sum_i (z_hi - zbar_h)^2`` over all ``n_h`` PSUs of stratum h.

    The squares are taken of deviations from the stratum mean, as R's ``onestrat``
    (``sweep`` then ``crossprod``), never as ``sum z^2 - (sum z)^2 / n``: that shortcut
    cancels catastrophically when the PSU totals are nearly equal (a domain whose every
    answer lies in one PSU has residual totals of rounding size) and can come out below 0.
    A PSU with no total in the domain counts as a total of 0, which deviates by ``-zbar_h``.
    """
    n_strata = len(strata.labels)
    key = domain * n_strata + stratum
    s1 = np.zeros((n_domains * n_strata, psu_totals.shape[1]))
    np.add.at(s1, key, psu_totals)
    n = np.tile(strata.n_psu.astype(float), n_domains)
    centre = np.where(n > 1, 1.0 / n, 0.0)  # lonely strata are not centred ("adjust")
    mean = s1 * centre[:, None]
    squares = np.zeros_like(s1)
    np.add.at(squares, key, (psu_totals - mean[key]) ** 2)
    absent = n - np.bincount(key, minlength=n_domains * n_strata)
    squares += absent[:, None] * mean ** 2
    return np.einsum("dhs,h->ds", squares.reshape(n_domains, n_strata, -1), strata.scale())


def _calibrated_totals(sums: GroupSums, z, z_unweighted, cal: CellCalibration, n_psu_total):
    """PSU totals of calibration residuals for every (PSU, domain), as R's svyrecvar."""
    n_cells, n_dom, n_stat = len(cal.factor), sums.n_domains, z.shape[1]
    cell_key = sums.domain * n_cells + sums.cell
    wz = np.zeros((n_dom * n_cells, n_stat))
    np.add.at(wz, cell_key, z)
    wz = wz.reshape(n_dom, n_cells, n_stat)
    if cal.method == "poststratify":
        shift = wz / cal.cell_base_weight[None, :, None]
    else:
        uz = np.zeros((n_dom * n_cells, n_stat))
        np.add.at(uz, cell_key, z_unweighted)
        uz = uz.reshape(n_dom, n_cells, n_stat)
        shift = np.zeros_like(uz)
        g, rows = cal.factor[None, :, None], cal.cell_rows[None, :, None]
        for _ in range(RAKE_VARIANCE_SWEEPS):
            for codes, step in zip(cal.margin_codes, cal.step_factors, strict=False):
                per_cell = (g * uz - rows * shift) / step[None, :, None]
                n_cat = codes.max() + 1
                cat_sum = np.zeros((n_dom, n_cat, n_stat))
                np.add.at(cat_sum, (slice(None), codes), per_cell)
                cat_rows = np.bincount(codes, weights=cal.cell_rows, minlength=n_cat)
                shift = shift + step[None, :, None] * (cat_sum / cat_rows[None, :, None])[:, codes]
    psu_cell_weight = np.zeros((n_psu_total, n_cells))
    np.add.at(psu_cell_weight, (sums.psu, sums.cell), sums.base_weight)
    totals = np.empty((n_dom, n_psu_total, n_stat))
    for d in range(n_dom):
        totals[d] = -psu_cell_weight @ shift[d]
    np.add.at(totals, (sums.domain, sums.psu), z)
    psu_index = np.tile(np.arange(n_psu_total), n_dom)
    return totals.reshape(-1, n_stat), psu_index, np.repeat(np.arange(n_dom), n_psu_total)
