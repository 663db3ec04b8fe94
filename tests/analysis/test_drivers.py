"""Key-driver regression against R's svyglm."""

import json

import numpy as np
import pandas as pd
import pytest

from analysis import Design
from analysis.design import DesignError
from analysis.drivers import survey_logistic
from tests.analysis.conftest import DATA

RELATIVE = 1e-6  # agreement required with R's values


@pytest.fixture(scope="module")
def drivers_data(sipas_data):
    """The reference data coded as tests/data/reference_drivers.R codes it."""
    data = sipas_data.copy()
    for item in [f"q{k}" for k in range(1, 9)]:
        data[item] = data[item].where(data[item] > 0)
    data["sat8"] = (data["q8"] >= 4).astype(float).where(data["q8"].notna())
    return data


@pytest.fixture(scope="module")
def r_drivers():
    """tests/data/drivers_expected.json, written by tests/data/reference_drivers.R."""
    return json.loads((DATA / "drivers_expected.json").read_text())


@pytest.mark.parametrize("model, predictors", [("full", ["q1", "q2", "q3", "q4"]), ("min", ["q3"])])
def test_matches_svyglm(drivers_data, r_drivers, model, predictors):
    """Coefficients and SEs of R 4.2.2 / survey 4.1.1
    ``svyglm(sat8 ~ q1 + q2 + q3 + q4, design = des, family = quasibinomial())`` (and ``~ q3``)
    on tests/data/sipas_synthetic.csv with ``svydesign(id=~psu, strata=~locality,
    weights=~weight, nest=TRUE)``; the call and versions are in the JSON's provenance."""
    design = Design.from_frame(drivers_data, weight="weight", strata="locality", cluster="psu")
    fit = survey_logistic(design, "sat8", predictors)
    expected = r_drivers[model]
    assert [c.name for c in fit.coefficients] == expected["names"]
    np.testing.assert_allclose([c.estimate for c in fit.coefficients], expected["coef"], rtol=RELATIVE)
    np.testing.assert_allclose([c.se for c in fit.coefficients], expected["se"], rtol=RELATIVE)
    assert fit.df == expected["df_residual"]
    assert fit.n == expected["n"]


def test_frequency_weights_would_differ(drivers_data):
    """The design SE is not the model-based one: clustering inflates it here."""
    design = Design.from_frame(drivers_data, weight="weight", strata="locality", cluster="psu")
    clustered = survey_logistic(design, "sat8", ["q3"]).coefficient("q3").se
    flat = survey_logistic(Design.from_frame(drivers_data, weight="weight"), "sat8", ["q3"])
    assert clustered != pytest.approx(flat.coefficient("q3").se, rel=1e-3)


def test_constant_predictor_is_named():
    data = pd.DataFrame({"y": [0, 1, 0, 1, 1], "x": [2.0] * 5})
    with pytest.raises(DesignError, match="'x' does not vary"):
        survey_logistic(Design.from_frame(data), "y", ["x"])


def test_outcome_must_be_binary():
    data = pd.DataFrame({"y": [0, 2, 0, 1, 1, 0], "x": [1.0, 2, 3, 4, 5, 6]})
    with pytest.raises(DesignError, match="'y' row 2"):
        survey_logistic(Design.from_frame(data), "y", ["x"])


def test_perfect_separation_is_a_clear_error():
    data = pd.DataFrame({"y": [0, 0, 0, 1, 1, 1], "x": [1.0, 2, 3, 4, 5, 6]})
    with pytest.raises(DesignError, match="regression of 'y' cannot be fitted"):
        survey_logistic(Design.from_frame(data), "y", ["x"])
