"""Small-area estimates for a set of areas: fit, back-transform, benchmark, diagnose.

``small_area_estimates`` is what the command line and the report call.  The
model is fitted on the model scale (``transform``); the EBLUP and the
interval ends go back to the share scale.  The interval (``interval``) is
``θ̂ ± z √MSE`` (``mse``), the Chatterjee–Lahiri–Li parametric bootstrap
interval (``bootstrap``) or the robust empirical Bayes interval of Armstrong,
Kolesár & Plagborg-Møller (``robust``); see ``analysis.sae.intervals``.  The
reported MSE is
the analytical one (Prasad–Rao for REML, Datta–Lahiri for ML) when there is no
transform and the parametric bootstrap MSE on the share scale otherwise
(``analysis.sae.bootstrap``).  See ``analysis.sae.model`` for the sources.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.sae import transform as scales
from analysis.sae.benchmark import BENCHMARK_TYPES, benchmark, normalised_shares
from analysis.sae.bootstrap import BootstrapMSE, bootstrap_mse
from analysis.sae.diagnostics import Diagnostics, diagnose
from analysis.sae.intervals import INTERVALS, mse_half_width, robust_half_width
from analysis.sae.model import FayHerriotFit, check_option, fay_herriot

#: bootstrap replicates unless told otherwise
REPLICATES = 500


@dataclass(frozen=True, eq=False)
class SmallAreaEstimates:
    """Every number of one small-area analysis; per-area arrays are on the share scale."""

    fit: FayHerriotFit            # on the model scale
    transform: str
    level: float
    direct: np.ndarray
    direct_variance: np.ndarray
    eblup: np.ndarray
    mse: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    diagnostics: Diagnostics
    bootstrap: BootstrapMSE | None
    interval: str = "mse"
    benchmark_type: str | None = None
    benchmark_value: float | None = None
    benchmarked: np.ndarray | None = None
    benchmarked_mse: np.ndarray | None = None


def small_area_estimates(direct, direct_variance, design, *, method="reml", transform="none",
                         n_eff=None, fallback="yoshimori-lahiri", benchmark_value=None,
                         shares=None, benchmark_type="ratio", level=0.95, replicates=REPLICATES,
                         seed=None, interval="mse") -> SmallAreaEstimates:
    """Fay–Herriot estimates for the areas in ``direct`` (``design``: X, intercept first).

    With ``transform`` 'arcsine' or 'logit', ``n_eff`` (ñ = n/deff) defaults to
    ``p̂(1−p̂)/direct_variance``.  ``benchmark_value`` with ``shares`` benchmarks
    the estimates; the bootstrap (``replicates``, ``seed``) runs when there is a
    transform, a benchmark or the ``bootstrap`` interval.
    """
    if not 0 < level < 1:
        raise ValueError(f"level {level} must lie strictly between 0 and 1")
    check_option("interval", interval, INTERVALS)
    if benchmark_value is not None:
        check_option("benchmark type", benchmark_type, BENCHMARK_TYPES)
    direct = np.asarray(direct, dtype=float)
    direct_variance = np.asarray(direct_variance, dtype=float)
    if transform != "none" and n_eff is None:
        n_eff = scales.effective_n(direct, direct_variance)
    y, D = scales.forward(transform, direct, direct_variance, n_eff)
    if not (np.isfinite(y).all() and np.isfinite(D).all() and (D > 0).all()):
        raise ValueError(f"the {transform} scale needs finite estimates and positive variances; "
                         "give n_eff where a share is 0 or 1")
    fit = fay_herriot(y, D, design, method, fallback)
    eblup = scales.back(transform, fit.eblup)
    rng = np.random.default_rng(seed)
    boot = None
    if transform != "none" or benchmark_value is not None or interval == "bootstrap":
        weights = fit.mse if transform == "none" else None
        boot = bootstrap_mse(fit, replicates, rng, transform,
                             None if benchmark_value is None else normalised_shares(shares),
                             benchmark_type, mse_weights=weights,
                             level=level if interval == "bootstrap" else None)
    if interval == "bootstrap":
        root_g1 = np.sqrt(fit.shrinkage * D)
        ends = fit.eblup + boot.pivot_low * root_g1, fit.eblup + boot.pivot_high * root_g1
    else:
        half = (mse_half_width(fit.mse, level) if interval == "mse"
                else robust_half_width(fit.variance_component, D, level))
        ends = fit.eblup - half, fit.eblup + half
    low, high = (scales.back(transform, end) for end in ends)
    mse = fit.mse if transform == "none" else boot.mse
    extra = {}
    if benchmark_value is not None:
        extra = dict(benchmark_type=benchmark_type, benchmark_value=float(benchmark_value),
                     benchmarked=benchmark(eblup, normalised_shares(shares), benchmark_value,
                                           benchmark_type, mse=mse),
                     benchmarked_mse=boot.benchmarked_mse)
    checks = diagnose(fit, direct, direct_variance, eblup, mse)
    return SmallAreaEstimates(fit, transform, level, direct, direct_variance, eblup, mse,
                              low, high, checks, boot, interval, **extra)
