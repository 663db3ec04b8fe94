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
with sampling variance ``1/(4ñ)``.  ``ñ`` is not taken from the locality's own
SE, which on a real wave is noise (0 when a thin commune's three answers
agree, missing when its answers come from one desk-day): the sampling
variances are smoothed by a generalized variance function
(``analysis.sae.gvf``), ``ψ_i = p̃(1−p̃)·κ·deff ÷ n_i`` with ``p̃`` the
localities' pooled mean, ``deff`` the design effect pooled over the
localities that have one (floored at 1; ``DEFAULT_DEFF`` when none has) and
``κ`` the index's unit variance as a share of a 0/1 share's; so
``ñ_i = n_i ÷ (κ·deff)`` and every locality with at least one response is
modelled.  The MSE is a parametric bootstrap on the
share scale.  The interval is the parametric bootstrap interval of
Chatterjee, Lahiri & Li (``analysis.sae.intervals``) from the same 500
replicates, computed on the arcsine scale and back-transformed: it accounts
for the error in σu² and β that ``EBLUP ± z √MSE`` leaves to an O(1/m) term
(see the coverage simulations of docs/benchmarks.md, which since issue 21
also draw answers clustered by desk-day and estimate the GVF from them).

A commune or ward with no response gets the synthetic estimate ``x'β̂``
(``analysis.sae.synthetic``) in ``extra["small_area_synthetic"]`` when its
own covariates are known (its kind is one the model has seen; its dossier
count when the model uses dossiers); it is not ranked.

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
from analysis.sae import small_area_estimates, smoothed_variances, synthetic_estimates
from analysis.sae.gvf import DEFAULT_DEFF
from analysis.sipas import Node, index_nodes
from survey.enums import LocalityKind, values
from survey.labels import label
from survey.reports.model import CentreQuality, LocalityRow

#: fewer modelled localities than this and no model is fitted
MIN_AREAS = 10
#: bootstrap replicates for the MSE, and a fixed seed so a report can be rebuilt exactly
REPLICATES = 500
SEED = 13
#: the interval kind of analysis.sae.intervals
INTERVAL = "bootstrap"
#: how the sampling variances are set (``analysis.sae.gvf``)
SAMPLING_VARIANCE = "gvf"

NOTE_VI = ("Ước lượng khu vực nhỏ (mô hình Fay–Herriot) kết hợp chỉ số trực tiếp của địa phương với "
           "mức mà các đặc điểm của địa phương (loại phường/xã, số hồ sơ) dự báo, dựa trên tất cả các "
           "địa phương trong tỉnh. Địa phương càng ít phiếu thì ước lượng càng dựa nhiều vào mô hình. "
           "Đây là ước lượng dựa trên mô hình, không phải kết quả đo trực tiếp; chỉ dùng để xếp hạng các "
           "địa phương chưa đủ tin cậy. Ở địa phương đủ tin cậy, chỉ số trực tiếp vẫn là kết quả chính.")


def _decimal(value: float, places: int = 2) -> str:
    return f"{value:.{places}f}".replace(".", ",")


def gvf_note_vi(gvf) -> str:
    """One Vietnamese sentence stating the smoothed sampling variance and its pooled figures."""
    if gvf.deff_areas:
        pool = (f"hệ số thiết kế deff = {_decimal(gvf.deff)} gộp từ {gvf.deff_areas} địa phương "
                "ước lượng được (không nhỏ hơn 1)")
    else:
        pool = (f"hệ số thiết kế deff = {_decimal(DEFAULT_DEFF)} (giá trị mặc định: chưa địa phương "
                "nào có từ 2 ngày khảo sát trở lên)")
    return ("Phương sai mẫu của chỉ số trực tiếp ở mỗi địa phương không lấy từ sai số chuẩn riêng của "
            "địa phương đó (ở địa phương ít phiếu con số này không ổn định, có thể bằng 0) mà được làm "
            f"trơn: ψ = p̃(1 − p̃)·κ·deff ÷ n, với p̃ = {_decimal(100 * gvf.pooled_mean, 1)}% là mức "
            f"chung của các địa phương, {pool}, κ = {_decimal(gvf.kappa)} (phương sai của điểm chỉ số "
            "so với một tỷ lệ 0/1) và n là số phiếu của địa phương.")


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


def _covariates(candidates: list[tuple[str, np.ndarray]], m: int,
                rows: int | None = None) -> tuple[np.ndarray, list[str]]:
    """The intercept and each candidate column that raises the rank of X on the first ``m`` rows.

    Columns have ``rows`` entries (default ``m``): past row ``m`` are areas to predict, which
    do not decide.
    """
    columns, names = [np.ones(m if rows is None else rows)], ["hệ số chặn"]
    for name, column in candidates:
        trial = np.column_stack(columns + [column])[:m]
        if np.linalg.matrix_rank(trial) == trial.shape[1]:
            columns.append(column)
            names.append(name)
    return np.column_stack(columns), names


