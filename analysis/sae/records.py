"""JSON-ready records of a small-area analysis (the ``fh`` command's output)."""

from __future__ import annotations

import math

from analysis.sae.diagnostics import coefficient_of_variation
from analysis.sae.estimate import SmallAreaEstimates
from analysis.sae.transform import back


def _number(value):
    value = float(value)
    return None if math.isnan(value) or math.isinf(value) else value


def model_record(result: SmallAreaEstimates, beta_names: list[str] | None = None) -> dict:
    """The fitted model and its diagnostics; ``beta`` has the intercept first."""
    fit, checks = result.fit, result.diagnostics
    record = {
        "method": fit.method,
        "adjusted_likelihood": fit.adjustment,
        "transform": result.transform,
        "level": result.level,
        "areas": len(fit.direct),
        "variance_component": fit.variance_component,
        "beta": [float(b) for b in fit.beta],
        "beta_se": [float(s) for s in fit.beta_se],
        "loglike": fit.loglike,
        "aic": fit.aic,
        "bic": fit.bic,
        "iterations": fit.iterations,
        "converged": fit.converged,
        "brown_w": checks.brown_w,
        "brown_df": checks.brown_df,
        "brown_p": checks.brown_p,
        "synthetic_direct_correlation": _number(checks.synthetic_direct_correlation),
        "cv_below_20_direct": checks.cv_below_direct,
        "cv_below_20_model": checks.cv_below_model,
        "residual_shapiro_w": checks.shapiro_w,
        "residual_shapiro_p": checks.shapiro_p,
        "mse_method": _mse_method(result),
        "interval": result.interval,
        "bootstrap_replicates": None if result.bootstrap is None else result.bootstrap.replicates,
    }
    if beta_names is not None:
        record["beta_names"] = list(beta_names)
    if result.benchmarked is not None:
        record["benchmark"] = {"type": result.benchmark_type, "value": result.benchmark_value}
    return record


def _mse_method(result: SmallAreaEstimates) -> str:
    if result.transform != "none":
        return "parametric bootstrap on the share scale"
    return "Prasad-Rao" if result.fit.method == "reml" else "Datta-Lahiri"


def area_records(result: SmallAreaEstimates, areas) -> list[dict]:
    """One record per area, on the share scale (the scale of the direct estimates)."""
    fit = result.fit
    direct_cv = coefficient_of_variation(result.direct, result.direct_variance)
    model_cv = coefficient_of_variation(result.eblup, result.mse)
    synthetic = back(result.transform, fit.synthetic)
    records = []
    for i, area in enumerate(areas):
        record = {"area": area, "direct": result.direct[i],
                  "direct_variance": result.direct_variance[i], "eblup": result.eblup[i],
                  "mse": result.mse[i], "ci_low": result.ci_low[i], "ci_high": result.ci_high[i],
                  "shrinkage": fit.shrinkage[i], "synthetic": synthetic[i],
                  "direct_cv": direct_cv[i], "cv": model_cv[i],
                  "standardised_residual": result.diagnostics.residuals[i]}
        if result.benchmarked is not None:
            record["benchmarked"] = result.benchmarked[i]
            record["benchmarked_mse"] = result.benchmarked_mse[i]
        records.append({k: v if k == "area" else _number(v) for k, v in record.items()})
    return records


__all__ = ["model_record", "area_records"]
