"""Checks that the Fay–Herriot model fits and that borrowing strength helped.

- Brown's test (Brown, Chambers, Heady & Heasman 2001, *Proc. Statistics
  Canada Symposium*; Rao & Molina, *Small Area Estimation*, 2nd ed., §6.6):
  ``W = Σ (y_i − θ̂_i)² / (D_i + MSE_i)`` against χ² with m degrees of freedom;
  a small p-value says the model estimates stray from the direct ones more
  than their uncertainty allows.
- The correlation of the synthetic ``x_i'β̂`` with the direct estimates: how
  much the covariates explain.
- The share of areas with a coefficient of variation below 20 % (a common
  publication threshold) for the direct and for the model estimates.
- Standardised residuals ``(y_i − x_i'β̂)/√(Â + D_i)``, which are N(0, 1)
  under the model, with the Shapiro–Wilk test of normality
  (``scipy.stats.shapiro``).

Brown's test and the residuals are on the model scale; the CVs on the share scale.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import chdtrc

from analysis.sae.model import FayHerriotFit

#: publication threshold for the coefficient of variation
CV_THRESHOLD = 0.2


@dataclass(frozen=True, eq=False)
class Diagnostics:
    brown_w: float
    brown_df: int
    brown_p: float
    synthetic_direct_correlation: float
    cv_below_direct: float
    cv_below_model: float
    residuals: np.ndarray
    shapiro_w: float
    shapiro_p: float


def coefficient_of_variation(estimate, mse):
    """``√MSE / |estimate|``; infinite at an estimate of 0."""
    estimate, mse = np.asarray(estimate, dtype=float), np.asarray(mse, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(estimate != 0, np.sqrt(mse) / np.abs(estimate), np.inf)


def diagnose(fit: FayHerriotFit, direct, direct_variance, estimate, mse) -> Diagnostics:
    """Diagnostics of ``fit``; ``direct``…``mse`` on the share scale give the CV shares."""
    y, D = fit.direct, fit.sampling_variance
    w = float(np.sum((y - fit.eblup) ** 2 / (D + fit.mse)))
    residuals = (y - fit.synthetic) / np.sqrt(fit.variance_component + D)
    from scipy import stats  # here, so `python -m analysis` starts without scipy.stats

    shapiro = stats.shapiro(residuals)
    correlation = (float(np.corrcoef(fit.synthetic, y)[0, 1])
                   if np.ptp(fit.synthetic) > 0 else float("nan"))
    below = [float(np.mean(coefficient_of_variation(e, v) < CV_THRESHOLD))
             for e, v in ((direct, direct_variance), (estimate, mse))]
    return Diagnostics(w, len(y), float(chdtrc(len(y), w)), correlation, *below,
                       residuals, float(shapiro.statistic), float(shapiro.pvalue))
