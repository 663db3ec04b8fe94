"""The area-level Fay–Herriot model: variance component, EBLUP and its MSE.

``y_i = x_i'β + u_i + e_i``, ``u_i ~ N(0, A)``, ``e_i ~ N(0, D_i)`` with
``D_i`` the known design-based sampling variance (Fay & Herriot 1979; Rao &
Molina, *Small Area Estimation*, 2nd ed., ch. 6).

**Fitting A.** Fisher scoring on the residual (REML) or profile (ML)
likelihood, started at the median of ``D`` as R ``sae::eblupFH`` does (Rao &
Molina §6.1.2).  With ``v_i = 1/(A + D_i)``, ``Q = (X'VX)⁻¹`` and the GLS
residual ``r = y − Xβ̂``, the ML score is ``−½ Σv + ½ Σ(v r)²`` with
information ``½ Σv²``; the REML score is ``−½ tr P + ½ Σ(v r)²`` with
information ``½ tr P²``, ``P = V⁻¹ − V⁻¹XQX'V⁻¹`` (diagonal ``V`` makes both
traces sums and ``p × p`` products).  All functions take a stack of ``B``
data vectors (and their variances, ``(m,)`` or ``(B, m)``) at once, so the
parametric bootstrap refits every replicate in one array pass.

**Adjusted likelihood when A = 0.** When REML or ML lands on the boundary,
every area would collapse onto the synthetic estimate.  Then A is refitted by
maximising the likelihood times ``h(A)``: ``h = A`` (Li & Lahiri 2010, JMVA
101) or ``h = [arctan(Σ A/(A+D_i))]^{1/m}`` (Yoshimori & Lahiri 2014, JMVA
124), both strictly positive.

**MSE.** ``g1 = γD``, ``g2 = (1−γ)² x'Qx``, ``g3 = (1−γ)²/(A+D) · V̄(Â)``,
``V̄(Â) = 2/Σv²``, ``γ = A/(A+D)``; the estimator is
``g1 + g2 + 2 g3 − b(Â) ∂g1/∂A`` with ``∂g1/∂A = (1−γ)²`` and ``b`` the
O(1/m) bias of Â: zero for REML (Prasad & Rao 1990, JASA 85),
``−tr(Q X'V²X)/Σv²`` for ML (Datta & Lahiri 2000, Statistica Sinica 10).
The Yoshimori–Lahiri factor changes the score by O(1/m), so Â's bias and the
MSE estimator stay those of the unadjusted likelihood (Yoshimori & Lahiri
2014); the Li–Lahiri factor adds ``1/A`` to the expected score, and so to
``b`` (Li & Lahiri 2010).  Near A = 0 that expansion fails (``1/Â`` is
huge), so the MSE is never reported below ``g1 + g2``, the MSE with A known.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

METHODS = ("reml", "ml")
ADJUSTMENTS = ("yoshimori-lahiri", "li-lahiri")

#: Fisher scoring stops when a step is below this share of (A + median D)
TOLERANCE = 1e-12
MAX_ITERATIONS = 200


@dataclass(frozen=True, eq=False)
class FayHerriotFit:
    """One fitted Fay–Herriot model on the scale it was fitted (arrays per area)."""

    method: str
    adjustment: str | None      # the adjusted likelihood used, or None
    fallback: str | None        # the adjusted likelihood to use when A = 0 (bootstrap refits)
    variance_component: float   # σu² = A
    beta: np.ndarray
    beta_cov: np.ndarray        # (X'V⁻¹X)⁻¹
    iterations: int
    converged: bool
    loglike: float
    direct: np.ndarray
    sampling_variance: np.ndarray
    design: np.ndarray          # X, intercept first
    eblup: np.ndarray
    synthetic: np.ndarray
    shrinkage: np.ndarray       # γ = A/(A + D): the weight on the direct estimate
    mse: np.ndarray

    @property
    def beta_se(self) -> np.ndarray:
        return np.sqrt(np.diag(self.beta_cov))

    @property
    def parameters(self) -> int:
        """β and σu²."""
        return self.design.shape[1] + 1

    @property
    def aic(self) -> float:
        return -2 * self.loglike + 2 * self.parameters

    @property
    def bic(self) -> float:
        return -2 * self.loglike + self.parameters * np.log(len(self.direct))


def _xtwx(X, w):
    """``X' diag(w_b) X`` for each row ``w_b`` of ``w`` (B, m), as one batched matrix product."""
    return (w[:, :, None] * X).transpose(0, 2, 1) @ X


