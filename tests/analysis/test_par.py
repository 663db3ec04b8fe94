"""PAR leaders' score: criterion points, the total, its stratified SE, the E sensitivity line."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.design import DesignError
from analysis.par import CENSUS, REASONS, Criterion, par_score

TOLERANCE = 1e-12
SHARES = {"a": 1.0, "b": 0.6, "c": 0.2, "d": 0.0}
CRITERIA = [Criterion("c1", 2.0, "f1", SHARES), Criterion("c2", 1.0, "f2", SHARES)]
LEADERS = pd.DataFrame({
    "group": ["so", "so", "so", "xa", "xa"],
    "c1": ["a", "b", "c", "a", "d"],
    "c2": ["a", "e", "d", "b", "e"],
})


def test_every_leader_choosing_the_top_option_scores_the_maximum():
    data = pd.DataFrame({"group": ["so"] * 3 + ["xa"] * 3, "c1": ["a"] * 6, "c2": ["a"] * 6})
    report = par_score(data, CRITERIA)
    assert report.total.estimate == pytest.approx(3.0, abs=TOLERANCE)
    assert report.total.se == pytest.approx(0.0, abs=TOLERANCE)
    assert report.max_points == 3.0
    assert [c["lost"] for c in report.criteria] == pytest.approx([0.0, 0.0], abs=TOLERANCE)


def test_a_mix_gives_the_hand_computed_points_and_e_leaves_the_denominator():
    """By hand: c1 shares 1, .6, .2, 1, 0 -> mean .56 -> 2 x .56 = 1.12 points;
    c2 graded answers 1, 0, .6 (two E left out) -> mean .5333 -> .5333 points; total 1.6533.
    Counting E as 0: c2 mean 1.6 / 5 = .32 -> total 1.12 + .32 = 1.44."""
    report = par_score(LEADERS, CRITERIA)
    criteria = {c["code"]: c for c in report.criteria}
    assert criteria["c1"]["estimate"] == pytest.approx(1.12, abs=TOLERANCE)
    assert criteria["c2"]["estimate"] == pytest.approx(1.6 / 3, abs=TOLERANCE)
    assert criteria["c2"]["graded"] == 3 and criteria["c2"]["cannot_assess"] == 2
    assert report.total.estimate == pytest.approx(1.12 + 1.6 / 3, abs=TOLERANCE)
    assert report.total_e_as_zero.estimate == pytest.approx(1.44, abs=TOLERANCE)
    assert {f["field"]: f["estimate"] for f in report.by_field} == pytest.approx(
        {"f1": 1.12, "f2": 1.6 / 3}, abs=TOLERANCE)
    # ranked by points lost: c1 loses .88, c2 loses .4667
    assert [(c["rank"], c["code"]) for c in report.criteria] == [(1, "c1"), (2, "c2")]


def test_without_e_and_one_group_the_se_is_the_simple_random_sampling_one():
    """Identity: one stratum, equal weights, no missing answers -> SE = sd(y) / sqrt(n),
    y a leader's own points (Lohr, ch. 2)."""
    data = pd.DataFrame({"group": ["so"] * 6, "c1": list("abcdab"), "c2": list("bbcaad")})
    report = par_score(data, CRITERIA)
    own = np.array([2 * SHARES[x] + SHARES[y] for x, y in zip(data.c1, data.c2, strict=False)])
    assert report.total.estimate == pytest.approx(own.mean(), abs=TOLERANCE)
    assert report.total.se == pytest.approx(own.std(ddof=1) / math.sqrt(6), abs=TOLERANCE)


