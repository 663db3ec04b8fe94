"""Parametric bootstrap MSE on the share scale, and for benchmarked estimates.

González-Manteiga, Lombardía, Molina, Morales & Santamaría (2008, *J. Stat.
Comput. Simul.* 78) for the Fay–Herriot model; Rao & Molina, *Small Area
Estimation*, 2nd ed., §6.2.4.  From the fitted model (``β̂``, ``Â``) each
replicate draws ``θ*_i = x_i'β̂ + u*_i`` with ``u* ~ N(0, Â)`` and a direct
estimate ``y*_i = θ*_i + e*_i`` with ``e* ~ N(0, D_i)``, refits the model
(the same method and the same adjusted-likelihood fallback) and predicts.
The MSE of area ``i`` is the mean over replicates of ``(g(θ̂*_i) − g(θ*_i))²``
with ``g`` the back-transform, so it is on the original (share) scale, as
Hadam, Würz & Kreutzmann (2020) do for the arcsine in R ``emdi``.

The benchmarked estimator is bootstrapped the same way: in each replicate the
provincial direct estimate is ``t* = Σ w_i g(y*_i)`` (the share-weighted
direct estimates of that replicate), the replicate's predictions are
benchmarked to ``t*``, and the MSE is the mean of ``(θ̂^B*_i − g(θ*_i))²``.
MSE-adjusted benchmarking uses the bootstrap MSE of the unbenchmarked
estimates as fixed weights.  All replicates are fitted in one array pass.

The same replicates give the quantiles of the pivot ``(θ*_i − θ̂*_i)/√g1_i(Â*)``
of Chatterjee, Lahiri & Li (2008) for the bootstrap interval
(``analysis.sae.intervals``); ``pivot_quantiles`` does it for a stack of fits
at once (the coverage simulation).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.sae import transform as scales
from analysis.sae.benchmark import benchmark
from analysis.sae.model import FayHerriotFit, fit_many


@dataclass(frozen=True, eq=False)
class BootstrapMSE:
    """Per-area bootstrap MSE on the share scale (and of the benchmarked estimates)."""

    mse: np.ndarray
    benchmarked_mse: np.ndarray | None
    replicates: int
    adjusted_share: float  # share of replicates where the fallback was needed
    #: quantiles (α/2, 1 − α/2) of the pivot per area, when a level was asked for
    pivot_low: np.ndarray | None = None
    pivot_high: np.ndarray | None = None


def replicate(synthetic, A, D, X, method, fallback, replicates, rng):
    """Draw ``replicates`` data sets from each fitted model and refit them.

    ``synthetic`` (k, m) and ``A`` (k,) are k fitted models on the same areas;
    ``D`` is (m,), or (k, m) when each model has its own sampling variances
    (estimated ones, as in the coverage simulation).  Returns ``θ*`` (k, B, m),
    ``y*`` (k, B, m) and ``fit_many``'s tuple for the k·B refits (rows in the
    order of ``θ*``).
    """
    synthetic = np.atleast_2d(synthetic)
    k, m = synthetic.shape
    D = np.asarray(D, dtype=float)
    spread = np.sqrt(np.asarray(A, dtype=float)).reshape(k, 1, 1)
    theta = synthetic[:, None, :] + rng.normal(0.0, 1.0, (k, replicates, m)) * spread
    y = theta + rng.normal(0.0, 1.0, (k, replicates, m)) * np.sqrt(_per_model(D))
    rows = np.repeat(D, replicates, axis=0) if D.ndim == 2 else D
    return theta, y, fit_many(y.reshape(k * replicates, m), rows, X, method, fallback)


def _per_model(D):
    """``D`` shaped to broadcast against (k, B, m)."""
    return D[:, None, :] if D.ndim == 2 else D


def _pivot_quantiles(theta, refit, D, level):
    """The α/2 and 1 − α/2 quantiles over replicates of ``(θ* − θ̂*)/√(γ* D)``."""
    _, _, eblup, _, gamma, *_ = refit
    D = _per_model(np.asarray(D, dtype=float))
    pivot = (theta - eblup.reshape(theta.shape)) / np.sqrt(gamma.reshape(theta.shape) * D)
    alpha = 1 - level
    low, high = np.quantile(pivot, [alpha / 2, 1 - alpha / 2], axis=-2)
    return low, high


def pivot_quantiles(synthetic, A, D, X, method, fallback, replicates, rng, level=0.95):
    """Chatterjee–Lahiri–Li pivot quantiles (k, m) for k fitted models at once (D: (m,) or (k, m))."""
    theta, _, refit = replicate(synthetic, A, D, X, method, fallback, replicates, rng)
    return _pivot_quantiles(theta, refit, D, level)


def bootstrap_mse(fit: FayHerriotFit, replicates: int, rng: np.random.Generator,
                  transform: str = "none", shares=None, benchmark_type: str | None = None,
                  mse_weights=None, level: float | None = None) -> BootstrapMSE:
    """Bootstrap MSE of ``back(EBLUP)``; with ``shares`` also of the benchmarked estimator.

    ``mse_weights`` (MSE-adjusted benchmarking) defaults to the bootstrap MSE itself.
    With ``level`` the result also carries the pivot quantiles for the bootstrap interval.
    """
    D, X = fit.sampling_variance, fit.design
    theta, y, refit = replicate(fit.synthetic, [fit.variance_component], D, X, fit.method,
                                fit.fallback, replicates, rng)
    A, adjusted, eblup, *_ = refit
    pivots = (None, None) if level is None else (q[0] for q in
                                                 _pivot_quantiles(theta, refit, D, level))
    theta, y = theta[0], y[0]
    truth = scales.back(transform, theta)
    estimate = scales.back(transform, eblup)
    mse = np.mean((estimate - truth) ** 2, axis=0)
    benchmarked_mse = None
    if shares is not None:
        weights = mse if mse_weights is None else np.asarray(mse_weights, dtype=float)
        target = scales.back(transform, y) @ (np.asarray(shares, dtype=float) / np.sum(shares))
        moved = benchmark(estimate, shares, target, benchmark_type,
                          mse=np.broadcast_to(weights, estimate.shape))
        benchmarked_mse = np.mean((moved - truth) ** 2, axis=0)
    return BootstrapMSE(mse, benchmarked_mse, replicates, float(np.mean(adjusted)), *pivots)
