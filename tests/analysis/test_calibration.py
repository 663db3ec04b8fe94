"""Raking, post-stratification and trimming: margins hit, errors clear."""

import numpy as np
import pytest

from analysis import CalibrationError, Design, mean, poststratify, rake, trim_weights


def test_raked_weights_hit_every_margin(sipas_data, sipas_design, expected):
    margins = expected["raked_margins"]
    raked = rake(sipas_design, margins)
    for variable, totals in margins.items():
        sums = sipas_data.assign(w=raked.weights).groupby(variable)["w"].sum()
        for level, target in totals.items():
            assert sums[level] == pytest.approx(target, rel=1e-9)
    assert raked.calibration.method == "rake"
    np.testing.assert_array_equal(raked.base_weights, sipas_design.weights)


def test_poststratified_weights_hit_their_cells(sipas_data, sipas_design, expected):
    totals = expected["raked_margins"]["age_band"]
    design = poststratify(sipas_design, "age_band", totals)
    sums = sipas_data.assign(w=design.weights).groupby("age_band")["w"].sum()
    assert sums.to_dict() == pytest.approx(totals, rel=1e-12)


def test_empty_sample_cell_is_refused(sipas_design, expected):
    margins = {**expected["raked_margins"], "gender": {"nam": 15000, "nu": 17000, "khac": 1053}}
    with pytest.raises(CalibrationError, match="sample cell 'khac' is empty"):
        rake(sipas_design, margins)


def test_margins_with_different_totals_are_refused(sipas_design, expected):
    margins = {**expected["raked_margins"], "gender": {"nam": 15865, "nu": 17000}}
    with pytest.raises(CalibrationError, match="margins do not sum to the same total"):
        rake(sipas_design, margins)


def test_level_missing_from_margins_is_refused(sipas_design):
    with pytest.raises(CalibrationError, match="sample level 'nu' has no population total"):
        rake(sipas_design, {"gender": {"nam": 100}})


def test_non_convergence_is_an_error(sipas_design, expected):
    with pytest.raises(CalibrationError, match="did not converge in 1 iterations"):
        rake(sipas_design, expected["raked_margins"], maxit=1)


def test_calibrating_twice_is_refused(sipas_design, expected):
    raked = rake(sipas_design, expected["raked_margins"])
    with pytest.raises(CalibrationError, match="already calibrated"):
        rake(raked, expected["raked_margins"])


def test_trimming_caps_weights_and_keeps_their_total(sipas_design):
    upper = np.quantile(sipas_design.weights, 0.9)
    trimmed = trim_weights(sipas_design, upper=upper)
    assert trimmed.weights.max() <= upper * (1 + 1e-12)
    assert trimmed.weights.sum() == pytest.approx(sipas_design.weights.sum(), rel=1e-12)
    assert mean(trimmed, "q1")[0].estimate != mean(sipas_design, "q1")[0].estimate


def test_trimming_then_raking_still_hits_margins(sipas_data, sipas_design, expected):
    trimmed = trim_weights(sipas_design, upper=np.quantile(sipas_design.weights, 0.95))
    raked = rake(trimmed, expected["raked_margins"])
    sums = sipas_data.assign(w=raked.weights).groupby("gender")["w"].sum()
    assert sums.to_dict() == pytest.approx(expected["raked_margins"]["gender"], rel=1e-9)


def test_impossible_trim_bounds_are_refused(sipas_design):
    with pytest.raises(CalibrationError, match="cannot all lie in"):
        trim_weights(sipas_design, upper=1.0)


def test_contradictory_margins_are_refused_naming_the_level(sipas_data):
    """gender and its copy g2 cannot be raked to opposite totals; raking settles
    after one sweep with g2 met and gender the wrong way round."""
    design = Design.from_frame(sipas_data.assign(g2=sipas_data["gender"]), weight="weight")
    margins = {"gender": {"nam": 100, "nu": 200}, "g2": {"nam": 200, "nu": 100}}
    with pytest.raises(CalibrationError, match="raking cannot meet margin 'gender' level 'nam': "
                                               "weights reach 200 against a target of 100"):
        rake(design, margins)

