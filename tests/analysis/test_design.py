"""Design construction: weights, strata, PSUs, fpc and their errors."""

import numpy as np
import pandas as pd
import pytest

from analysis import Design, DesignError
from analysis.design import CodedColumns, domain_codes, factorize_sorted, numeric_column


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


@pytest.mark.parametrize("bad", [np.inf, "inf", "1e400"], ids=["float", "text", "overflow"])
def test_infinite_weights_name_how_many_rows(sipas_data, bad):
    """An infinite weight used to turn every statistic into NaN."""
    data = sipas_data.astype({"weight": object})
    data.loc[[3, 9], "weight"] = bad
    with pytest.raises(DesignError, match=r"'weight': 2 rows have infinite weights \(first at row 4\)"):
        Design.from_frame(data, weight="weight")


def test_mixed_bad_weights_are_counted_together(sipas_data):
    data = sipas_data.copy()
    data.loc[5, "weight"] = np.inf
    data.loc[2, "weight"] = 0.0
    with pytest.raises(DesignError, match=r"2 rows have missing, non-positive or infinite weights "
                                          r"\(first at row 3\)"):
        Design.from_frame(data, weight="weight")


@pytest.mark.parametrize("bad", [np.inf, -np.inf, "1e400"])
def test_infinite_value_names_column_and_row(sipas_data, bad):
    data = sipas_data.astype({"q1": object})
    data.loc[4, "q1"] = bad
    with pytest.raises(DesignError, match=r"column 'q1' row 5: '.*' is not a finite number"):
        numeric_column(data, "q1")


def test_fpc_below_sampled_psus_names_stratum_and_row(sipas_data):
    """L01 has 29 sampled PSUs, so N_h = 3 is impossible."""
    data = sipas_data.assign(N=np.where(sipas_data["locality"] == "L01", 3, 60))
    with pytest.raises(DesignError, match=r"fpc column 'N' row 1: stratum 'L01' has 29 sampled PSUs "
                                          r"but a population of 3 PSUs"):
        Design.from_frame(data, strata="locality", cluster="psu", fpc="N")


def test_fpc_varying_within_a_stratum_names_both_rows(sipas_data):
    data = sipas_data.assign(N=60)
    data.loc[5, "N"] = 61
    stratum = data.loc[5, "locality"]
    first = int((data["locality"] == stratum).to_numpy().argmax()) + 1
    with pytest.raises(DesignError, match=rf"row 6 has 61, row {first} has 60 \(stratum '{stratum}'\)"):
        Design.from_frame(data, strata="locality", cluster="psu", fpc="N")


def test_by_column_without_values_is_refused(sipas_data):
    """An all-blank by column used to give an empty result and exit 0."""
    design = Design.from_frame(sipas_data.assign(region=None))
    with pytest.raises(DesignError, match="by column 'region' has no values"):
        domain_codes(design, "region")


def test_coded_columns_sum_as_the_columns_they_stand_for(sipas_data):
    """Identity: answers summed by code and combined by the table equal the 0/1 columns summed
    one by one (the sums `index_nodes` builds its shares from)."""
    design = Design.from_frame(sipas_data, weight="weight", strata="locality", cluster="psu")
    codes, _, n_domains = domain_codes(design, "locality")
    answer = sipas_data["q1"].fillna(0).to_numpy(dtype=np.int8)
    table = np.array([[a > 0, a >= 4, a] for a in range(6)], float)
    coded = design.group_sums([CodedColumns(answer, table)], codes, n_domains)
    plain = design.group_sums([(answer > 0) * 1.0, (answer >= 4) * 1.0, answer * 1.0], codes, n_domains)
    assert (coded.psu == plain.psu).all() and (coded.domain == plain.domain).all()
    np.testing.assert_allclose(coded.weighted, plain.weighted, rtol=1e-12)
    np.testing.assert_array_equal(coded.unweighted, plain.unweighted)


def test_sorted_categorical_codes_equal_factorising_the_text(sipas_data):
    """The shortcut for codes read as sorted categoricals numbers them as pd.factorize does."""
    text = sipas_data["psu"].astype(str)
    categorical = text.astype(pd.CategoricalDtype(sorted(text.unique())))
    codes, labels = factorize_sorted(categorical)
    expected_codes, expected_labels = pd.factorize(text, sort=True)
    assert (codes == expected_codes).all() and list(labels) == list(expected_labels)
    unsorted = text.astype(pd.CategoricalDtype(sorted(text.unique(), reverse=True)))
    codes, labels = factorize_sorted(unsorted)  # not sorted: pandas' own factorize, as before
    expected_codes, expected_labels = pd.factorize(unsorted, sort=True)
    assert (codes == expected_codes).all() and list(labels) == list(expected_labels)
