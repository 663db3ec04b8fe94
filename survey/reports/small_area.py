"""Small-area estimates of the index for each locality ("ước lượng khu vực nhỏ").

Thin localities (n < 30 or an imprecise direct index) are "chưa đủ tin cậy"
and not ranked on their direct index.  The area-level Fay–Herriot model of
``analysis.sae`` borrows strength across the province: each locality's
estimate leans on its own direct index as far as that is precise and on what
the covariates predict for it otherwise: the locality kind (phường/xã), the
log of its dossiers resolved (where every modelled locality has them) and
the previous wave's direct index of the locality on the arcsine scale (a
locality without one gets the mean of the others and an indicator).  A covariate that adds no
information (constant, or collinear with those before it) is left out.
The index is a share in [0, 1], so the model is fitted on the arcsine scale
with sampling variance ``1/(4ñ)``; ``ñ = p̂(1−p̂)/SE²`` (for a share exactly
``n ÷ deff``), or ``n ÷ deff`` where p̂ is 0 or 1.  The MSE is a parametric bootstrap on the
share scale.  The interval is the parametric bootstrap interval of
Chatterjee, Lahiri & Li (``analysis.sae.intervals``) from the same 500
replicates, computed on the arcsine scale and back-transformed: it accounts
for the error in σu² and β that ``EBLUP ± z √MSE`` leaves to an O(1/m) term
(in the coverage simulation of docs/benchmarks.md that interval fell to
92.6 % in the thinnest quartile when the truth was normal on the logit scale;
the bootstrap one held 93 % there, by a small margin).

Every locality in the model gets ``extra["small_area"]`` with its estimate,
interval, MSE and shrinkage (``model_based`` when it is thin), and every
locality that is either reliable (on the direct index) or thin and modelled
(on the model-based estimate) gets ``extra["combined_rank"]``.  Direct estimates stay the headline wherever
they are reliable.
"""

from __future__ import annotations

import math

import numpy as np

from analysis.design import Design
from analysis.report import ranks
from analysis.sae import small_area_estimates
from analysis.sipas import Node, index_nodes
from survey.enums import LocalityKind, values
from survey.reports.model import CentreQuality, LocalityRow

#: fewer modelled localities than this and no model is fitted
MIN_AREAS = 10
#: bootstrap replicates for the MSE, and a fixed seed so a report can be rebuilt exactly
REPLICATES = 500
SEED = 13
#: the interval kind of analysis.sae.intervals
INTERVAL = "bootstrap"

NOTE_VI = ("Ước lượng khu vực nhỏ (mô hình Fay–Herriot) kết hợp chỉ số trực tiếp của địa phương với "
           "mức mà các đặc điểm của địa phương (loại phường/xã, số hồ sơ) dự báo, dựa trên tất cả các "
           "địa phương trong tỉnh. Địa phương càng ít phiếu thì ước lượng càng dựa nhiều vào mô hình. "
           "Đây là ước lượng dựa trên mô hình, không phải kết quả đo trực tiếp; chỉ dùng để xếp hạng các "
           "địa phương chưa đủ tin cậy. Ở địa phương đủ tin cậy, chỉ số trực tiếp vẫn là kết quả chính.")


def _effective_n(row: LocalityRow) -> float | None:
    stat = row.index
    p, se = stat.estimate, stat.se
    if se is not None and se > 0 and 0 < p < 1:
        return p * (1 - p) / se ** 2
    return stat.effective_n


def _dossiers(quality: list[CentreQuality]) -> dict[str, int]:
    out: dict[str, int] = {}
    for centre in quality:
        if centre.dossiers:
            out[centre.locality_code] = out.get(centre.locality_code, 0) + centre.dossiers
    return out


def previous_locality_index(frame, root: Node, *, weight: str, strata: str, cluster: str,
                            by: str) -> dict[str, float]:
    """The previous wave's direct index of each locality with responses then."""
    design = Design.from_frame(frame, weight=weight, strata=strata, cluster=cluster)
    return {r.domain[0][1]: r.estimate for r in index_nodes(design, root, by=by)
            if r.statistic == "index" and r.domain is not None and math.isfinite(r.estimate)}


