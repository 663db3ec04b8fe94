"""Calibration: post-stratification, raking, and weight trimming.

Raking is iterative proportional fitting of the weights to known margin
totals (Deming & Stephan 1940; Deville & Särndal 1992 and Deville, Särndal
& Sautory 1993 for calibration as a whole; Lohr, *Sampling: Design and
Analysis*, ch. 8 on weighting adjustments; Lumley, *Complex Surveys*, ch. 7).  Both calibrations
multiply every design weight in a cell of the cross-classified margins by
one factor, so they run on cell totals.  The returned design remembers the
cell factors so that variances use calibration residuals as R's ``rake``
and ``postStratify`` do (see ``analysis.linearization``).

Convergence follows R's ``rake``: after each full sweep the largest change
of any cell total must fall below ``tol`` times the total weight (``tol``
below 1) or below ``tol`` itself (``tol`` of 1 or more).  Unlike R, the
raked weights must then meet every margin (``MARGIN_RTOL``): margins that
contradict each other on the sample cells can settle without meeting them.

Trimming (``trim_weights``) caps weights at bounds and hands the trimmed
amount to the untrimmed weights in proportion to their size, repeating
until all weights lie within the bounds, so the weight total is kept.
Trim design weights *before* calibrating: the calibration then restores
the margins, whereas trimming afterwards would break them.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from analysis.design import Design, DesignError
from analysis.linearization import CellCalibration

TOTALS_RTOL = 1e-8  # margins must agree on the population total to this relative tolerance
MARGIN_RTOL = 1e-6  # a raked margin must reach each target total to this relative tolerance


class CalibrationError(DesignError):
    """Calibration is impossible or did not converge."""


def _category_codes(design: Design, variable: str, totals: Mapping) -> tuple[np.ndarray, np.ndarray]:
    """Category index per response and the population total per category."""
    if variable not in design.data.columns:
        raise CalibrationError(f"unknown margin column '{variable}'")
    column = design.data[variable]
    if column.isna().any():
        raise CalibrationError(f"margin column '{variable}': {int(column.isna().sum())} rows have no value")
    text = column.astype(str).str.strip().to_numpy()
    levels = [str(level).strip() for level in totals]
    population = np.array([float(totals[level]) for level in totals])
    if (population < 0).any() or np.isnan(population).any():
        raise CalibrationError(f"margin '{variable}': totals must be non-negative numbers")
    position = {level: i for i, level in enumerate(levels)}
    unknown = sorted(set(text) - set(position))
    if unknown:
        raise CalibrationError(f"margin '{variable}': sample level '{unknown[0]}' has no population total")
    codes = np.array([position[t] for t in text]) if len(text) < 1000 else \
        pd.Series(text).map(position).to_numpy(dtype=np.int64)
    seen = np.bincount(codes, minlength=len(levels))
    for level, count, pop in zip(levels, seen, population, strict=False):
        if count == 0 and pop > 0:
            raise CalibrationError(f"margin '{variable}': sample cell '{level}' is empty "
                                   f"but its population total is {pop:g}")
        if count > 0 and pop == 0:
            raise CalibrationError(f"margin '{variable}': level '{level}' has responses "
                                   "but a population total of 0")
    return codes.astype(np.int64), population


def _cells(design: Design, margins: Mapping[str, Mapping]):
    if design.calibration is not None:
        raise CalibrationError("the design is already calibrated; calibrate the original design")
    if not margins:
        raise CalibrationError("no margins given")
    coded = [_category_codes(design, v, t) for v, t in margins.items()]
    totals = [pop.sum() for _, pop in coded]
    if max(totals) - min(totals) > TOTALS_RTOL * max(totals):
        listing = ", ".join(f"{v}={t:g}" for v, t in zip(margins, totals, strict=False))
        raise CalibrationError(f"margins do not sum to the same total ({listing})")
    stacked = np.column_stack([codes for codes, _ in coded])
    cell_keys, cell = np.unique(stacked, axis=0, return_inverse=True)
    cell = cell.reshape(-1)
    return cell, cell_keys.T.copy(), [pop for _, pop in coded]


def rake(design: Design, margins: Mapping[str, Mapping], *, tol: float = 1e-10, maxit: int = 100) -> Design:
    """Rake weights to ``{column: {level: population total}}``, as R's ``rake``."""
    cell, margin_codes, populations = _cells(design, margins)
    base = np.bincount(cell, weights=design.weights)
    epsilon = tol * design.weights.sum() if tol < 1 else tol
    factor = np.ones(len(base))
    steps = np.ones((len(populations), len(base)))
    old = base.copy()
    for _ in range(maxit):
        for m, (codes, population) in enumerate(zip(margin_codes, populations, strict=False)):
            current = np.bincount(codes, weights=base * factor, minlength=len(population))
            factor = factor * (population / current)[codes]
            steps[m] = factor
        new = base * factor
        if np.max(np.abs(new - old)) < epsilon:
            break
        old = new
    else:
        raise CalibrationError(f"raking did not converge in {maxit} iterations "
                               f"(tolerance {tol:g}); check the margins or raise maxit")
    # A converged sweep may leave each cell off by up to epsilon, so a margin by epsilon × cells.
    _check_margins_met(margins, margin_codes, populations, base * factor, slack=epsilon * len(base))
    return _calibrated(design, "rake", cell, base, factor, margin_codes, steps)