def gls(y, D, X, A):
    """``v, Q, β̂, r`` for each row of ``y`` (B, m) and each ``A`` (B,)."""
    v = 1.0 / (A[:, None] + D)
    Q = np.linalg.inv(_xtwx(X, v))
    beta = (Q @ ((v * y) @ X)[:, :, None])[:, :, 0]
    return v, Q, beta, y - beta @ X.T


def _trace_qxvx(Q, X, w):
    """``tr(Q X' diag(w) X)`` per replicate."""
    return np.einsum("bjk,bkj->b", Q, _xtwx(X, w))


def expected_score_ml(Q, X, v):
    """E of the ML score at the true A, to O(1): ``−½ tr(Q X'V²X)`` (REML: 0)."""
    return -0.5 * _trace_qxvx(Q, X, v ** 2)


def adjustment_slope(A, D, adjustment, curvature=False):
    """``d log h(A) / dA`` of the adjusted likelihood (0 when unadjusted).

    With ``curvature`` also ``−d² log h / dA²``, which Fisher scoring adds to the
    information: ``h`` is known exactly, and without it the steps overshoot near 0.
    """
    if adjustment is None:
        zero = np.zeros_like(A)
        return (zero, zero) if curvature else zero
    if adjustment == "li-lahiri":
        return (1.0 / A, 1.0 / A ** 2) if curvature else 1.0 / A
    total = A[:, None] + D
    trace = np.sum(A[:, None] / total, axis=1)
    t1 = np.sum(D / total ** 2, axis=1)
    t2 = -2.0 * np.sum(D / total ** 3, axis=1)
    arc, m = np.arctan(trace), D.shape[-1]
    slope = t1 / (m * arc * (1.0 + trace ** 2))
    if not curvature:
        return slope
    second = (t2 / (arc * (1 + trace ** 2))
              - t1 ** 2 * (1 + 2 * trace * arc) / (arc * (1 + trace ** 2)) ** 2) / m
    return slope, -second


def _score(y, D, X, A, method, adjustment):
    v, Q, _, r = gls(y, D, X, A)
    quad = 0.5 * np.sum((v * r) ** 2, axis=1)
    if method == "ml":
        score, info = -0.5 * v.sum(axis=1) + quad, 0.5 * np.sum(v ** 2, axis=1)
    else:
        M = Q @ _xtwx(X, v ** 2)                               # Q X'V²X
        trace_p = v.sum(axis=1) - np.einsum("bjj->b", M)
        trace_pp = (np.sum(v ** 2, axis=1) - 2 * _trace_qxvx(Q, X, v ** 3)
                    + np.einsum("bjk,bkj->b", M, M))
        score, info = -0.5 * trace_p + quad, 0.5 * trace_pp
    slope, curvature = adjustment_slope(A, D, adjustment, curvature=True)
    return score + slope, info + curvature


def fit_variance(y, D, X, method="reml", adjustment=None):
    """Fisher scoring for A on every row of ``y``; returns ``(A, iterations)``.

    Unadjusted, a step below zero ends at A = 0 when the score there is not
    positive (the boundary maximum), else halves A.  Adjusted, A stays positive.
    """
    y = np.atleast_2d(y)
    D = np.broadcast_to(D, y.shape)
    scale = np.median(D, axis=1)
    A = scale.copy()
    active = np.ones(y.shape[0], dtype=bool)
    iterations = 0
    while active.any() and iterations < MAX_ITERATIONS:
        iterations += 1
        idx = np.flatnonzero(active)
        score, info = _score(y[idx], D[idx], X, A[idx], method, adjustment)
        new = A[idx] + score / info
        below = new <= 0
        if below.any():
            halved = A[idx][below] / 2
            if adjustment is None:
                at_zero, _ = _score(y[idx][below], D[idx][below], X, np.zeros(below.sum()),
                                    method, None)
                new[below] = np.where(at_zero <= 0, 0.0, halved)
            else:
                new[below] = halved
        done = (np.abs(new - A[idx]) <= TOLERANCE * (A[idx] + scale[idx])) | (new == 0)
        A[idx] = new
        active[idx[done]] = False
    return A, iterations


