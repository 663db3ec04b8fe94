"""Finishing estimates from per-PSU sums, as a database GROUP BY would return them."""

import numpy as np
import pandas as pd
import pytest

from analysis import Combination, GroupSums, StrataInfo, index_nodes, linearize

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
