"""The generalized variance function (analysis.sae.gvf) and the synthetic estimates
(analysis.sae.synthetic): identities checked by hand, and the thin areas of a real wave."""

import numpy as np
import pytest

from analysis.sae import fay_herriot, smoothed_variances, synthetic_estimates
from analysis.sae.bootstrap import pivot_quantiles
from analysis.sae.gvf import DEFAULT_DEFF, DEFAULT_KAPPA, pooled_deff, pooled_kappa

EXACT = 1e-12


def test_gvf_on_a_hand_checked_case():
    """Three areas, n = 4, 10, 25, shares 0.5, 0.8, 0.6; the first has no SE or deff.

    deff = (10·2 + 25·1)/35 = 9/7; s² = n·SE²/deff = 0.08 and 0.12, so
    κ = (10·0.08 + 25·0.12)/(10·0.16 + 25·0.24) = 3.8/7.6 = 1/2;
    p̃ = (4·0.5 + 10·0.8 + 25·0.6)/39 = 25/39; ψ_i = p̃(1−p̃)·κ·deff/n_i; ñ_i = n_i·14/9.
    """
    n = [4, 10, 25]
    share = [0.5, 0.8, 0.6]
    se = [None, np.sqrt(0.08 * 2 / 10), np.sqrt(0.12 * 1 / 25)]
    deff = [None, 2.0, 1.0]
    got = smoothed_variances(n, share, se, deff)
    assert got.deff == pytest.approx(9 / 7, rel=EXACT)
    assert got.kappa == pytest.approx(0.5, rel=EXACT)
    assert got.pooled_mean == pytest.approx(25 / 39, rel=EXACT)
    assert (got.deff_areas, got.kappa_areas) == (2, 2)
    p = 25 / 39
    assert got.variance == pytest.approx([p * (1 - p) * 0.5 * (9 / 7) / k for k in n], rel=EXACT)
    assert got.effective_n == pytest.approx([k * 14 / 9 for k in n], rel=EXACT)


def test_a_zero_one_share_reduces_to_the_textbook_formula():
    """Answers 0 or 1 with SE² = p(1−p)·deff/n: κ = 1 and ψ = p̃(1−p̃)·deff/n, deff the n-weighted mean."""
    n = np.array([20, 30, 50])
    share = np.array([0.7, 0.6, 0.9])
    deff = np.array([1.2, 1.5, 2.0])
    se = np.sqrt(share * (1 - share) * deff / n)
    got = smoothed_variances(n, share, se, deff)
    pooled = float(n @ deff / n.sum())
    p = float(n @ share / n.sum())
    assert got.kappa == pytest.approx(1.0, rel=EXACT)
    assert got.deff == pytest.approx(pooled, rel=EXACT)
    assert got.variance == pytest.approx(p * (1 - p) * pooled / n, rel=EXACT)


def test_pooled_deff_is_floored_at_one_and_falls_back_to_the_default():
    """A pooled deff below 1 is sampling noise (floor 1); no estimable deff gives DEFAULT_DEFF."""
    assert pooled_deff([10, 20], [0.7, 0.9]) == (1.0, 2)
    assert pooled_deff([1, 3], [None, None]) == (DEFAULT_DEFF, 0)
    assert pooled_deff([5, 5], [float("nan"), 0.0]) == (DEFAULT_DEFF, 0)
    assert pooled_kappa([1, 3], [1.0, 0.5], [None, None], [None, None]) == (DEFAULT_KAPPA, 0)
    assert pooled_kappa([40], [0.5], [0.1], [0.5]) == (1.0, 1)   # s² = 0.8 > p(1−p): capped at 1


def test_thin_areas_with_no_within_variance_get_a_positive_variance():
    """Three agreeing answers (SE 0, deff None or 0) get the same ψ as any other area of n = 3."""
    n = [3, 3, 12, 40]
    share = [1.0, 0.0, 0.75, 0.6]
    se = [0.0, 0.0, 0.1, 0.07]
    deff = [0.0, None, 1.1, 1.6]
    got = smoothed_variances(n, share, se, deff)
    assert (got.variance > 0).all() and np.isfinite(got.variance).all()
    assert got.variance[0] == got.variance[1] == pytest.approx(got.variance[2] * 12 / 3, rel=EXACT)
    assert got.deff_areas == 2


