"""The three Fay–Herriot intervals: identities and properties (analysis.sae.intervals)."""

import json

import numpy as np
import pytest
from scipy import optimize
from scipy.special import ndtr, ndtri

from analysis.cli import run
from analysis.sae import small_area_estimates
from analysis.sae.intervals import INTERVALS, robust_critical_value, robust_half_width, worst_noncoverage

#: the bisections stop at double precision; the linear program's grid of laws is coarser
BISECTION = 1e-9
LP_GRID = 1e-3


def _shares(m=60, seed=4):
    rng = np.random.default_rng(seed)
    n = rng.integers(7, 400, m)
    X = np.column_stack([np.ones(m), rng.normal(size=m), rng.integers(0, 2, m)])
    truth = np.sin(np.clip(X @ [1.1, 0.05, -0.06] + rng.normal(0, 0.07, m), 0, np.pi / 2)) ** 2
    p = rng.binomial(n, truth) / n
    return p, n, X


def test_robust_critical_value_is_z_without_bias_and_grows_with_it():
    """m2 → 0: no bias, so cva is the normal quantile; cva rises with m2 and is never below
    the normal-theory value z √(1 + m2) (normal effects are one of the laws allowed)."""
    m2 = np.array([1e-10, 0.01, 0.1, 1.0, 6.0, 30.0])
    for level in (0.9, 0.95):
        cva = robust_critical_value(m2, level)
        z = ndtri(0.5 + level / 2)
        assert cva[0] == pytest.approx(z, rel=1e-6)
        assert (np.diff(cva) > 0).all()
        assert (cva >= z * np.sqrt(1 + m2) * (1 - BISECTION)).all()
        assert worst_noncoverage(m2, cva) == pytest.approx(np.full(6, 1 - level), rel=BISECTION)


@pytest.mark.parametrize("m2", [0.3, 1.0, 6.0])
def test_worst_noncoverage_matches_a_linear_program_over_laws(m2):
    """The closed form (least concave majorant) against a direct maximisation of the average
    non-coverage over discrete laws of b² on a fine grid with E b² = m2 (scipy's HiGHS LP)."""
    chi = robust_critical_value(m2)
    t = m2 * np.concatenate([[0.0], np.geomspace(1e-3, 1e4, 800)])
    r = ndtr(-chi - np.sqrt(t)) + ndtr(np.sqrt(t) - chi)
    best = optimize.linprog(-r, A_eq=np.vstack([np.ones_like(t), t]), b_eq=[1.0, m2],
                            bounds=(0, None), method="highs")
    assert best.status == 0
    assert -best.fun == pytest.approx(float(worst_noncoverage(m2, chi)), rel=LP_GRID)
    assert -best.fun <= float(worst_noncoverage(m2, chi)) * (1 + BISECTION)


@pytest.mark.parametrize("level", [0.8, 0.9, 0.95])
def test_robust_interval_is_shorter_than_the_direct_one_at_usual_levels(level):
    """cva(m2) · γ √D < z √D, i.e. cva(m2) < z (1 + m2), over m2 from 10⁻⁴ to 10⁵."""
    m2 = np.geomspace(1e-4, 1e5, 200)
    assert (robust_critical_value(m2, level) < ndtri(0.5 + level / 2) * (1 + m2)).all()


def test_robust_half_width_shrinks_with_the_sampling_variance():
    """D → 0: γ → 1 and m2 → 0, so the half-width tends to z √D, and it falls with D."""
    D = np.array([1e-2, 1e-3, 1e-4, 1e-6, 1e-10])
    half = robust_half_width(0.005, D)
    assert (np.diff(half) < 0).all()
    assert half[-1] == pytest.approx(ndtri(0.975) * np.sqrt(D[-1]), rel=1e-6)


@pytest.mark.parametrize("interval", INTERVALS)
@pytest.mark.parametrize("transform", ["none", "arcsine"])
def test_every_interval_contains_the_eblup(interval, transform):
    p, n, X = _shares()
    variance = np.maximum(p * (1 - p) / n, 1e-6)
    result = small_area_estimates(p, variance, X, transform=transform,
                                  n_eff=None if transform == "none" else n,
                                  replicates=300, seed=3, interval=interval)
    assert result.interval == interval
    assert ((result.ci_low < result.eblup) & (result.eblup < result.ci_high)).all()