def _check_margins_met(margins: Mapping, margin_codes, populations, cell_totals, slack: float) -> None:
    """Refuse a rake that settled without meeting every margin.

    Raking can settle on weights that no longer change from sweep to sweep
    yet miss a margin, when the margins contradict each other on the sample
    cells (e.g. two copies of one column with different totals).
    """
    for variable, codes, population in zip(margins, margin_codes, populations, strict=False):
        achieved = np.bincount(codes, weights=cell_totals, minlength=len(population))
        allowed = np.maximum(MARGIN_RTOL * population, slack)
        missed = np.flatnonzero(np.abs(achieved - population) > allowed)
        if missed.size:
            k = int(missed[0])
            level = str(list(margins[variable])[k]).strip()
            raise CalibrationError(f"raking cannot meet margin '{variable}' level '{level}': "
                                   f"weights reach {achieved[k]:g} against a target of "
                                   f"{population[k]:g}; the margins contradict each other")


def poststratify(design: Design, variable: str, population: Mapping) -> Design:
    """Post-stratify to ``{level: population total}`` of one column, as R's ``postStratify``."""
    cell, margin_codes, (totals,) = _cells(design, {variable: population})
    base = np.bincount(cell, weights=design.weights)
    factor = totals[margin_codes[0]] / base
    return _calibrated(design, "poststratify", cell, base, factor, margin_codes, factor[None, :])


def _calibrated(design, method, cell, base, factor, margin_codes, steps) -> Design:
    calibration = CellCalibration(method=method, cell_rows=np.bincount(cell).astype(float),
                                  cell_base_weight=base, factor=factor, margin_codes=margin_codes,
                                  step_factors=steps)
    return design.with_weights(design.weights * factor[cell], cell=cell, calibration=calibration)


def trim_weights(design: Design, *, lower: float | None = None, upper: float | None = None,
                 maxit: int = 100) -> Design:
    """Cap weights at ``[lower, upper]`` keeping their total; use before calibrating."""
    if design.calibration is not None:
        raise CalibrationError("trim the design weights before calibrating, not after")
    lo = -np.inf if lower is None else float(lower)
    hi = np.inf if upper is None else float(upper)
    w = design.weights.copy()
    target = w.sum()
    n = len(w)
    if lo > hi or n * hi < target or n * lo > target:
        raise CalibrationError(f"weights with total {target:g} cannot all lie in [{lo:g}, {hi:g}]")
    for _ in range(maxit):
        w = np.clip(w, lo, hi)
        free = (w > lo) & (w < hi)
        excess = target - w.sum()
        if abs(excess) <= 1e-12 * target:
            return design.with_weights(w)
        if not free.any():
            break
        w[free] *= 1 + excess / w[free].sum()
    raise CalibrationError(f"weight trimming did not settle in {maxit} iterations")