def test_every_area_agreeing_still_gives_a_positive_variance():
    """p̃ is kept half a response from 0 and 1, so ψ > 0 even if every answer in the province is 1."""
    got = smoothed_variances([1, 2, 3], [1.0, 1.0, 1.0])
    assert (got.variance > 0).all()
    assert got.pooled_mean == pytest.approx(1 - 0.5 / 6, rel=EXACT)
    assert (got.deff, got.kappa) == (DEFAULT_DEFF, DEFAULT_KAPPA)


def test_areas_without_responses_are_refused():
    with pytest.raises(ValueError, match="at least one response"):
        smoothed_variances([0, 3], [0.5, 0.5])
    with pytest.raises(ValueError, match="shares"):
        smoothed_variances([2, 3], [float("nan"), 0.5])


def _fitted(m=40, seed=5):
    rng = np.random.default_rng(seed)
    X = np.column_stack([np.ones(m), rng.normal(size=m)])
    D = rng.uniform(0.002, 0.02, m)
    y = X @ np.array([1.0, 0.05]) + rng.normal(0, 0.06, m) + rng.normal(0, np.sqrt(D))
    return fay_herriot(y, D, X), X


def test_synthetic_estimate_of_a_modelled_area_is_its_regression_part():
    """For an area's own covariates the synthetic estimate is x'β̂ and its prediction variance
    is Â + x'(X'V⁻¹X)⁻¹x; with no transform the quadrature MSE is that variance."""
    fit, X = _fitted()
    got = synthetic_estimates(fit, X[:5])
    assert got.estimate == pytest.approx(fit.synthetic[:5], rel=EXACT)
    expected = fit.variance_component + np.array([x @ fit.beta_cov @ x for x in X[:5]])
    assert got.prediction_variance == pytest.approx(expected, rel=EXACT)
    assert got.mse == pytest.approx(expected, rel=1e-9)
    half = 1.959963984540054 * np.sqrt(expected)
    assert got.ci_low == pytest.approx(fit.synthetic[:5] - half, rel=1e-12)


def test_synthetic_interval_of_a_share_stays_inside_zero_one():
    """On the arcsine scale the ends go back by sin², clamped: every interval inside [0, 1]."""
    fit, X = _fitted()
    far = np.column_stack([np.ones(3), [-40.0, 0.0, 40.0]])   # far outside the data
    got = synthetic_estimates(fit, far, transform="arcsine")
    for name in ("estimate", "ci_low", "ci_high", "mse"):
        values = getattr(got, name)
        assert np.isfinite(values).all() and (values >= 0).all() and (values <= 1).all(), name
    assert (got.ci_low <= got.estimate).all() and (got.estimate <= got.ci_high).all()
    with pytest.raises(ValueError, match="columns"):
        synthetic_estimates(fit, np.ones((2, 3)))


def test_bootstrap_with_one_variance_row_per_model_matches_the_shared_one():
    """pivot_quantiles with D (k, m), every row equal, gives exactly what D (m,) gives (same seed):
    the per-model D of the coverage simulation (estimated variances) changes nothing else."""
    fit, X = _fitted()
    k = 3
    synthetic = np.tile(fit.synthetic, (k, 1))
    A = np.full(k, fit.variance_component)
    D = fit.sampling_variance
    shared = pivot_quantiles(synthetic, A, D, X, "reml", "yoshimori-lahiri", 50,
                             np.random.default_rng(9))
    per_model = pivot_quantiles(synthetic, A, np.tile(D, (k, 1)), X, "reml", "yoshimori-lahiri",
                                50, np.random.default_rng(9))
    for a, b in zip(shared, per_model, strict=True):
        assert np.array_equal(a, b)
