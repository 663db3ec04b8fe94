"""Finishing estimates from per-PSU sums, as a database GROUP BY would return them."""

import numpy as np
import pandas as pd
import pytest

from analysis import Combination, Design, GroupSums, StrataInfo, index_nodes, linearize, proportion

ITEMS = [f"q{i}" for i in range(1, 9)]


def _group_by(sipas_data: pd.DataFrame) -> pd.DataFrame:
    """The pandas twin of docs/analysis.md's SQL: sums per (locality, psu, domain)."""
    frame = sipas_data.assign(domain=sipas_data.locality)
    for item in ITEMS:
        frame[f"v_{item}"] = (frame[item] > 0).astype(float)
        frame[f"s_{item}"] = (frame[item] >= 4).astype(float)
    value_columns = [f"{p}_{i}" for i in ITEMS for p in ("v", "s")]
    weighted = frame[value_columns].mul(frame.weight, axis=0).add_prefix("w_")
    grouped = pd.concat([frame[["locality", "psu", "domain"] + value_columns], weighted], axis=1)
    out = grouped.groupby(["locality", "psu", "domain"], as_index=False).sum()
    return out.assign(rows=grouped.groupby(["locality", "psu", "domain"]).size().to_numpy())


def test_sums_from_a_group_by_give_the_same_index(sipas_data, sipas_design):
    """Index by locality from GROUP BY sums equals the response-level computation."""
    sums_table = _group_by(sipas_data)
    strata_codes, strata_labels = pd.factorize(sums_table.locality, sort=True)
    psu_codes, _ = pd.factorize(sums_table.locality + "|" + sums_table.psu)
    domain_codes, domain_labels = pd.factorize(sums_table.domain, sort=True)
    psu_stratum = np.zeros(psu_codes.max() + 1, np.int64)
    psu_stratum[psu_codes] = strata_codes
    strata = StrataInfo(tuple(strata_labels), np.bincount(psu_stratum))
    value_columns = [f"{p}_{i}" for i in ITEMS for p in ("v", "s")]
    sums = GroupSums(psu=psu_codes, domain=domain_codes,
                     weighted=sums_table[[f"w_{c}" for c in value_columns]].to_numpy(),
                     unweighted=sums_table[value_columns].to_numpy(),
                     rows=sums_table.rows.to_numpy(), n_domains=len(domain_labels))
    k = len(ITEMS)
    index_coefficients = np.full((1, k), 1 / k)  # two equal elements of four items each
    combo = Combination(np.arange(k) * 2 + 1, np.arange(k) * 2, index_coefficients)
    result = linearize(sums, strata, psu_stratum, combo)
    direct = {dict(r.domain)["locality"]: r for r in index_nodes(
        sipas_design, {"A": ITEMS[:4], "B": ITEMS[4:]}, by="locality") if r.statistic == "index"}
    for d, locality in enumerate(domain_labels):
        assert result.estimate[d, 0] == pytest.approx(direct[locality].estimate, rel=1e-12)
        assert np.sqrt(result.variance[d, 0]) == pytest.approx(direct[locality].se, rel=1e-12)


def test_pooled_sums_give_the_whole_population(sipas_design):
    """Merging domains of the by-locality sums reproduces the overall estimate."""
    answered = (sipas_design.data.q1 > 0) * 1.0
    sums = sipas_design.group_sums(
        [answered, (sipas_design.data.q1 >= 4) * 1.0],
        pd.factorize(sipas_design.data.locality)[0], 8)
    combo = Combination(np.array([1]), np.array([0]), np.eye(1))
    pooled = linearize(sums.pooled(), sipas_design.strata, sipas_design.psu_stratum, combo)
    weights = sipas_design.weights
    share = (weights * (sipas_design.data.q1 >= 4)).sum() / (weights * answered).sum()
    assert pooled.estimate[0, 0] == pytest.approx(share, rel=1e-12)


def test_empty_domain_gives_nan_not_an_error(sipas_design):
    """A domain with no answers has no estimate (NaN), other statistics unaffected."""
    zeros = np.zeros(len(sipas_design.data))
    ones = np.ones(len(sipas_design.data))
    sums = sipas_design.group_sums([zeros, zeros, ones, ones], np.zeros(len(zeros), np.int64), 1)
    combo = Combination(np.array([1, 3]), np.array([0, 2]), np.eye(2))
    result = linearize(sums, sipas_design.strata, sipas_design.psu_stratum, combo)
    assert np.isnan(result.estimate[0, 0]) and result.estimate[0, 1] == 1.0


# Weights w = dossiers / responses whose sums cannot be exact in binary: 167/9 is the demo wave's
# (DEMO-2026Q4, 700 responses, seed 1, whose report build met NaN); the others were found by
# drawing w = a/b at random against the old one-pass variance sum z^2 - (sum z)^2 / n.
SAME_SHARE_EVERY_DAY = [(167 / 9, (1, 1, 0)), (199 / 7, (1, 0, 0)), (337 / 11, (1, 1, 1, 1, 0))]
ROUNDING = 1e-15  # a variance that is 0 in exact arithmetic may come out as rounding, never below 0


@pytest.mark.parametrize(("weight", "day"), SAME_SHARE_EVERY_DAY, ids=["167/9", "199/7", "337/11"])
def test_a_locality_whose_every_desk_day_holds_the_same_share_has_se_zero(weight, day):
    """Every PSU of locality A holds the same share, so every PSU total of the linearised variable
    is 0 in exact arithmetic and so is the variance (Wolter ch. 6); R 4.2.2 with survey 4.1.1
    gives SE 0 for the first case: ``SE(svyby(~y, ~locality, svydesign(ids = ~psu,
    strata = ~locality, weights = ~w, data = d), svymean))``. In floating point the PSU totals
    are equal rounding residues, which the one-pass sum of squares turned into a negative
    variance and a NaN SE; deviations from the stratum mean cannot go below 0."""
    rows = [("A", f"A-day{d}", y, weight) for d in range(3) for y in day] + [("B", "B-day1", 1, 1.0),
                                                                              ("B", "B-day2", 0, 1.0)]
    data = pd.DataFrame(rows, columns=["locality", "psu", "y", "w"]).assign(q=lambda f: f.y * 4 + 1)
    design = Design.from_frame(data, weight="w", strata="locality", cluster="psu")
    share = sum(day) / len(day)
    records = [r for r in proportion(design, "y", by="locality") + index_nodes(design, {"E": ["q"]},
                                                                               by="locality")
               if r.domain == (("locality", "A"),)]
    assert len(records) == 4  # the proportion, then the item share, its element and the index
    for record in records:
        assert record.estimate == pytest.approx(share, rel=1e-12)
        assert 0 <= record.se <= ROUNDING, record
        assert 0 <= record.ci_low <= record.estimate <= record.ci_high <= 1, record
