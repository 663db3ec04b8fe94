"""Smoothed sampling variances for shares: a generalized variance function (GVF).

Fay–Herriot treats each area's sampling variance ``ψ_i`` as known.  Taken
from the area's own direct SE it is itself an estimate, and a noisy one
where the area is thin: three agreeing answers give an SE of 0, and an area
with a single desk-day (one PSU) has none.  The small-area practice is to
replace it by a smoothed variance that depends on the area only through its
sample size (Rao & Molina, *Small Area Estimation*, 2nd ed., ch. 6, on
``ψ_i`` "known" in practice; You & Chapman 2006, *Survey Methodology* 32,
97–103; Liu, Lahiri & Kalton 2014, *Survey Methodology* 40, 113–142, for
survey-weighted proportions; You & Hidiroglou 2022, Statistics Canada
Symposium, GVF and design-effect smoothing; the U.S. Census Bureau's SAIPE
models its direct estimates' variances rather than using them as given)::

    ψ_i = p̃ (1 − p̃) · κ · deff / n_i

- ``p̃`` is the pooled (provincial) mean of the areas' direct estimates,
  weighted by ``n_i``, not the area's own estimate: with the area's own
  ``p̂_i`` (even shrunk or clipped) ``ψ_i`` is a function of the same
  ``y_i`` it weights, so areas that are extreme by chance get a small
  variance and the most weight, the failure this module exists to remove
  (You & Chapman 2006; Liu, Lahiri & Kalton 2014 use the true ``p_i`` in
  a hierarchical Bayes model, which a frequentist EBLUP cannot).  On the
  arcsine scale the choice does not matter: ``ψ_i / (4 p̃(1 − p̃))``
  is ``κ · deff / (4 n_i)``, the variance-stabilising property, so ``p̃``
  only sets the share-scale ``ψ_i`` reported beside the direct estimate.
  ``p̃`` is kept half a response away from 0 and 1 so that ``ψ_i > 0``.
- ``deff`` is the design effect pooled across areas: the ``n``-weighted
  mean of the areas' design effects where one is estimable (at least two
  responses from at least two PSUs), floored at 1 (clustering by desk-day
  does not make a share more precise than simple random sampling; a pooled
  value below 1 is sampling noise).  Where no area has one,
  ``DEFAULT_DEFF``.
- ``κ = s² / (p(1 − p))`` is the unit variance of the score as a share of
  a 0/1 variable's with the same mean.  For a share (each answer 0 or 1)
  it is 1 and the formula is the textbook ``p(1 − p)·deff/n``.  An index
  that averages several 0/1 items per respondent has ``s² < p(1 − p)``
  (Bhatia–Davis: ``s² ≤ μ(1 − μ)`` for values in [0, 1]), so without
  ``κ`` its variance would be overstated (by about 2 on the demo waves).
  ``κ`` is pooled as a ratio of sums over the areas with an SE and a deff
  (``Σ n_i s_i² / Σ n_i p̂_i(1 − p̂_i)``, with ``s_i² = n_i SE_i² / deff_i``),
  capped at 1; where no area has both, 1 (the largest a score in [0, 1]
  allows, so the fallback errs towards trusting the direct estimates less).

The effective sample size given to the arcsine scale is then
``ñ_i = n_i / (κ · deff)``, the same for every area of equal ``n``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: design effect used when no area has one (day 1 of a wave: one desk-day per commune).
#: The communes' deff on the synthetic report frames run 0.9–1.9 (pooled 1.0–1.4), 1.0–1.8 in
#: the desk-day coverage simulation (ICC 0.1); 1.5 is the cautious side of that range
DEFAULT_DEFF = 1.5
#: κ used when no area has both an SE and a deff: a 0/1 share's, the largest possible
DEFAULT_KAPPA = 1.0


@dataclass(frozen=True)
class SmoothedVariances:
    """The GVF's pooled parameters and the per-area smoothed variances."""

    pooled_mean: float          # p̃
    deff: float                 # pooled, floored at 1
    kappa: float                # s² / p(1 − p), pooled, at most 1
    deff_areas: int             # areas whose deff entered the pool (0: DEFAULT_DEFF)
    kappa_areas: int            # areas whose κ entered the pool (0: DEFAULT_KAPPA)
    variance: np.ndarray        # ψ_i on the share scale
    effective_n: np.ndarray     # ñ_i = n_i / (κ · deff)

    def as_dict(self) -> dict:
        return {"pooled_mean": self.pooled_mean, "deff": self.deff, "kappa": self.kappa,
                "deff_areas": self.deff_areas, "kappa_areas": self.kappa_areas}


