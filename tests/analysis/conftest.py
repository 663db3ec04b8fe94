"""Fixtures for the analysis tests: the reference SIPAS data and R's values."""

import io
import json
import subprocess
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pandas as pd
import pytest

from analysis import Design
from analysis.cli import run

DATA = Path(__file__).resolve().parents[1] / "data"


def run_in_process(*args) -> subprocess.CompletedProcess:
    """`python -m analysis ARGS` run in this process: exit status, stdout and stderr.

    `analysis.cli.run` is what `python -m analysis` calls; a fresh interpreter importing pandas
    and SciPy would cost a second or more per case. Each CLI test file still runs the module
    as a real process once, so the entry point itself is covered.
    """
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            status = run([str(arg) for arg in args])
        except SystemExit as exc:  # argparse's own usage errors
            status = exc.code
    return subprocess.CompletedProcess(args, status, out.getvalue(), err.getvalue())


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
