"""Means, totals, proportions and ratios against R, and identities they must satisfy."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis import Design, index_nodes, mean, poststratify, proportion, rake, ratio, total

RTOL = 1e-6  # issue 4: reproduce R to a relative 1e-6


def _check(result, golden):
    assert result.estimate == pytest.approx(golden["estimate"], rel=RTOL)
    assert result.se == pytest.approx(golden["se"], rel=RTOL)
    if "deff" in golden:
        assert result.deff == pytest.approx(golden["deff"], rel=RTOL)


def test_mean_and_total_match_r(sipas_design, r_extra):
    """R 4.2.2, survey 4.1.1, tests/data/reference_extra.R on sipas_synthetic.csv:
    svymean(~q1, des, deff=TRUE) and svytotal(~q1, des, deff=TRUE)."""
    _check(mean(sipas_design, "q1")[0], r_extra["mean_q1"])
    _check(total(sipas_design, "q1")[0], r_extra["total_q1"])


@pytest.mark.parametrize("estimator,key", [(mean, "mean_q1_by_gender"), (total, "total_q1_by_gender")])
def test_domains_match_svyby(sipas_design, r_extra, estimator, key):
    """R 4.2.2, survey 4.1.1, reference_extra.R on sipas_synthetic.csv:
    svyby(~q1, ~gender, des, svymean|svytotal, deff=TRUE)."""
    for result in estimator(sipas_design, "q1", by="gender"):
        _check(result, r_extra[key][dict(result.domain)["gender"]])


def test_ratio_matches_r(sipas_design, r_extra):
    """R 4.2.2, survey 4.1.1, reference_extra.R: svyratio(~q1, ~q2, des)."""
    _check(ratio(sipas_design, "q1", "q2")[0], r_extra["ratio_q1_q2"])


def test_proportion_matches_svyciprop(sipas_data, sipas_design, r_extra):
    """R 4.2.2, survey 4.1.1, reference_extra.R: svyciprop(~I(q3>=4), des, method="logit")."""
    data = sipas_data.assign(q3_satisfied=(sipas_data["q3"] >= 4).astype(int))
    design = Design.from_frame(data, weight="weight", strata="locality", cluster="psu")
    result = proportion(design, "q3_satisfied", interval="logit")[0]
    golden = r_extra["proportion_q3_satisfied"]
    for field in ("estimate", "se", "ci_low", "ci_high"):
        assert getattr(result, field) == pytest.approx(golden[field], rel=RTOL)


def test_lonely_psu_is_adjusted_like_r(sipas_data, r_extra):
    """R 4.2.2, survey 4.1.1, reference_extra.R with options(survey.lonely.psu="adjust"):
    locality L01 reduced to one desk-day; svymean and svytotal of q1, degf."""
    first = sorted(sipas_data.loc[sipas_data.locality == "L01", "psu"])[0]
    data = sipas_data[(sipas_data.locality != "L01") | (sipas_data.psu == first)]
    design = Design.from_frame(data, weight="weight", strata="locality", cluster="psu")
    assert design.lonely_strata == ("L01",)
    assert design.df == r_extra["lonely_degf"]
    _check(mean(design, "q1")[0], r_extra["lonely_mean_q1"])
    _check(total(design, "q1")[0], r_extra["lonely_total_q1"])


def test_fpc_matches_r(sipas_data, r_extra):
    """R 4.2.2, survey 4.1.1, reference_extra.R: fpc = 60 desk-days per locality."""
    design = Design.from_frame(sipas_data.assign(fpc_psu=60), weight="weight", strata="locality",
                               cluster="psu", fpc="fpc_psu")
    _check(mean(design, "q1")[0], r_extra["fpc_mean_q1"])
    _check(total(design, "q1")[0], r_extra["fpc_total_q1"])


def test_poststratification_matches_r(sipas_design, expected, r_extra):
    """R 4.2.2, survey 4.1.1, reference_extra.R: postStratify(des, ~gender, totals)."""
    design = poststratify(sipas_design, "gender", expected["raked_margins"]["gender"])
    _check(mean(design, "q1")[0], r_extra["poststratified_mean_q1"])
    _check(total(design, "q1")[0], r_extra["poststratified_total_q1"])


def test_raked_domains_match_svyby(sipas_design, expected, r_extra):
    """R 4.2.2, survey 4.1.1, reference_extra.R: rake to gender and age band
    (epsilon 1e-10), then svyby(~q1, ~locality, raked, svymean, deff=TRUE)."""
    raked = rake(sipas_design, expected["raked_margins"])
    _check(total(raked, "q1")[0], r_extra["raked_total_q1"])
    for result in mean(raked, "q1", by="locality"):
        _check(result, r_extra["raked_mean_q1_by_locality"][dict(result.domain)["locality"]])


def test_domain_mean_equals_ratio_estimator(sipas_data, sipas_design):
    """A domain mean is the ratio of the domain total of y to the domain size."""
    data = sipas_data.assign(in_domain=(sipas_data.gender == "nu").astype(float))
    data["y_in_domain"] = data.q5 * data.in_domain
    design = Design.from_frame(data, weight="weight", strata="locality", cluster="psu")
    by_domain = {dict(r.domain)["gender"]: r for r in mean(design, "q5", by="gender")}["nu"]
    as_ratio = ratio(design, "y_in_domain", "in_domain")[0]
    assert by_domain.estimate == pytest.approx(as_ratio.estimate, rel=1e-12)
    assert by_domain.se == pytest.approx(as_ratio.se, rel=1e-12)


def test_unit_weights_reduce_to_srs_formulas(sipas_data):
    """No weights, strata or clusters: mean, s/sqrt(n), n*ybar and n*s/sqrt(n)."""
    design = Design.from_frame(sipas_data)
    y = sipas_data["q2"].to_numpy(float)
    n = len(y)
    m, t = mean(design, "q2")[0], total(design, "q2")[0]
    srs_se = y.std(ddof=1) / np.sqrt(n)
    assert m.estimate == pytest.approx(y.mean(), rel=1e-12)
    assert m.se == pytest.approx(srs_se, rel=1e-12)
    assert t.estimate == pytest.approx(y.sum(), rel=1e-12)
    assert t.se == pytest.approx(n * srs_se, rel=1e-12)
    assert m.df == n - 1
    z = stats.norm.ppf(0.975)
    assert (m.ci_low, m.ci_high) == pytest.approx((y.mean() - z * srs_se, y.mean() + z * srs_se))


def test_unit_weight_proportion_beta_is_clopper_pearson_on_n_minus_1(sipas_data):
    """SRS share: var = p(1-p)/(n-1), so the Korn-Graubard effective n is n - 1 and, with
    df = n - 1, the interval is Clopper-Pearson with (n - 1) p successes in n - 1 trials."""
    data = sipas_data.assign(top=(sipas_data.q1 == 5).astype(int))
    result = proportion(Design.from_frame(data), "top")[0]
    p, m = data.top.mean(), len(data) - 1
    assert result.df == m
    assert result.ci_low == pytest.approx(stats.beta.ppf(0.025, m * p, m * (1 - p) + 1), rel=1e-10)
    assert result.ci_high == pytest.approx(stats.beta.ppf(0.975, m * p + 1, m * (1 - p)), rel=1e-10)


def test_unit_weight_proportion_uses_logit_t_interval(sipas_data):
    """SRS share: se = sqrt(p(1-p)/(n-1)); logit interval with t(n-1)."""
    data = sipas_data.assign(top=(sipas_data.q1 == 5).astype(int))
    result = proportion(Design.from_frame(data), "top", interval="logit")[0]
    p, n = data.top.mean(), len(data)
    se = np.sqrt(p * (1 - p) / (n - 1))
    half = stats.t.ppf(0.975, n - 1) * se / (p * (1 - p))
    logit = np.log(p / (1 - p))
    assert result.se == pytest.approx(se, rel=1e-12)
    assert result.ci_low == pytest.approx(1 / (1 + np.exp(-(logit - half))), rel=1e-12)
    assert result.ci_high == pytest.approx(1 / (1 + np.exp(-(logit + half))), rel=1e-12)


def test_proportion_of_a_success_value(sipas_data, sipas_design):
    """--success VALUE counts rows equal to VALUE; equals the 0/1 column's share."""
    coded = sipas_data.assign(is_nu=(sipas_data.gender == "nu").astype(int))
    design = Design.from_frame(coded, weight="weight", strata="locality", cluster="psu")
    by_value = proportion(sipas_design, "gender", success="nu")[0]
    assert by_value.estimate == pytest.approx(proportion(design, "is_nu")[0].estimate, rel=1e-12)


