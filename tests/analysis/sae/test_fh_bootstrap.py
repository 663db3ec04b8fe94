"""The parametric bootstrap MSE against the Prasad–Rao approximation of the same quantity."""

import numpy as np
import pytest

from analysis.sae import fay_herriot
from analysis.sae.bootstrap import bootstrap_mse
from analysis.sae.model import mse_terms

#: 2,000 replicates estimate one area's MSE to about ±3 % (√(2/2000)); a mean over 43 less
MEAN_RATIO_TOLERANCE = 0.03


@pytest.mark.parametrize("method", ["reml", "ml"])
def test_bootstrap_mse_estimates_the_mse_at_the_fitted_variance(milk, milk_design, method):
    """The bootstrap world has σu² = Â, where the EBLUP's MSE is g1 + g2 + g3 to second order
    (Prasad & Rao 1990; Rao & Molina §6.2.1); on R sae's milk data the bootstrap's mean ratio
    to it is 1 within 3 %."""
    fit = fay_herriot(milk.yi, milk.SD ** 2, milk_design, method)
    boot = bootstrap_mse(fit, 2000, np.random.default_rng(7))
    g1, g2, g3, _ = mse_terms(fit.sampling_variance, fit.design,
                              np.array([fit.variance_component]), fit.beta_cov[None], method, None)
    assert np.mean(boot.mse / (g1 + g2 + g3)[0]) == pytest.approx(1.0, abs=MEAN_RATIO_TOLERANCE)
    assert boot.benchmarked_mse is None
