"""Design construction: weights, strata, PSUs, fpc and their errors."""

import numpy as np
import pandas as pd
import pytest

from analysis import Design, DesignError


def test_degrees_of_freedom_are_psus_minus_strata(sipas_data, sipas_design, expected):
    """expected.json design.degf from R's degf(des)."""
    psus = sipas_data.groupby("locality")["psu"].nunique().sum()
    assert sipas_design.df == psus - sipas_data["locality"].nunique() == expected["design"]["degf"]


def test_psus_are_nested_in_strata():
    """The same PSU label in two strata is two PSUs (nest=TRUE)."""
    data = pd.DataFrame({"s": ["a", "a", "b", "b"], "p": [1, 2, 1, 2], "y": [1, 2, 3, 4]})
    design = Design.from_frame(data, strata="s", cluster="p")
    assert len(design.psu_stratum) == 4 and design.df == 2


@pytest.mark.parametrize("bad", [np.nan, 0.0, -2.0])
def test_bad_weights_name_how_many_rows(sipas_data, bad):
    data = sipas_data.copy()
    data.loc[[3, 9], "weight"] = bad
    with pytest.raises(DesignError, match=r"'weight': 2 rows have missing or non-positive weights "
                                          r"\(first at row 4\)"):
        Design.from_frame(data, weight="weight")


def test_non_numeric_weight_names_column_and_row(sipas_data):
    data = sipas_data.astype({"weight": str})
    data.loc[6, "weight"] = "n/a"
    with pytest.raises(DesignError, match=r"column 'weight' row 7: 'n/a' is not a number"):
        Design.from_frame(data, weight="weight")


def test_missing_stratum_is_refused(sipas_data):
    data = sipas_data.copy()
    data.loc[0, "locality"] = None
    with pytest.raises(DesignError, match=r"strata column 'locality': 1 rows have no value"):
        Design.from_frame(data, strata="locality")


def test_unknown_column_is_named(sipas_data):
    with pytest.raises(DesignError, match="unknown cluster column 'desk'"):
        Design.from_frame(sipas_data, cluster="desk")


def test_fpc_must_be_constant_within_strata(sipas_data):
    data = sipas_data.assign(N=np.arange(len(sipas_data)) + 100)
    with pytest.raises(DesignError, match="varies within a stratum"):
        Design.from_frame(data, strata="locality", cluster="psu", fpc="N")


def test_fpc_as_sampling_fraction_equals_population_size(sipas_data):
    psus = sipas_data.groupby("locality")["psu"].transform("nunique")
    as_size = Design.from_frame(sipas_data.assign(N=60), strata="locality", cluster="psu", fpc="N")
    as_fraction = Design.from_frame(sipas_data.assign(f=psus / 60), strata="locality", cluster="psu",
                                    fpc="f")
    np.testing.assert_allclose(as_fraction.strata.population_psu, as_size.strata.population_psu)


def test_lonely_strata_are_reported():
    data = pd.DataFrame({"s": ["a", "b", "b"], "p": [1, 1, 2], "y": [1.0, 2.0, 3.0]})
    assert Design.from_frame(data, strata="s", cluster="p").lonely_strata == ("a",)