def test_missing_values_are_left_out(sipas_data):
    """NaN rows drop out of a mean as with na.rm=TRUE: same as the mean of the rest."""
    data = sipas_data[["q4"]].astype(float)
    data.loc[::7, "q4"] = np.nan
    result = mean(Design.from_frame(data), "q4")[0]
    assert result.n == data.q4.notna().sum()
    assert result.estimate == pytest.approx(data.q4.mean(), rel=1e-12)


def test_overall_row_comes_first_when_asked(sipas_design):
    results = mean(sipas_design, "q1", by="gender", overall=True)
    assert [r.domain for r in results] == [None, (("gender", "nam"),), (("gender", "nu"),)]
    assert results[0].estimate == pytest.approx(mean(sipas_design, "q1")[0].estimate)


def test_not_binary_proportion_names_row(sipas_design):
    with pytest.raises(ValueError, match=r"column 'q1' row 1: 5 is not 0 or 1"):
        proportion(sipas_design, "q1")


def test_results_to_frame_has_one_row_per_estimate(sipas_design):
    from analysis import to_frame
    frame = to_frame(mean(sipas_design, ["q1", "q2"], by="gender"))
    assert list(frame.columns[:3]) == ["name", "statistic", "domain_gender"]
    assert len(frame) == 4 and isinstance(frame, pd.DataFrame)


