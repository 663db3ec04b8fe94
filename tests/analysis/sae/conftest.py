"""Fixtures for the small-area tests: R ``sae``'s milk data and its published values."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

SAE_DATA = Path(__file__).resolve().parents[2] / "data" / "sae"


@pytest.fixture(scope="session")
def milk() -> pd.DataFrame:
    """tests/data/sae/milk.csv: R ``sae::milk`` (Arora and Lahiri 1997), 43 areas."""
    return pd.read_csv(SAE_DATA / "milk.csv")


@pytest.fixture(scope="session")
def milk_design(milk) -> np.ndarray:
    """X of ``yi ~ as.factor(MajorArea)``: the intercept, then MajorArea 2, 3 and 4."""
    return np.column_stack([np.ones(len(milk))]
                           + [(milk.MajorArea == k).to_numpy(dtype=float) for k in (2, 3, 4)])


@pytest.fixture(scope="session")
def expected_milk() -> dict:
    """tests/data/sae/expected_milk.json: R ``sae::mseFH`` values (provenance inside the file)."""
    return json.loads((SAE_DATA / "expected_milk.json").read_text())
