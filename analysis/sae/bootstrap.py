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


def bootstrap_mse(fit: FayHerriotFit, replicates: int, rng: np.random.Generator,
                  transform: str = "none", shares=None, benchmark_type: str | None = None,
                  mse_weights=None) -> BootstrapMSE:
    """Bootstrap MSE of ``back(EBLUP)``; with ``shares`` also of the benchmarked estimator.

    ``mse_weights`` (MSE-adjusted benchmarking) defaults to the bootstrap MSE itself.
    """
    D, X = fit.sampling_variance, fit.design
    m = len(D)
    spread = np.sqrt(fit.variance_component)
    theta = fit.design @ fit.beta + rng.normal(0.0, spread, (replicates, m))
    y = theta + rng.normal(0.0, 1.0, (replicates, m)) * np.sqrt(D)
    A, adjusted, eblup, *_ = fit_many(y, D, X, fit.method, fit.fallback)
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
    return BootstrapMSE(mse, benchmarked_mse, replicates, float(np.mean(adjusted)))