# Two localities of four desk-days; locality A's values are all 2.7 in `same`. Weights whose sums
# are not exact in binary (dossiers / responses), so a weighted mean of equal answers can land an
# ulp away from the answer in doubles.
DESK_DAYS = pd.DataFrame({
    "locality": ["A"] * 12 + ["B"] * 12, "psu": np.repeat(np.arange(8), 3),
    "w": np.tile([167 / 9, 199 / 7, 337 / 11, 13 / 3], 6),
    "y": [3, 3, 4, 3, 4, 3, 3, 3, 3, 4, 3, 3, 2, 5, 3, 1, 4, 4, 2, 3, 5, 1, 2, 4],
}).assign(big=lambda f: f.y + 1e6, same=lambda f: np.where(f.locality == "A", 2.7, f.y))
# R 4.2.2, survey 4.1.1, on DESK_DAYS: design <- svydesign(ids = ~psu, strata = ~locality,
# weights = ~w, data = d); deff(svyby(~v, ~locality, design, svymean, deff = TRUE)) and the same
# with svytotal. For `same`, locality A gives NaN (svymean) and Inf (svytotal): s^2 is 0.
R_DEFF = {"y": {"mean": (0.47166815614569, 1.37833086646459), "total": (7.82960991361166, 1.93332302391221)},
          "big": {"mean": (0.471668156133978, 1.37833086646457)},
          "same": {"mean": (None, 1.37833086646459), "total": (None, 1.93332302391221)}}
DEFF_RTOL = 1e-9
BIG_RTOL = 1e-6  # answers near 1e6: the design variance keeps about 9 digits there, in R as here


@pytest.mark.parametrize("variable", R_DEFF)
def test_deff_matches_r_where_answers_are_equal_or_far_from_zero(variable):
    """The SRS variance is summed from deviations, as R's svyvar: the one-pass
    sum w y^2 / W - ybar^2 gave locality A of `same` a deff of 1e-15 (mean) and 9e14
    (total) where R has none, and moved `big`'s deff by 4e-4."""
    design = Design.from_frame(DESK_DAYS, weight="w", strata="locality", cluster="psu")
    for statistic, expected in R_DEFF[variable].items():
        estimator = mean if statistic == "mean" else total
        found = [r.deff for r in estimator(design, variable, by="locality")]
        for deff, golden in zip(found, expected, strict=True):
            if golden is None:
                assert deff is None, (statistic, found)
            else:
                assert deff == pytest.approx(golden, rel=BIG_RTOL if variable == "big" else DEFF_RTOL)


@pytest.mark.parametrize("value", [3, 1 / 3, 2.7, 1e6 + 3, 0.1, 1])
def test_a_constant_answer_has_no_deff(value):
    """Every answer equal: s^2 = 0, so R's svymean(deff = TRUE) gives NaN (0/0) and svytotal Inf,
    both no deff here, whichever doubles the weighted mean lands on. The share and mean score of
    an index item answered 3 by everyone say the same."""
    data = DESK_DAYS[DESK_DAYS.locality == "A"].assign(y=value, q=3)
    design = Design.from_frame(data, weight="w", cluster="psu")
    assert mean(design, "y")[0].estimate == pytest.approx(value, rel=1e-15)
    assert mean(design, "y")[0].deff is None and total(design, "y")[0].deff is None
    records = index_nodes(design, {"E": ["q"]}, meanscores=True)
    assert {r.statistic: r.deff for r in records if r.statistic in ("share", "meanscore")} == {
        "share": None, "meanscore": None}