def test_groups_are_strata_with_their_invited_counts():
    """Identity: stratified mean sum W_h ybar_h, variance sum W_h^2 (1 - n_h/N_h) s_h^2 / n_h,
    W_h = N_h / N (Lohr, ch. 3)."""
    data = pd.DataFrame({"group": ["so"] * 4 + ["xa"] * 3,
                         "c1": list("abca") + list("dcb"), "c2": list("bbca") + list("aad")})
    population = {"so": 10, "xa": 30}
    report = par_score(data, CRITERIA, population=population)
    own = np.array([2 * SHARES[x] + SHARES[y] for x, y in zip(data.c1, data.c2, strict=False)])
    groups = data.group.to_numpy()
    mean = sum(population[h] / 40 * own[groups == h].mean() for h in population)
    variance = sum((population[h] / 40) ** 2 * (1 - (groups == h).sum() / population[h])
                   * own[groups == h].var(ddof=1) / (groups == h).sum() for h in population)
    assert report.total.estimate == pytest.approx(mean, abs=TOLERANCE)
    assert report.total.se == pytest.approx(math.sqrt(variance), abs=TOLERANCE)
    rates = {g["group"]: g["response_rate"] for g in report.by_group}
    assert rates == pytest.approx({"so": 0.4, "xa": 0.1})


def test_cells_under_five_leaders_show_no_figures():
    report = par_score(LEADERS, CRITERIA, population={"so": 3, "xa": 2, "hdnd": 4})
    assert report.total.estimate is not None  # five leaders in all
    by_group = {g["group"]: g for g in report.by_group}
    assert by_group["so"]["estimate"] is None and by_group["so"]["responses"] == 3
    assert by_group["hdnd"]["responses"] == 0 and by_group["hdnd"]["estimate"] is None
    small = par_score(LEADERS.iloc[:4], CRITERIA)
    assert small.suppressed and small.total.n == 4
    assert all(c["estimate"] is None and c["graded"] is None for c in small.criteria)
    assert all(f["estimate"] is None for f in small.by_field)


def test_bad_data_names_the_problem():
    with pytest.raises(DesignError, match="unknown criterion column 'c3'"):
        par_score(LEADERS, [*CRITERIA, Criterion("c3", 1.0, "f2", SHARES)])
    with pytest.raises(DesignError, match="group 'xa' .* has no invited count"):
        par_score(LEADERS, CRITERIA, population={"so": 5})


R_TOLERANCE = 1e-9
PAR_POINTS = {"cd1": 1, "cd2": 1, "th1": 1.25, "th2": 1.25, "tt1": 1, "tt2": 1, "tt3": 1, "tc1": 1.25,
              "tc2": 1.25, "cv1": 1, "cv2": 1, "cv3": 1, "tcc1": 1, "tcc2": 1, "cq1": 1, "cq2": 1,
              "cq3": 1, "td1": 1, "td2": 1, "td3": 1, "td4": 1}


@pytest.mark.parametrize(("data_file", "expected_file"), [
    ("par_leaders.csv", "par_expected.json"), ("par_small_leaders.csv", "par_small_expected.json")])
def test_the_total_matches_r_survey_on_synthetic_leaders(data_file, expected_file):
    """Golden: tests/data/<expected> from `Rscript tests/data/reference_par.R tests/data/<data>
    OUT.json` (R 4.2.2, survey 4.1.1): svydesign(ids=~1, strata=~group, fpc=~invited),
    svytotal of shares and graded indicators, svycontrast of the points sum; the interval is
    svyciprop's logit one on total / 22 (svycontrast of log(total / (22 - total))).
    Data: tests/data/make_par_leaders.py (225 leaders in four groups, 21 criteria), and
    par_small_leaders.csv, five leaders in two groups written by hand, whose Wald interval
    (15.20 +/- 3.18 x 5.71 = [-2.99, 33.38]) would leave [0, 22] on both sides."""
    import json
    from pathlib import Path

    data_dir = Path(__file__).resolve().parents[1] / "data"
    expected = json.loads((data_dir / expected_file).read_text())
    data = pd.read_csv(data_dir / data_file)
    population = data.groupby("group")["invited"].first().to_dict()
    criteria = [Criterion(code, float(points), "f", SHARES) for code, points in PAR_POINTS.items()]
    report = par_score(data.drop(columns="invited"), criteria, population=population)
    for ours, theirs in ((report.total, expected["total"]),
                         (report.total_e_as_zero, expected["total_e_as_zero"])):
        for key in ("estimate", "se", "ci_low", "ci_high"):
            assert getattr(ours, key) == pytest.approx(theirs[key], abs=R_TOLERANCE), key
        assert ours.n == theirs["n"]