def _candidates(modelled: list[LocalityRow], empty: list[LocalityRow], quality, previous):
    """Candidate covariate columns over ``modelled + empty`` (NaN where an empty area lacks one)."""
    everyone = modelled + empty
    kinds = sorted({row.kind for row in modelled})
    candidates = [(f"là {label(kind, 'locality_kind').lower()}", np.array([float(row.kind == kind) if row.kind in kinds
                                               else np.nan for row in everyone]))
                  for kind in kinds[1:]]
    dossiers = _dossiers(quality)
    if all(dossiers.get(row.code, 0) > 0 for row in modelled):
        candidates.append(("log số hồ sơ", np.array([np.log(dossiers[row.code])
                                                      if dossiers.get(row.code, 0) > 0 else np.nan
                                                      for row in everyone])))
    known = [previous[row.code] for row in modelled if row.code in (previous or {})]
    if known:
        fill = float(np.mean(known))
        # on the model's arcsine scale, where the relation is closest to linear
        candidates.append(("chỉ số đợt trước (arcsin √)", np.arcsin(np.sqrt(
            np.clip([previous.get(row.code, fill) for row in everyone], 0.0, 1.0)))))
        candidates.append(("không có chỉ số đợt trước",
                           np.array([row.code not in previous for row in everyone], dtype=float)))
    return candidates


def add_small_area(rows: list[LocalityRow], quality: list[CentreQuality], level: float,
                   previous: dict[str, float] | None = None) -> dict | None:
    """Fit the model to the localities' direct index and fill ``row.extra["small_area"]``.

    Every commune or ward with at least one response is modelled, whatever its
    SE and deff (either may be ``None``); one with none gets
    ``row.extra["small_area_synthetic"]`` where its covariates are known.
    ``previous`` maps locality codes to the previous wave's direct index.
    Returns the model's summary for the method appendix, or ``None`` when
    fewer than ``MIN_AREAS`` localities have a direct index to model.
    """
    areas = [row for row in rows if row.kind in values(LocalityKind)]
    modelled = [row for row in areas if row.index.estimate is not None and row.index.n >= 1
                and math.isfinite(row.index.estimate)]
    chosen = {id(row) for row in modelled}
    empty = [row for row in areas if id(row) not in chosen]
    if len(modelled) < MIN_AREAS:
        return None
    direct = np.clip([row.index.estimate for row in modelled], 0.0, 1.0)
    gvf = smoothed_variances([row.index.n for row in modelled], direct,
                             [row.index.se for row in modelled],
                             [row.index.deff for row in modelled])
    X_all, names = _covariates(_candidates(modelled, empty, quality, previous), len(modelled),
                               len(modelled) + len(empty))
    X = X_all[:len(modelled)]
    result = small_area_estimates(direct, gvf.variance, X, transform="arcsine",
                                  n_eff=gvf.effective_n, level=level, replicates=REPLICATES,
                                  seed=SEED, interval=INTERVAL)
    for k, row in enumerate(modelled):
        row.extra["small_area"] = {
            "estimate": float(result.eblup[k]), "ci_low": float(result.ci_low[k]),
            "ci_high": float(result.ci_high[k]), "mse": float(result.mse[k]),
            "cv": float(math.sqrt(result.mse[k]) / result.eblup[k]) if result.eblup[k] > 0 else None,
            "shrinkage": float(result.fit.shrinkage[k]), "model_based": not row.reliable,
            "sampling_variance": float(gvf.variance[k])}
    kinds = {row.kind for row in modelled}
    synthetic = _add_synthetic(empty, X_all[len(modelled):], [row.kind in kinds for row in empty],
                               result.fit, level)
    _combined_ranks(rows)
    fit, checks = result.fit, result.diagnostics
    return {"model": "Fay–Herriot, arcsine", "method": fit.method,
            "adjusted_likelihood": fit.adjustment, "areas": len(modelled),
            "covariates": names, "variance_component": fit.variance_component,
            "beta": [float(b) for b in fit.beta], "brown_p": checks.brown_p,
            "synthetic_direct_correlation": _number(checks.synthetic_direct_correlation),
            "cv_below_20_direct": checks.cv_below_direct, "cv_below_20_model": checks.cv_below_model,
            "residual_shapiro_p": checks.shapiro_p, "bootstrap_replicates": REPLICATES,
            "interval": INTERVAL, "sampling_variance": SAMPLING_VARIANCE,
            "gvf": gvf.as_dict() | {"default_deff": DEFAULT_DEFF},
            "synthetic_areas": synthetic, "unmodelled_areas": len(empty) - synthetic,
            "note": f"{NOTE_VI} {gvf_note_vi(gvf)}"}


def _add_synthetic(empty: list[LocalityRow], X, seen_kind: list[bool], fit, level: float) -> int:
    """``x'β̂`` for each area without responses whose covariates are all known; returns how many.

    An area of a kind no modelled area has is left out: the model says nothing about that kind.
    """
    known = (np.isfinite(X).all(axis=1) & np.array(seen_kind, dtype=bool) if len(empty)
             else np.zeros(0, dtype=bool))
    if not known.any():
        return 0
    found = synthetic_estimates(fit, X[known], transform="arcsine", level=level)
    for k, row in enumerate(row for row, ok in zip(empty, known, strict=True) if ok):
        estimate = float(found.estimate[k])
        row.extra["small_area_synthetic"] = {
            "estimate": estimate, "ci_low": float(found.ci_low[k]),
            "ci_high": float(found.ci_high[k]), "mse": float(found.mse[k]),
            "cv": float(math.sqrt(found.mse[k]) / estimate) if estimate > 0 else None,
            "shrinkage": 0.0, "model_based": True, "synthetic": True}
    return int(known.sum())


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
