"""Statistics the quarterly report adds to the index: node design effects,
the reliability rule, ranks and PAPI-style quartile groups.

*Design effect of a node.*  ``analysis.sipas`` gives every node (element,
field, index) its linearised variance but no deff, as R's ``svymean`` has
none for a combination of ratios.  The report needs one for the effective
sample size ``n / deff`` (Kish 1965).  A node is ``theta = sum_k c_k R_k``
with linearised variable ``z_i = sum_k c_k a_ik (s_ik - R_k) / T_k``
(Wolter, ch. 6), so ``theta - theta_0 ~ sum_i w_i z_i``, a total.  Its
variance under simple random sampling of the same ``n`` responses from a
population of ``W = sum w`` is ``W^2 (1 - n/W) s_z^2 / n`` with ``s_z^2`` the
weighted variance of ``z`` times ``n / (n - 1)`` — R's ``svytotal`` deff
formula (Lumley, *Complex Surveys*, ch. 2).  For one item that every response
answers this is exactly ``svymean``'s deff of the share.  By locality the
same is done within the domain (``n``, ``W`` and ``R_k`` of the locality).

*Reliability.*  A locality is "chưa đủ tin cậy" (not reliable enough) when
``n < 30`` or ``CV > 20%``, or when the NCHS Data Presentation Standards for
Proportions (Parker et al. 2017, *Vital Health Stat* 2(175)) would suppress
it: effective n < 30, CI width >= 30 percentage points, or CI width over
130% of the estimate.  Unreliable localities are shown but not ranked.

*Quartile groups.*  As PAPI's provincial maps, ranked localities fall into
four groups at the quartiles of their indices: 1 = top quarter (>= Q3),
2 = Q2..Q3, 3 = Q1..Q2, 4 = bottom quarter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import numpy as np
from scipy import sparse

from analysis.design import Design, domain_codes
from analysis.sipas import SATISFIED_FROM, Node, _answers, _items, _walk

SRS_CHUNK = 65_536  # rows per chunk when building the linearised variables
MIN_N = 30
MAX_CV = 0.20
MIN_EFFECTIVE_N = 30
MAX_CI_WIDTH = 0.30
MAX_RELATIVE_CI_WIDTH = 1.30

RULE_VI = ("Địa phương được đánh dấu \u201cchưa đủ tin cậy\u201d khi số phiếu n < 30 hoặc hệ số biến thiên "
           "CV > 20%, hoặc khi chuẩn NCHS cho tỷ lệ không cho công bố: cỡ mẫu hiệu dụng < 30, độ rộng "
           "khoảng tin cậy 95% ≥ 30 điểm %, hoặc độ rộng khoảng tin cậy lớn hơn 130% giá trị ước "
           "lượng. Các địa phương này vẫn được hiển thị nhưng không được xếp hạng.")

REASONS_VI = {
    "no_responses": "không có phiếu",
    "no_estimate": "có tiêu chí chưa ai trả lời",
    "n": "n < 30",
    "cv": "CV > 20%",
    "effective_n": "cỡ mẫu hiệu dụng < 30",
    "ci_width": "độ rộng KTC ≥ 30 điểm %",
    "relative_ci_width": "độ rộng KTC > 130% ước lượng",
}


def node_srs_variances(design: Design, root: Node, by: str | None = None, *,
                       nodes: Iterable[str] | None = None, overall: bool = True) -> dict:
    """``{(domain_label, node_name): (n, SRS variance)}``; ``domain_label`` is ``None`` for the population.

    ``n`` counts the responses that answered at least one item of the node
    (so an optional part has its own n).  With ``by``, the population (unless
    ``overall`` is false) and every domain of ``by`` are given; ``nodes`` limits
    the nodes computed, which is most of the cost.  Divide a node's design
    variance by the SRS variance for the deff (``design_effect``).
    """
    items = list(dict.fromkeys(_items(root)))
    position = {item: k for k, item in enumerate(items)}
    walked: list = []
    _walk(root, position, walked)
    if nodes is not None:
        wanted = set(nodes)
        walked = [(node, c) for node, c in walked if node.name in wanted]
    names = [node.name for node, _ in walked]
    coefficients = np.array([c for _, c in walked])  # (S, K)
    answered, satisfied = [], []
    for item in items:
        answer = _answers(design, item)
        answered.append(answer > 0)
        satisfied.append(answer >= SATISFIED_FROM)
    out = {}
    groups = [(np.zeros(len(design.data), np.int64), [None], 1)] if overall or by is None else []
    if by is not None:
        groups.append(domain_codes(design, by))
    for codes, labels, n_domains in groups:
        rows, srs = _srs_variances(design.weights, codes, n_domains, answered, satisfied, coefficients)
        for d, label in enumerate(labels):
            for s, name in enumerate(names):
                out[(label, name)] = (int(rows[d, s]), float(srs[d, s]))
    return out


def _srs_variances(w, codes, n_domains, answered, satisfied, coefficients):
    """Answering n and SRS variance of each node in each domain, in row chunks to bound memory."""
    k = len(answered)
    hits = np.empty((n_domains, k))
    total = np.empty((n_domains, k))
    for j, (a, s) in enumerate(zip(answered, satisfied, strict=False)):
        total[:, j] = np.bincount(codes, weights=w * a, minlength=n_domains)
        hits[:, j] = np.bincount(codes, weights=w * (a & s), minlength=n_domains)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(total > 0, hits / total, np.nan)
        inverse = np.where(total > 0, 1.0 / total, 0.0)
    share = np.nan_to_num(share)
    uses = (coefficients != 0).T.astype(float)  # (K, S)
    n_stat = coefficients.shape[0]
    sums = {name: np.zeros((n_domains, n_stat)) for name in ("n", "w", "wz", "wzz")}
    for start in range(0, len(w), SRS_CHUNK):
        rows = slice(start, start + SRS_CHUNK)
        c, wc = codes[rows], w[rows]
        a = np.column_stack([x[rows] for x in answered])
        s = np.column_stack([x[rows] for x in satisfied])
        residual = np.where(a, (s - share[c]) * inverse[c], 0.0)
        z = residual @ coefficients.T  # (rows, S)
        touched = ((a @ uses) > 0).astype(float)
        # domain sums as one sparse product: (domains x rows) @ (rows x S)
        members = sparse.csr_matrix((np.ones(len(c)), (c, np.arange(len(c)))), shape=(n_domains, len(c)))
        weighted = sparse.csr_matrix((wc, (c, np.arange(len(c)))), shape=(n_domains, len(c)))
        wz = weighted @ np.hstack([touched, z, z * z])
        sums["n"] += members @ touched
        sums["w"] += wz[:, :n_stat]
        sums["wz"] += wz[:, n_stat:2 * n_stat]
        sums["wzz"] += wz[:, 2 * n_stat:]
    n, weight_sum, mean, square = sums["n"], sums["w"], sums["wz"], sums["wzz"]
    with np.errstate(divide="ignore", invalid="ignore"):
        # z is already a deviation from the domain's shares, so sum w z is 0 up to rounding and
        # this is the corrected two-pass form, not the cancelling sum w z^2 - (sum w z)^2 / W of raw
        # answers (analysis.estimators.deviation_sums); equal answers give z = 0 exactly.
        spread = square - mean ** 2 / weight_sum
        # R's deff=TRUE: simple random sampling without replacement from a population of
        # sum(w). Where the weights carry no population (an unweighted wave: all 1, sum(w) = n)
        # that variance is 0 and the deff undefined; use R's deff="replace" there instead.
        without = n / (n - 1) * spread * (weight_sum - n) / n
        replace = spread * weight_sum / (n - 1)
        value = np.where(weight_sum > n * (1 + 1e-9), without, replace)
    ok = (n >= 2) & (value > 0)
    return n, np.where(ok, value, np.nan)


def design_effect(design_variance: float, srs_variance: float) -> float | None:
    """Design variance over SRS variance, ``None`` where undefined."""
    if srs_variance is None or not np.isfinite(srs_variance) or srs_variance <= 0:
        return None
    return float(design_variance / srs_variance)


@dataclass(frozen=True)
class Reliability:
    """Whether an estimate may be ranked, and why not."""

    reliable: bool
    reasons: tuple[str, ...]


def reliability(n: int, effective_n: float | None, estimate: float | None, ci_low: float | None,
                ci_high: float | None, cv: float | None) -> Reliability:
    """Apply the report's rule (n, CV, then NCHS) to one estimate."""
    if not n:
        return Reliability(False, ("no_responses",))
    if estimate is None or not np.isfinite(estimate):
        return Reliability(False, ("no_estimate",) + (("n",) if n < MIN_N else ()))
    reasons = []
    if n < MIN_N:
        reasons.append("n")
    if cv is None or not np.isfinite(cv) or cv > MAX_CV:
        reasons.append("cv")
    if effective_n is None or not np.isfinite(effective_n) or effective_n < MIN_EFFECTIVE_N:
        reasons.append("effective_n")
    width = (ci_high - ci_low) if ci_low is not None and ci_high is not None else np.nan
    if not np.isfinite(width) or width >= MAX_CI_WIDTH:
        reasons.append("ci_width")
    elif estimate > 0 and width / estimate > MAX_RELATIVE_CI_WIDTH:
        reasons.append("relative_ci_width")
    elif estimate <= 0:
        reasons.append("relative_ci_width")
    return Reliability(not reasons, tuple(reasons))


def ranks(values: list[float | None]) -> list[int | None]:
    """Rank 1 = highest; ``None`` values are unranked; ties share the better rank."""
    present = sorted((v for v in values if v is not None), reverse=True)
    return [None if v is None else present.index(v) + 1 for v in values]


def quartile_groups(values: list[float | None]) -> list[int | None]:
    """PAPI-style group 1 (top quarter) to 4 (bottom quarter) at the quartiles."""
    present = np.array([v for v in values if v is not None], dtype=float)
    if present.size == 0:
        return [None] * len(values)
    q1, q2, q3 = np.quantile(present, [0.25, 0.5, 0.75])
    return [None if v is None else 1 if v >= q3 else 2 if v >= q2 else 3 if v >= q1 else 4
            for v in values]
