"""Benchmarking small-area estimates to the direct provincial estimate.

The benchmarked estimates ``θ^B`` satisfy ``Σ w_i θ^B_i = t`` with ``w`` the
areas' population shares (normalised to sum to 1) and ``t`` the direct
estimate for the whole province.  Datta, Ghosh, Steorts & Maples (2011,
*TEST* 20, "Bayesian benchmarking with applications to small area
estimation") show that the loss ``Σ φ_i (θ^B_i − θ̂_i)²`` under that
constraint is minimised by ``θ^B_i = θ̂_i + (w_i/φ_i) / Σ_j (w_j²/φ_j) ·
(t − Σ_j w_j θ̂_j)``.  Here, as in R ``emdi::benchmark``:

- ``ratio``: ``θ^B_i = θ̂_i · t / Σ w_j θ̂_j``;
- ``raking``: ``φ_i = 1/w_i``, i.e. every area moves by ``t − Σ w_j θ̂_j``;
- ``mse``: ``φ_i = 1/MSE_i``, so areas with a larger MSE move more.

Every function takes a stack of replicate rows (…, m), so the bootstrap can
benchmark each replicate and give the MSE of the benchmarked estimator.
"""

from __future__ import annotations

import numpy as np

BENCHMARK_TYPES = ("ratio", "raking", "mse")


def normalised_shares(shares):
    """Population shares scaled to sum to 1; they must be non-negative with a positive sum."""
    shares = np.asarray(shares, dtype=float)
    if (shares < 0).any() or not shares.sum() > 0:
        raise ValueError("population shares must be non-negative with a positive sum")
    return shares / shares.sum()


def benchmark(estimates, shares, target, kind="ratio", mse=None):
    """Estimates moved so their ``shares``-weighted mean is ``target`` (per replicate row)."""
    estimates = np.asarray(estimates, dtype=float)
    w = normalised_shares(shares)
    total = estimates @ w
    gap = (np.asarray(target, dtype=float) - total)[..., None]
    if kind == "ratio":
        return estimates * (np.asarray(target, dtype=float) / total)[..., None]
    if kind == "raking":
        return estimates + gap
    if kind == "mse":
        if mse is None:
            raise ValueError("MSE-adjusted benchmarking needs the estimates' MSE")
        mse = np.asarray(mse, dtype=float)
        return estimates + gap * (w * mse) / np.sum(w ** 2 * mse, axis=-1, keepdims=True)
    raise ValueError(f"benchmark type must be one of {BENCHMARK_TYPES}, not {kind!r}")
