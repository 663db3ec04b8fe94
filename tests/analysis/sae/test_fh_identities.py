"""Identities the Fay–Herriot estimator must satisfy, whatever the data."""

import numpy as np
import pytest

from analysis.sae import benchmark, fay_herriot, small_area_estimates
from analysis.sae.model import adjustment_slope, mse_terms, predict

EXACT = 1e-12


def _areas(m=60, seed=3, spread=0.05):
    rng = np.random.default_rng(seed)
    X = np.column_stack([np.ones(m), rng.normal(size=m), rng.integers(0, 2, m)])
    D = rng.uniform(0.001, 0.01, m)
    y = X @ np.array([0.8, 0.03, -0.05]) + rng.normal(0, spread, m) + rng.normal(0, np.sqrt(D))
    return y, D, X


def test_infinite_area_variance_gives_the_direct_estimates():
    """σu² → ∞: the shrinkage goes to 1, the EBLUP to the direct estimate, g1 to D."""
    y, D, X = _areas()
    eblup, _, gamma, mse, _, _ = predict(y, D, X, np.array([1e12]), "reml", None)
    assert gamma[0] == pytest.approx(np.ones_like(D), rel=1e-9)
    assert eblup[0] == pytest.approx(y, rel=1e-9)
    assert mse[0] == pytest.approx(D, rel=1e-6)


def test_infinite_sampling_variance_gives_the_synthetic_estimates():
    """Dᵢ → ∞ (equal): the shrinkage goes to 0, the EBLUP to Xβ̂ with β̂ ordinary least squares."""
    y, _, X = _areas()
    D = np.full(len(y), 1e12)
    eblup, synthetic, gamma, _, beta, _ = predict(y, D, X, np.array([0.003]), "reml", None)
    ols = np.linalg.lstsq(X, y, rcond=None)[0]
    assert gamma[0] == pytest.approx(np.zeros_like(D), abs=1e-12)
    assert beta[0] == pytest.approx(ols, rel=1e-9)
    assert eblup[0] == pytest.approx(X @ ols, rel=1e-9)
    assert synthetic[0] == pytest.approx(X @ ols, rel=1e-9)


def test_fitted_model_moves_between_direct_and_synthetic():
    """Each EBLUP is γᵢ·direct + (1−γᵢ)·synthetic with γᵢ = σu²/(σu² + Dᵢ)."""
    y, D, X = _areas()
    fit = fay_herriot(y, D, X)
    gamma = fit.variance_component / (fit.variance_component + D)
    assert fit.shrinkage == pytest.approx(gamma, rel=EXACT)
    assert fit.eblup == pytest.approx(gamma * y + (1 - gamma) * fit.synthetic, rel=EXACT)


@pytest.mark.parametrize("kind", ["ratio", "raking", "mse"])
def test_benchmarked_estimates_reproduce_the_benchmark(kind):
    """Σ wᵢ θᵢᴮ equals the provincial value exactly, for each kind of benchmarking."""
    rng = np.random.default_rng(5)
    estimates, shares = rng.uniform(0.6, 0.95, 40), rng.uniform(1, 50, 40)
    mse = rng.uniform(1e-4, 1e-3, 40)
    moved = benchmark(estimates, shares, 0.812, kind, mse=mse)
    assert moved @ (shares / shares.sum()) == pytest.approx(0.812, rel=EXACT)


@pytest.mark.parametrize("kind", ["ratio", "raking", "mse"])
def test_small_area_estimates_benchmark_with_an_mse(kind):
    """Through the whole pipeline (arcsine scale): the benchmark holds and every area has an MSE."""
    y, D, X = _areas(spread=0.04)
    n = np.round(0.2 / D).astype(int)
    share = np.clip(y, 0.05, 0.99)
    result = small_area_estimates(share, share * (1 - share) / n, X, transform="arcsine",
                                  n_eff=n, benchmark_value=0.79, shares=n, benchmark_type=kind,
                                  replicates=200, seed=1)
    assert result.benchmarked @ (n / n.sum()) == pytest.approx(0.79, rel=EXACT)
    assert (result.benchmarked_mse > 0).all()


def _residual_loglike(A, y, D, X):
    v = 1 / (A + D)
    XtVX = X.T @ (v[:, None] * X)
    beta = np.linalg.solve(XtVX, X.T @ (v * y))
    r = y - X @ beta
    return -0.5 * (np.sum(np.log(A + D)) + np.linalg.slogdet(XtVX)[1] + np.sum(v * r ** 2))


@pytest.mark.parametrize("fallback", ["yoshimori-lahiri", "li-lahiri"])
def test_adjusted_likelihood_replaces_a_zero_variance_component(fallback):
    """When REML gives σu² = 0 the fallback maximises REML × h(σu²) and stays positive.

    The maximum is checked on the adjusted log-likelihood written out directly
    (Li & Lahiri 2010: h = A; Yoshimori & Lahiri 2014: h = arctan(Σ A/(A+D))^{1/m}).
    """
    y, D, X = _areas(spread=0.0, seed=11)
    assert fay_herriot(y, D, X, adjustment=None).variance_component == 0
    fit = fay_herriot(y, D, X, adjustment=fallback)
    A = fit.variance_component
    assert fit.adjustment == fallback and A > 0 and (fit.shrinkage > 0).all()
    g1, g2, _, _ = mse_terms(D, X, np.array([A]), fit.beta_cov[None], "reml", fallback)
    assert (fit.mse >= (g1 + g2)[0]).all()

    def adjusted(a):
        if fallback == "li-lahiri":
            h = np.log(a)
        else:
            h = np.log(np.arctan(np.sum(a / (a + D)))) / len(D)
        return _residual_loglike(a, y, D, X) + h

    assert adjusted(A) > adjusted(A * 0.99) and adjusted(A) > adjusted(A * 1.01)
    step = A * 1e-5
    slope = (adjusted(A + step) - adjusted(A - step)) / (2 * step)
    assert abs(slope) < 1e-4 * abs(adjustment_slope(np.array([A]), D, fallback)[0])


@pytest.mark.parametrize("transform", ["arcsine", "logit"])
def test_share_scales_use_the_effective_sample_size(transform):
    """Arcsine: D = 1/(4ñ); logit: D = 1/(ñ p̂(1−p̂)); estimates and interval ends stay in (0, 1)."""
    rng = np.random.default_rng(8)
    n = rng.integers(10, 300, 50)
    p = np.clip(rng.binomial(n, 0.8) / n, 0.02, 0.98)
    X = np.column_stack([np.ones(50), rng.normal(size=50)])
    result = small_area_estimates(p, p * (1 - p) / n, X, transform=transform, n_eff=n,
                                  replicates=50, seed=2)
    expected = 1 / (4 * n) if transform == "arcsine" else 1 / (n * p * (1 - p))
    assert result.fit.sampling_variance == pytest.approx(expected, rel=EXACT)
    assert ((0 < result.ci_low) & (result.ci_low <= result.eblup)
            & (result.eblup <= result.ci_high) & (result.ci_high < 1)).all()