def _finite(value) -> bool:
    return value is not None and math.isfinite(value)


def pooled_deff(n, deff, default: float = DEFAULT_DEFF) -> tuple[float, int]:
    """``max(1, Σ n_i deff_i / Σ n_i)`` over the areas with a finite positive deff.

    ``deff`` may hold ``None`` (not estimable: n < 2 or a single PSU).  Returns
    the pooled value and the number of areas in the pool; ``(default, 0)`` when none.
    """
    pairs = [(float(k), float(d)) for k, d in zip(n, deff, strict=True)
             if _finite(d) and d > 0 and k > 0]
    if not pairs:
        return float(default), 0
    weights, values = np.array(pairs).T
    return max(1.0, float(weights @ values / weights.sum())), len(pairs)


def pooled_kappa(n, share, se, deff, default: float = DEFAULT_KAPPA) -> tuple[float, int]:
    """``min(1, Σ n_i s_i² / Σ n_i p̂_i(1 − p̂_i))`` with ``s_i² = n_i SE_i² / deff_i``.

    Only areas with an SE, a positive deff and ``0 < p̂_i < 1`` count.
    """
    top = bottom = 0.0
    count = 0
    for k, p, s, d in zip(n, share, se, deff, strict=True):
        if not (_finite(p) and _finite(s) and _finite(d) and d > 0 and 0 < p < 1 and k > 0):
            continue
        top += k * (k * s ** 2 / d)
        bottom += k * p * (1 - p)
        count += 1
    if count == 0 or not (bottom > 0 and top > 0):
        return float(default), 0
    return min(1.0, float(top / bottom)), count


def smoothed_variances(n, share, se=None, deff=None, *, default_deff: float = DEFAULT_DEFF,
                       default_kappa: float = DEFAULT_KAPPA) -> SmoothedVariances:
    """The GVF variances of the module docstring for areas with ``n_i ≥ 1`` responses.

    ``share`` are the direct estimates (finite, in [0, 1]); ``se`` and ``deff``
    may be ``None`` for any area (or altogether), which then does not enter the pools.
    """
    n = np.asarray(n, dtype=float)
    share = np.asarray(share, dtype=float)
    if n.ndim != 1 or share.shape != n.shape:
        raise ValueError("n and share must be vectors of the same length")
    if not (n >= 1).all():
        raise ValueError("every area needs at least one response")
    if not (np.isfinite(share).all() and ((share >= 0) & (share <= 1)).all()):
        raise ValueError("direct estimates must be shares in [0, 1]")
    se = [None] * len(n) if se is None else list(se)
    deff = [None] * len(n) if deff is None else list(deff)
    design, deff_areas = pooled_deff(n, deff, default_deff)
    kappa, kappa_areas = pooled_kappa(n, share, se, deff, default_kappa)
    # kept off 0 and 1 by half a response, so ψ_i > 0 even if every answer in the province agrees
    half = 0.5 / n.sum()
    mean = float(np.clip(n @ share / n.sum(), half, 1 - half))
    factor = kappa * design
    return SmoothedVariances(mean, design, kappa, deff_areas, kappa_areas,
                             mean * (1 - mean) * factor / n, n / factor)


__all__ = ["smoothed_variances", "pooled_deff", "pooled_kappa", "SmoothedVariances",
           "DEFAULT_DEFF", "DEFAULT_KAPPA"]
