"""Key drivers: survey-weighted logistic regression with design-based SEs.

Reproduces R's ``svyglm(y ~ x1 + ..., design, family = quasibinomial())``
(Lumley, *Complex Surveys*, ch. 5; Binder 1983).  The coefficients are the
weighted maximum-likelihood estimates, solved here by Newton–Raphson (IRLS) with
the design weights (only their ratios matter).  Their variance is *not*
statsmodels': it is the sandwich ``A^-1 B A^-1`` with the bread
``A = X' diag(w mu (1 - mu)) X`` and the meat ``B`` the with-replacement
variance of the PSU totals of the scores ``w_i (y_i - mu_i) x_i`` within
strata, exactly R's ``svy.varcoef`` → ``svyrecvar`` (Binder 1983; Lumley
ch. 5.2).  Rows with a missing value leave the fit but their PSUs still
count, as R's subsetting of a design keeps them with zero weight.  A stratum
with one PSU is left uncentred (``survey.lonely.psu = "adjust"``).  The
residual degrees of freedom are the design's minus the coefficients plus
one, as ``svyglm`` sets them; p-values use ``t`` on those.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd
from scipy import special  # Student's t without importing scipy.stats (a second at start-up)

from analysis.design import Design, DesignError, numeric_column

INTERCEPT = "(Intercept)"
MAX_STEPS = 100
STEP_TOLERANCE = 1e-10  # relative size of the last Newton step (the error after it is ~ its square)
SEPARATED = 1e-10  # a fitted probability this close to its 0/1 outcome counts as separated


@dataclass(frozen=True)
class Coefficient:
    """One regression coefficient with its design-based uncertainty."""

    name: str
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    t: float
    p_value: float

    def as_dict(self) -> dict:
        """A JSON-ready record."""
        return {k: getattr(self, k) if k == "name" else float(getattr(self, k))
                for k in ("name", "estimate", "se", "ci_low", "ci_high", "t", "p_value")}


@dataclass(frozen=True)
class LogisticFit:
    """A fitted survey logistic regression (R's ``svyglm`` object)."""

    outcome: str
    coefficients: tuple[Coefficient, ...]
    covariance: np.ndarray
    n: int
    df: int
    level: float

    def coefficient(self, name: str) -> Coefficient:
        """The coefficient of predictor ``name``."""
        return next(c for c in self.coefficients if c.name == name)


def survey_logistic(design: Design, outcome: str, predictors: Sequence[str], *,
                    level: float = 0.95) -> LogisticFit:
    """Fit ``outcome ~ predictors`` (0/1 outcome) as ``svyglm(family = quasibinomial())``."""
    if not predictors:
        raise DesignError("give at least one predictor")
    y = numeric_column(design.data, outcome)
    columns = [numeric_column(design.data, p) for p in predictors]
    bad = ~np.isnan(y) & (y != 0) & (y != 1)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise DesignError(f"column '{outcome}' row {row + 1}: {y[row]:g} is not 0 or 1")
    x = np.column_stack([np.ones(len(y))] + columns)
    used = ~np.isnan(y) & ~np.isnan(x).any(axis=1)
    names = [INTERCEPT, *predictors]
    n_used = int(used.sum())
    if n_used <= len(names):
        raise DesignError(f"only {n_used} complete rows for {len(names)} coefficients of '{outcome}'")
    for name, values in zip(names[1:], columns, strict=False):
        if np.ptp(values[used]) == 0:
            raise DesignError(f"predictor '{name}' does not vary among the complete rows")
    w = design.weights[used] / design.weights[used].mean()
    xu, yu = x[used], y[used]
    try:
        beta = _weighted_logistic(xu, yu, w)
    except (ArithmeticError, np.linalg.LinAlgError) as exc:
        raise DesignError(f"the regression of '{outcome}' cannot be fitted: {exc}") from None
    mu = 1.0 / (1.0 + np.exp(-xu @ beta))
    bread = np.linalg.inv(xu.T @ (xu * (w * mu * (1 - mu))[:, None]))
    influence = np.zeros_like(x)
    influence[used] = (xu * (w * (yu - mu))[:, None]) @ bread
    covariance = _psu_variance(design, influence)
    se = np.sqrt(np.diag(covariance))
    df = design.df + 1 - len(names)
    tval = beta / se
    q, p = _t_quantile_and_p(tval, df, level)
    coefficients = tuple(Coefficient(name, float(b), float(s), float(b - q * s), float(b + q * s),
                                     float(t), float(pv))
                         for name, b, s, t, pv in zip(names, beta, se, tval, p, strict=False))
    return LogisticFit(outcome, coefficients, covariance, n_used, df, level)


def _weighted_logistic(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted maximum-likelihood logistic coefficients by Newton–Raphson (= IRLS with the
    canonical link; McCullagh & Nelder, *Generalized Linear Models*, 2.5).

    Each step solves ``X' W X d = X' w (y - mu)`` with ``W = w mu (1 - mu)``: a few products
    of the n × p matrix per step and no n-sized temporaries kept between steps, so a million
    rows fit in well under a second. Stops when the step is below ``STEP_TOLERANCE`` relative to
    the coefficients (Newton converges quadratically, so the last step leaves them at machine
    precision); raises ``ArithmeticError`` on perfect separation (every fitted probability
    at 0 or 1) or when ``MAX_STEPS`` steps do not converge.
    """
    beta = np.zeros(x.shape[1])
    for _ in range(MAX_STEPS):
        mu = 1.0 / (1.0 + np.exp(-(x @ beta)))
        curvature = w * mu * (1.0 - mu)
        if np.all(np.abs(y - mu) < SEPARATED):
            raise ArithmeticError("perfect separation: every fitted probability is 0 or 1")
        step = np.linalg.solve(x.T @ (x * curvature[:, None]), x.T @ (w * (y - mu)))
        beta = beta + step
        if not np.all(np.isfinite(beta)):
            raise ArithmeticError("the coefficients diverge (separation)")
        if np.max(np.abs(step) / (1.0 + np.abs(beta))) < STEP_TOLERANCE:
            return beta
    raise ArithmeticError(f"no convergence in {MAX_STEPS} Newton steps (separation?)")


def _psu_variance(design: Design, influence: np.ndarray) -> np.ndarray:
    """Stratified with-replacement covariance of PSU totals (R's ``svyrecvar``)."""
    n_psu = len(design.psu_stratum)
    totals = np.zeros((n_psu, influence.shape[1]))
    np.add.at(totals, design.psu, influence)
    strata = design.strata
    n_h = strata.n_psu.astype(float)
    sums = np.zeros((len(strata.labels), influence.shape[1]))
    np.add.at(sums, design.psu_stratum, totals)
    means = np.where(n_h[:, None] > 1, sums / np.maximum(n_h, 1)[:, None], 0.0)
    centred = totals - means[design.psu_stratum]
    scale = strata.scale()[design.psu_stratum]
    return (centred * scale[:, None]).T @ centred


def _t_quantile_and_p(t: np.ndarray, df: int, level: float) -> tuple[float, np.ndarray]:
    """Student's t on ``df``: the interval's quantile and the two-sided p-values (NaN when df < 1)."""
    if df < 1:
        return np.nan, np.full_like(t, np.nan)
    return special.stdtrit(df, 0.5 + level / 2), 2 * special.stdtr(df, -np.abs(t))


def logistic_frame(data: pd.DataFrame, outcome: str, predictors: Sequence[str], *, weight: str,
                   strata: str, cluster: str, level: float = 0.95) -> LogisticFit:
    """``survey_logistic`` on a data frame with its design columns named."""
    design = Design.from_frame(data, weight=weight, strata=strata, cluster=cluster)
    return survey_logistic(design, outcome, predictors, level=level)