def mse_terms(D, X, A, Q, method, adjustment):
    """``g1, g2, g3`` and the bias ``b`` of Â, per replicate row (B, m)."""
    v = 1.0 / (A[:, None] + D)
    gamma = A[:, None] * v
    g1 = gamma * D
    g2 = (1 - gamma) ** 2 * np.sum((X @ Q) * X, axis=2)
    info = 0.5 * np.sum(v ** 2, axis=1)
    g3 = (1 - gamma) ** 2 * v / info[:, None]
    expected = expected_score_ml(Q, X, v) if method == "ml" else np.zeros_like(A)
    if adjustment == "li-lahiri":
        expected = expected + 1.0 / np.maximum(A, np.finfo(float).tiny)
    bias = expected / info
    return g1, g2, g3, bias


def predict(y, D, X, A, method, adjustment):
    """EBLUP, synthetic estimate, shrinkage and MSE for every row of ``y``."""
    y = np.atleast_2d(y)
    v, Q, beta, _ = gls(y, D, X, A)
    synthetic = beta @ X.T
    gamma = A[:, None] * v
    g1, g2, g3, bias = mse_terms(D, X, A, Q, method, adjustment)
    mse = np.maximum(g1 + g2 + 2 * g3 - bias[:, None] * (1 - gamma) ** 2, g1 + g2)
    return gamma * y + (1 - gamma) * synthetic, synthetic, gamma, mse, beta, Q


def fit_many(y, D, X, method="reml", adjustment="yoshimori-lahiri"):
    """Fit every row of ``y`` (B, m); rows where A = 0 are refitted with ``adjustment``.

    Returns ``(A, adjusted, eblup, synthetic, gamma, mse, beta, Q, iterations)``;
    ``iterations`` (the most any row took) reaches ``MAX_ITERATIONS`` only without convergence.
    """
    y = np.atleast_2d(np.asarray(y, dtype=float))
    D = np.broadcast_to(D, y.shape)
    A, iterations = fit_variance(y, D, X, method)
    adjusted = (A == 0) & (adjustment is not None)
    if adjusted.any():
        A[adjusted], more = fit_variance(y[adjusted], D[adjusted], X, method, adjustment)
        iterations = max(iterations, more)
    parts = [None] * 6
    for mask, adjust in ((~adjusted, None), (adjusted, adjustment)):
        if mask.any():
            for k, part in enumerate(predict(y[mask], D[mask], X, A[mask], method, adjust)):
                if parts[k] is None:
                    parts[k] = np.empty((y.shape[0],) + part.shape[1:])
                parts[k][mask] = part
    return (A, adjusted, *parts, iterations)


def check_option(name: str, value: str, allowed: tuple[str, ...]) -> None:
    """Raise ValueError naming the option unless ``value`` is one of ``allowed``."""
    if value not in allowed:
        raise ValueError(f"{name} must be one of {allowed}, not {value!r}")


def fay_herriot(direct, sampling_variance, design, method="reml",
                adjustment="yoshimori-lahiri") -> FayHerriotFit:
    """Fit the model to one set of areas; ``design`` is X with the intercept column first."""
    check_option("method", method, METHODS)
    if adjustment is not None:
        check_option("adjustment", adjustment, ADJUSTMENTS)
    y = np.asarray(direct, dtype=float)
    D = np.asarray(sampling_variance, dtype=float)
    X = np.asarray(design, dtype=float)
    if not (D > 0).all():
        raise ValueError("sampling variances must be positive")
    A, adjusted, eblup, synthetic, gamma, mse, beta, Q, iterations = fit_many(
        y[None, :], D, X, method, adjustment)
    resid = y - synthetic[0]
    total = A[0] + D
    loglike = -0.5 * float(np.sum(np.log(2 * np.pi * total) + resid ** 2 / total))
    return FayHerriotFit(method, adjustment if adjusted[0] else None, adjustment, float(A[0]),
                         beta[0], Q[0], iterations, iterations < MAX_ITERATIONS, loglike, y, D,
                         X, eblup[0], synthetic[0], gamma[0], mse[0])
