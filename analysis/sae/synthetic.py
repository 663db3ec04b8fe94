"""Synthetic estimates for areas with no sample, from a fitted Fay–Herriot model.

An area with no responses has no direct estimate, so its best predictor under
the model is the synthetic ``x'β̂`` (Rao & Molina, *Small Area Estimation*,
2nd ed., §6.1: the EBLUP with shrinkage 0).  Its prediction error on the
model scale is ``θ − x'β̂ = u + x'(β − β̂)``, with variance
``Â + x'(X'V⁻¹X)⁻¹x`` (the random effect, which the data say nothing about,
and the error in β̂); the error in Â enters only at O(1/m).  The interval is
``x'β̂ ± z √(Â + x'Qx)`` on the model scale, back-transformed, so a share's
interval stays in [0, 1].  The MSE on the share scale is
``E[(g(x'β̂) − g(x'β̂ + σZ))²]`` with ``g`` the back-transform and
``σ² = Â + x'Qx``, by 40-point Gauss–Hermite quadrature (exact for the normal
approximation; with no transform it is σ²).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.polynomial.hermite_e import hermegauss
from scipy.special import ndtri

from analysis.sae import transform as scales
from analysis.sae.model import FayHerriotFit

_NODES, _WEIGHTS = hermegauss(40)
_WEIGHTS = _WEIGHTS / _WEIGHTS.sum()


@dataclass(frozen=True, eq=False)
class SyntheticEstimates:
    """Per new area, on the share scale (``prediction_variance`` on the model scale)."""

    estimate: np.ndarray
    mse: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    prediction_variance: np.ndarray


def synthetic_estimates(fit: FayHerriotFit, design, transform: str = "none",
                        level: float = 0.95) -> SyntheticEstimates:
    """Synthetic estimates for the areas whose covariates are the rows of ``design``."""
    X = np.atleast_2d(np.asarray(design, dtype=float))
    if X.shape[1] != fit.design.shape[1]:
        raise ValueError(f"design has {X.shape[1]} columns; the model has {fit.design.shape[1]}")
    centre = X @ fit.beta
    variance = fit.variance_component + np.einsum("ij,jk,ik->i", X, fit.beta_cov, X)
    spread = np.sqrt(variance)
    half = ndtri(0.5 + level / 2) * spread
    estimate = scales.back(transform, centre)
    draws = scales.back(transform, centre[:, None] + spread[:, None] * _NODES[None, :])
    mse = ((draws - estimate[:, None]) ** 2) @ _WEIGHTS
    return SyntheticEstimates(estimate, mse, scales.back(transform, centre - half),
                              scales.back(transform, centre + half), variance)


__all__ = ["synthetic_estimates", "SyntheticEstimates"]
