"""Scales for shares: the arcsine square root (and the logit).

For a share ``p̂`` with effective sample size ``ñ = n / deff``, the arcsine
square root ``y = arcsin √p̂`` has sampling variance ``1/(4ñ)`` whatever
``p`` is (the variance-stabilising transform; Rao & Molina, *Small Area
Estimation*, 2nd ed., §6.1 and §10.x; used for poverty shares by
Casas-Cordero, Encina & Lahiri 2016, JRSS A 179, and in R ``emdi::fh`` with
``transformation = "arcsin"``, Hadam, Würz & Kreutzmann 2020).  So thin
areas where every respondent was satisfied (``p̂ = 1``, design variance 0)
still get an honest sampling variance.  The logit ``log(p̂/(1−p̂))`` has
delta-method variance ``1/(ñ p̂ (1−p̂))`` and needs ``0 < p̂ < 1``.

Points and interval ends go back by the inverse transform, clamped to the
transform's range (``[0, π/2]`` for the arcsine).  When ``ñ`` is not given it
is ``p̂(1−p̂)/v`` from the direct design variance ``v``, which is exactly
``n / deff``.
"""

from __future__ import annotations

import numpy as np

TRANSFORMS = ("none", "arcsine", "logit")


def effective_n(share, variance):
    """``ñ = p̂(1−p̂)/v``: the sample size of simple random sampling with the same variance."""
    share, variance = np.asarray(share, dtype=float), np.asarray(variance, dtype=float)
    return share * (1 - share) / variance


def forward(transform, share, variance, n_eff):
    """The direct estimate and its sampling variance on the model scale."""
    share = np.asarray(share, dtype=float)
    if transform == "none":
        return share, np.asarray(variance, dtype=float)
    n_eff = np.asarray(n_eff, dtype=float)
    if transform == "arcsine":
        return np.arcsin(np.sqrt(share)), 1.0 / (4.0 * n_eff)
    if transform == "logit":
        return np.log(share / (1 - share)), 1.0 / (n_eff * share * (1 - share))
    raise ValueError(f"transform must be one of {TRANSFORMS}, not {transform!r}")


def back(transform, value):
    """From the model scale to the share (identity when ``transform`` is 'none')."""
    value = np.asarray(value, dtype=float)
    if transform == "none":
        return value
    if transform == "arcsine":
        return np.sin(np.clip(value, 0.0, np.pi / 2)) ** 2
    if transform == "logit":
        return 1.0 / (1.0 + np.exp(-value))
    raise ValueError(f"transform must be one of {TRANSFORMS}, not {transform!r}")