def _covariates(candidates: list[tuple[str, np.ndarray]], m: int) -> tuple[np.ndarray, list[str]]:
    """The intercept and each candidate column that raises the rank of X."""
    columns, names = [np.ones(m)], ["hệ số chặn"]
    for name, column in candidates:
        trial = np.column_stack(columns + [column])
        if np.linalg.matrix_rank(trial) == trial.shape[1]:
            columns.append(column)
            names.append(name)
    return np.column_stack(columns), names


def add_small_area(rows: list[LocalityRow], quality: list[CentreQuality], level: float,
                   previous: dict[str, float] | None = None) -> dict | None:
    """Fit the model to the localities' direct index and fill ``row.extra["small_area"]``.

    ``previous`` maps locality codes to the previous wave's direct index.
    Returns the model's summary for the method appendix, or ``None`` when
    fewer than ``MIN_AREAS`` localities have a direct index to model.
    """
    modelled = [row for row in rows if row.kind in values(LocalityKind) and row.index.estimate is not None
                and (_effective_n(row) or 0) > 0]
    if len(modelled) < MIN_AREAS:
        return None
    direct = np.array([row.index.estimate for row in modelled])
    variance = np.array([(row.index.se or 0.0) ** 2 for row in modelled])
    n_eff = np.array([_effective_n(row) for row in modelled])
    candidates = [(f"loại: {kind}", np.array([row.kind == kind for row in modelled], dtype=float))
                  for kind in sorted({row.kind for row in modelled})[1:]]
    dossiers = _dossiers(quality)
    if all(dossiers.get(row.code, 0) > 0 for row in modelled):
        candidates.append(("log số hồ sơ", np.log([dossiers[row.code] for row in modelled])))
    known = [previous[row.code] for row in modelled if row.code in (previous or {})]
    if known:
        fill = float(np.mean(known))
        # on the model's arcsine scale, where the relation is closest to linear
        candidates.append(("chỉ số đợt trước (arcsin √)", np.arcsin(np.sqrt(
            np.clip([previous.get(row.code, fill) for row in modelled], 0.0, 1.0)))))
        candidates.append(("không có chỉ số đợt trước",
                           np.array([row.code not in previous for row in modelled], dtype=float)))
    X, names = _covariates(candidates, len(modelled))
    result = small_area_estimates(direct, variance, X, transform="arcsine",
                                  n_eff=n_eff, level=level, replicates=REPLICATES, seed=SEED,
                                  interval=INTERVAL)
    for k, row in enumerate(modelled):
        row.extra["small_area"] = {
            "estimate": float(result.eblup[k]), "ci_low": float(result.ci_low[k]),
            "ci_high": float(result.ci_high[k]), "mse": float(result.mse[k]),
            "cv": float(math.sqrt(result.mse[k]) / result.eblup[k]) if result.eblup[k] > 0 else None,
            "shrinkage": float(result.fit.shrinkage[k]), "model_based": not row.reliable}
    _combined_ranks(rows)
    fit, checks = result.fit, result.diagnostics
    return {"model": "Fay–Herriot, arcsine", "method": fit.method,
            "adjusted_likelihood": fit.adjustment, "areas": len(modelled),
            "covariates": names, "variance_component": fit.variance_component,
            "beta": [float(b) for b in fit.beta], "brown_p": checks.brown_p,
            "synthetic_direct_correlation": _number(checks.synthetic_direct_correlation),
            "cv_below_20_direct": checks.cv_below_direct, "cv_below_20_model": checks.cv_below_model,
            "residual_shapiro_p": checks.shapiro_p, "bootstrap_replicates": REPLICATES,
            "interval": INTERVAL,
            "note": NOTE_VI}


def _combined_ranks(rows: list[LocalityRow]) -> None:
    """Rank reliable localities on the direct index and thin ones on the model-based estimate."""
    values = []
    for row in rows:
        small = row.extra.get("small_area")
        if row.reliable:
            values.append(row.index.estimate)
        elif small is not None:
            values.append(small["estimate"])
        else:
            values.append(None)
    for row, rank in zip(rows, ranks(values), strict=False):
        if rank is not None:
            row.extra["combined_rank"] = rank


def _number(value):
    return None if value is None or not math.isfinite(value) else float(value)
