"""Proportion intervals on a small wave, against R, and the NCHS rules where R's formula fails.

Golden values: tests/data/small_expected.json, written by
`Rscript tests/data/reference_small.R tests/data/small_wave.csv tests/data/small_expected.json`
(R 4.2.2, survey 4.1.1, Debian's r-cran-survey): `svyciprop(~I(q >= 4), subset(des, q > 0 [&
locality == L]), method = "beta")` and `method = "logit"`, with `degf()` and `nrow()` of the subset.
The data are 47 seeded synthetic responses in 4 localities with 2-3 desk-days each: a day-7 wave.
"""

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.design import Design
from analysis.estimators import proportion
from analysis.results import korn_graubard
from analysis.sipas import index_nodes
from tests.factories import PROJECT_ROOT

DATA = PROJECT_ROOT / "tests" / "data"
RTOL = 1e-9  # the same formula on the same numbers; R prints 15 significant digits
ITEMS = ("q1", "q2")


@pytest.fixture(scope="module")
def golden():
    return json.loads((DATA / "small_expected.json").read_text())


@pytest.fixture(scope="module")
def small_design():
    data = pd.read_csv(DATA / "small_wave.csv")
    for item in ITEMS:
        data[f"s_{item}"] = np.where(data[item] > 0, (data[item] >= 4) * 1.0, np.nan)
    return Design.from_frame(data, weight="weight", strata="locality", cluster="psu")


def _records(design, interval):
    out = {}
    for item in ITEMS:
        for r in proportion(design, f"s_{item}", by="locality", overall=True, interval=interval):
            out[item if r.domain is None else f"{item}_{r.domain[0][1]}"] = r
    return out


@pytest.mark.parametrize("interval", ["beta", "logit"])
def test_estimate_se_df_and_n_match_r(small_design, golden, interval):
    """Estimates, SEs, n and the subset's degrees of freedom (PSUs with answers minus their strata)."""
    for key, record in _records(small_design, interval).items():
        expected = golden[f"{key}_{interval}"]
        assert record.estimate == pytest.approx(expected["estimate"], rel=RTOL, abs=1e-15), key
        assert record.se == pytest.approx(expected["se"], rel=RTOL, abs=1e-15), key
        assert (record.n, record.df) == (expected["n"], expected["df"]), key


def test_korn_graubard_formula_matches_r_beta(small_design, golden):
    """svyciprop(method = "beta") bounds, wherever R's formula is defined (variance above 0)."""
    compared = 0
    for key, record in _records(small_design, "beta").items():
        expected = golden[f"{key}_beta"]
        if expected["se"] < 1e-12:  # p = 1: R's effective n is 0/0, its interval a point
            continue
        low, high = korn_graubard(record.estimate, record.se, record.n, record.df, 0.95, nchs=False)
        assert float(low) == pytest.approx(expected["ci_low"], rel=RTOL, abs=1e-30), key
        assert float(high) == pytest.approx(expected["ci_high"], rel=RTOL), key
        compared += 1
    assert compared == 9


def test_logit_interval_matches_r_where_it_exists(small_design, golden):
    """R's logit interval comes from a svyglm fit (agreement to its convergence, about 1e-9); at
    df = 1 R prints a lower bound of 0 and an upper bound of NaN, which is why the report does not
    use the logit interval. Compared where R has both bounds."""
    compared = 0
    for key, record in _records(small_design, "logit").items():
        expected = golden[f"{key}_logit"]
        if expected["ci_high"] is None or isinstance(expected["ci_high"], str) or record.df < 2:
            continue
        compared += 1
        assert record.ci_low == pytest.approx(expected["ci_low"], rel=1e-7), key
        assert record.ci_high == pytest.approx(expected["ci_high"], rel=1e-7), key
    assert compared == 6


def test_report_interval_is_r_beta_when_the_design_effect_is_at_least_one(small_design, golden):
    """With deff >= 1 the NCHS cap on the effective n changes nothing: the bounds are R's."""
    for key, record in _records(small_design, "beta").items():
        expected = golden[f"{key}_beta"]
        if expected["se"] < 1e-12:
            continue
        n_eff = record.estimate * (1 - record.estimate) / record.se ** 2
        if n_eff <= record.n:
            assert record.ci_low == pytest.approx(expected["ci_low"], rel=RTOL, abs=1e-30), key
            assert record.ci_high == pytest.approx(expected["ci_high"], rel=RTOL), key


def test_all_satisfied_gets_a_real_interval_not_a_point(small_design, golden):
    """q2 in L2: six answers, all 4-5. R's beta interval is [1, 1]; the NCHS rule uses n = 6, so the
    lower bound is Clopper-Pearson's with the df adjustment, well below 1."""
    assert golden["q2_L2_beta"]["ci_low"] > 0.9999
    record = _records(small_design, "beta")["q2_L2"]
    assert record.estimate == 1.0 and record.ci_high == 1.0
    scale = (stats.t.ppf(0.025, record.n - 1) / stats.t.ppf(0.025, record.df)) ** 2
    n_eff = record.n * scale
    assert record.ci_low == pytest.approx(stats.beta.ppf(0.025, n_eff, 1), rel=1e-10)
    assert record.ci_low < 0.9


def test_every_bound_is_inside_zero_one_at_every_size(small_design):
    """Shares and index nodes by locality and overall: no bound outside [0, 1], no NaN next to an SE."""
    results = index_nodes(small_design, {"A": ["q1"], "B": ["q2"]}, by="locality", overall=True)
    results += proportion(small_design, ["s_q1", "s_q2"], by="locality", overall=True)
    for r in results:
        if r.note is None:
            assert 0 <= r.ci_low <= r.estimate <= r.ci_high <= 1, r
        else:
            assert math.isnan(r.ci_low) and math.isnan(r.ci_high), r


def test_one_desk_day_has_no_se_and_one_day_everywhere_has_no_interval():
    """Day one: a locality whose answers all come from one desk-day has no SE (not 0); with one
    desk-day in every locality the design has 0 degrees of freedom, so no interval either."""
    data = pd.DataFrame({"locality": ["A"] * 3 + ["B"] * 2, "psu": ["A1"] * 3 + ["B1"] * 2,
                         "weight": 1.0, "q1": [5, 5, 4, 2, 5]})
    design = Design.from_frame(data, weight="weight", strata="locality", cluster="psu")
    records = index_nodes(design, {"A": ["q1"]}, by="locality", overall=True)
    by_place = [r for r in records if r.domain is not None]
    assert {r.note for r in by_place} == {"one_psu"}
    assert all(math.isnan(r.se) and r.deff is None and math.isnan(r.cv) for r in by_place)
    province = [r for r in records if r.domain is None]
    assert {r.note for r in province} == {"no_df"}
    assert all(r.se > 0 and math.isnan(r.ci_low) for r in province)
    one = index_nodes(Design.from_frame(data.iloc[:1]), {"A": ["q1"]})
    assert {r.note for r in one} == {"one_response"}