def _figures(report):
    yield report.total.as_dict()
    yield report.total_e_as_zero.as_dict()
    yield from report.by_group
    yield from report.by_field
    yield from report.criteria


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6, 7, 10])
def test_small_waves_never_give_nan_nor_an_interval_outside_zero_and_the_maximum(n):
    """The shape of a real first week: 1-10 leaders, two groups, many E answers, seeded draws.
    Every figure is a number inside its bounds or None with a reason; the JSON is strict."""
    import json

    rng = np.random.default_rng(n)
    for draw in range(20):
        data = pd.DataFrame({"group": rng.choice(["so", "xa"], n),
                             "c1": rng.choice(list("abcde"), n, p=[.4, .2, .1, .1, .2]),
                             "c2": rng.choice(list("abcde"), n, p=[.1, .1, .1, .1, .6])})
        population = {"so": 12, "xa": 8} if draw % 2 else None
        report = par_score(data, CRITERIA, population=population)
        json.dumps(report.as_dict(), allow_nan=False)
        for row in _figures(report):
            top = row.get("max_points", report.max_points) if "code" in row or "field" in row else 3.0
            assert row["reason"] is None or row["reason"] in REASONS
            if row["estimate"] is None:
                assert row["reason"] is not None, row
                continue
            assert 0 <= row["estimate"] <= top
            if row["ci_low"] is None:
                assert row["reason"] is not None, row
            else:
                assert 0 <= row["ci_low"] <= row["estimate"] <= row["ci_high"] <= top, row


def test_a_whole_group_answering_is_a_census_not_a_zero_width_interval():
    data = pd.DataFrame({"group": ["so"] * 5 + ["xa"] * 5, "c1": list("abcda") + list("bbcdd"),
                         "c2": list("aabbc") + list("ddcba")})
    report = par_score(data, CRITERIA, population={"so": 5, "xa": 5})
    assert report.total.reason == CENSUS and report.total.se == 0
    assert report.total.ci_low is None and report.total.ci_high is None
    assert {g["group"]: g["reason"] for g in report.by_group} == {"so": CENSUS, "xa": CENSUS}
    partial = par_score(data, CRITERIA, population={"so": 5, "xa": 9})
    assert partial.total.reason is None and partial.total.ci_low < partial.total.ci_high
    assert {g["group"]: g["reason"] for g in partial.by_group} == {"so": CENSUS, "xa": None}


def test_figures_that_cannot_be_computed_say_why():
    everyone_e = pd.DataFrame({"group": ["so"] * 5, "c1": list("abcab"), "c2": ["e"] * 5})
    report = par_score(everyone_e, CRITERIA)
    criteria = {c["code"]: c for c in report.criteria}
    assert criteria["c2"]["estimate"] is None and criteria["c2"]["reason"] == "no_graded"
    assert report.total.estimate is None and report.total.reason == "no_graded"
    one_per_group = pd.DataFrame({"group": list("abcde"), "c1": list("abcda"), "c2": list("abcda")})
    assert par_score(one_per_group, CRITERIA).total.reason == "no_df"
    same = pd.DataFrame({"group": ["so"] * 5, "c1": ["a"] * 5, "c2": ["a"] * 5})
    assert par_score(same, CRITERIA).total.reason == "all_same"
    assert par_score(same.iloc[:1], CRITERIA, min_cell=1).total.reason == "too_few"
