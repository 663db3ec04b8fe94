"""Fixtures for the analysis tests: the reference SIPAS data and R's values."""

import json
from pathlib import Path

import pandas as pd
import pytest

from analysis import Design

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="session")
def sipas_data() -> pd.DataFrame:
    """tests/data/sipas_synthetic.csv: 1,850 synthetic SIPAS responses, 8 localities."""
    return pd.read_csv(DATA / "sipas_synthetic.csv")


@pytest.fixture(scope="session")
def expected() -> dict:
    """tests/data/expected.json: R 4.2 / survey 4.1-1 values from reference_sipas.R."""
    return json.loads((DATA / "expected.json").read_text())


@pytest.fixture(scope="session")
def r_extra() -> dict:
    """tests/data/r_extra.json: R 4.2.2 / survey 4.1.1 values from reference_extra.R."""
    return json.loads((DATA / "r_extra.json").read_text())


@pytest.fixture(scope="session")
def sipas_design(sipas_data) -> Design:
    """svydesign(id=~psu, strata=~locality, weights=~weight, nest=TRUE) on the SIPAS data."""
    return Design.from_frame(sipas_data, weight="weight", strata="locality", cluster="psu")
