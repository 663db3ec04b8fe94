"""Small-area estimation: the area-level Fay–Herriot model (Rao & Molina, *Small Area Estimation*).

``small_area_estimates(direct, direct_variance, design, *, method="reml"|"ml",
transform="none"|"arcsine"|"logit", n_eff=None, fallback="yoshimori-lahiri"|
"li-lahiri", benchmark_value=None, shares=None, benchmark_type="ratio"|"raking"|
"mse", level=0.95, replicates=500, seed=None, interval="mse"|"bootstrap"|
"robust") -> SmallAreaEstimates``
    One row per area; ``design`` is X with the intercept column first.

Modules: ``model`` (REML/ML Fisher scoring, adjusted likelihood, EBLUP,
Prasad–Rao and Datta–Lahiri MSE), ``transform`` (arcsine/logit), ``bootstrap``
(parametric bootstrap MSE and pivot quantiles), ``intervals`` (the three
interval kinds), ``benchmark`` (Datta et al. 2011), ``diagnostics``
(Brown's test, CVs, residuals), ``records`` (JSON), ``estimate`` (all together),
``gvf`` (smoothed sampling variances ``p̃(1−p̃)·κ·deff/n`` for shares) and
``synthetic`` (``x'β̂`` with its prediction interval for areas with no sample).
"""

from analysis.sae.benchmark import BENCHMARK_TYPES, benchmark
from analysis.sae.estimate import SmallAreaEstimates, small_area_estimates
from analysis.sae.gvf import SmoothedVariances, smoothed_variances
from analysis.sae.model import FayHerriotFit, fay_herriot
from analysis.sae.records import area_records, model_record
from analysis.sae.synthetic import SyntheticEstimates, synthetic_estimates

__all__ = ["small_area_estimates", "SmallAreaEstimates", "fay_herriot", "FayHerriotFit",
           "benchmark", "BENCHMARK_TYPES", "model_record", "area_records",
           "smoothed_variances", "SmoothedVariances", "synthetic_estimates", "SyntheticEstimates"]
