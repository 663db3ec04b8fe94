"""Fixtures for the report tests: a synthetic analysis frame and its report (no database)."""

import pytest

from bench.report_frame import localities, make_frame
from survey.frame.compact import Opinions
from survey.models.places import LocalityName
from survey.questionnaire import load_questionnaire
from survey.reports.build import PreviousWave, build_report
from tests.factories import SIPAS_FILE

N_LOCALITIES = 102


@pytest.fixture(scope="session")
def sipas_tree():
    """The shipped questionnaire's index tree."""
    return load_questionnaire(SIPAS_FILE).index


@pytest.fixture(scope="session")
def report_frame():
    """8,000 synthetic responses; three thin localities, the last locality and the centre empty."""
    return make_frame(8000, N_LOCALITIES, seed=3, thin=3, empty=2)


@pytest.fixture(scope="session")
def report(report_frame, sipas_tree):
    """The report of the synthetic wave 2026Q4 against a synthetic 2026Q3."""
    previous = PreviousWave("2026Q3", make_frame(6000, N_LOCALITIES, seed=4, shift=-0.3))
    return build_report(report_frame, None, sipas_tree, wave="2026Q4",
                        localities=[LocalityName(*row) for row in localities(N_LOCALITIES)],
                        previous=[previous], is_demo=True, opinions=Opinions.of(load_questionnaire(SIPAS_FILE)))