def test_robust_interval_is_wider_than_normal_theory_and_shorter_than_direct():
    """On the model scale: √g1 z ≤ robust half-width, and below the direct z √D once m2 ≥ 1
    (AKP 2022: the robust interval is never shorter than the parametric EB one)."""
    p, n, X = _shares()
    result = small_area_estimates(p, p * (1 - p) / n, X, transform="arcsine", n_eff=n,
                                  replicates=50, seed=1, interval="robust")
    fit = result.fit
    D, A = fit.sampling_variance, fit.variance_component
    half = robust_half_width(A, D)
    z = ndtri(0.975)
    assert (half >= z * np.sqrt(fit.shrinkage * D) * (1 - BISECTION)).all()
    assert (half[D >= A] < z * np.sqrt(D[D >= A])).all()
    low = np.sin(np.clip(fit.eblup - half, 0, np.pi / 2)) ** 2
    assert result.ci_low == pytest.approx(low, rel=1e-12)


def test_bootstrap_interval_is_reproducible_with_a_seed():
    p, n, X = _shares()
    runs = [small_area_estimates(p, p * (1 - p) / n, X, transform="arcsine", n_eff=n,
                                 replicates=200, seed=seed, interval="bootstrap")
            for seed in (5, 5, 6)]
    assert np.array_equal(runs[0].ci_low, runs[1].ci_low)
    assert np.array_equal(runs[0].ci_high, runs[1].ci_high)
    assert not np.array_equal(runs[0].ci_low, runs[2].ci_low)


def test_bootstrap_pivot_is_standard_normal_when_the_variance_component_is_large():
    """With σu² large against every Dᵢ, Â is precise and the pivot (θ − θ̂)/√g1 is close to
    N(0, 1 + g2/g1): its bootstrap quantiles are near ∓z (Chatterjee, Lahiri & Li 2008)."""
    rng = np.random.default_rng(9)
    m = 200
    X = np.column_stack([np.ones(m), rng.normal(size=m)])
    D = rng.uniform(0.5, 1.0, m)
    y = X @ [1.0, 0.5] + rng.normal(0, 10.0, m) + rng.normal(0, np.sqrt(D))
    result = small_area_estimates(y, D, X, replicates=4000, seed=2, interval="bootstrap")
    z = ndtri(0.975)
    assert np.median(result.bootstrap.pivot_high) == pytest.approx(z, rel=0.03)
    assert np.median(result.bootstrap.pivot_low) == pytest.approx(-z, rel=0.03)


def test_mse_interval_is_unchanged_by_the_default(milk, milk_design, expected_milk):
    """The default interval is EBLUP ± z √MSE with the Prasad–Rao MSE (R sae's, milk data)."""
    expected = expected_milk["reml"]
    result = small_area_estimates(milk.yi, milk.SD ** 2, milk_design)
    half = ndtri(0.975) * np.sqrt(np.array(expected["mse"]))
    assert result.ci_high - result.eblup == pytest.approx(half, rel=1e-6)


@pytest.mark.parametrize("interval", ["robust", "bootstrap"])
def test_fh_command_names_the_interval(tmp_path, capsys, interval):
    p, n, X = _shares(m=30)
    path = tmp_path / "areas.csv"
    path.write_text("code,p,v,n,x\n" + "\n".join(
        f"L{k},{p[k]},{max(p[k] * (1 - p[k]) / n[k], 1e-6)},{n[k]},{X[k, 1]}" for k in range(30)))
    status = run(["fh", str(path), "--area", "code", "--estimate", "p", "--variance", "v",
                  "--covariates", "x", "--transform", "arcsine", "--n-eff", "n",
                  "--interval", interval, "--replicates", "200", "--seed", "1", "--format", "json"])
    assert status == 0
    out = json.loads(capsys.readouterr().out)
    assert out["model"]["interval"] == interval
    assert all(a["ci_low"] < a["eblup"] < a["ci_high"] for a in out["areas"])
