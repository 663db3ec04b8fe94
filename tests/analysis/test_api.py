"""The one-call entry points: arguments they must refuse rather than ignore."""

import pytest

from analysis import CalibrationError, DesignError, estimate, make_design


def test_success_with_a_mean_is_refused(sipas_data):
    with pytest.raises(DesignError, match="success= is only for stat='proportion', not 'mean'"):
        estimate(sipas_data, "q1", "mean", success=4)


def test_empty_rake_margins_are_refused(sipas_data):
    """``rake={}`` used to skip raking silently."""
    with pytest.raises(CalibrationError, match="no margins given"):
        make_design(sipas_data, weight="weight", rake={})
