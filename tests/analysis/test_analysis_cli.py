"""The command line contract of issue 4, run as a subprocess."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
SIPAS = str(DATA / "sipas_synthetic.csv")
DESIGN = ["--weight", "weight", "--strata", "locality", "--cluster", "psu"]
ELEMENTS = ["--element", "A=q1,q2,q3,q4", "--element", "B=q5,q6,q7,q8"]
RTOL = 1e-6  # issue 4: reproduce R to a relative 1e-6


def _run(*args):
    return subprocess.run([sys.executable, "-m", "analysis", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def test_index_json_matches_r(expected):
    """R 4.2, survey 4.1-1, tests/data/reference_sipas.R on sipas_synthetic.csv:
    the index and element_A by locality L03 through the CLI's JSON."""
    done = _run("index", SIPAS, *ELEMENTS, *DESIGN, "--by", "locality", "--format", "json")
    assert done.returncode == 0, done.stderr
    records = {(r["node"], r["domain"]["locality"]): r for r in json.loads(done.stdout)}
    for node, key in (("index", "index_by_locality_L03"), ("A", "element_A_by_locality_L03")):
        record = records[(node, "L03")]
        for field in ("estimate", "se", "ci_low", "ci_high", "n"):
            assert record[field] == pytest.approx(expected[key][field], rel=RTOL)
        assert record["df"] == expected["design"]["degf"]


def test_raked_index_csv_matches_r(tmp_path, expected):
    """R 4.2, survey 4.1-1, reference_sipas.R: raked_index, margins from raked_margins."""
    margins = tmp_path / "margins.csv"
    rows = [(v, level, total) for v, levels in expected["raked_margins"].items()
            for level, total in levels.items()]
    pd.DataFrame(rows, columns=["variable", "level", "total"]).to_csv(margins, index=False)
    done = _run("index", SIPAS, *ELEMENTS, *DESIGN, "--rake", margins, "--format", "csv")
    assert done.returncode == 0, done.stderr
    table = pd.read_csv(pd.io.common.StringIO(done.stdout))
    index = table[table.statistic == "index"].iloc[0]
    assert index["se"] == pytest.approx(expected["raked_index"]["se"], rel=RTOL)


def test_estimate_proportion_with_success_value():
    done = _run("estimate", SIPAS, "--var", "gender", "--stat", "proportion", "--success", "nu",
                *DESIGN, "--format", "json")
    assert done.returncode == 0, done.stderr
    (record,) = json.loads(done.stdout)
    assert record["variable"] == "gender" and record["domain"] is None
    assert 0 < record["ci_low"] < record["estimate"] < record["ci_high"] < 1


@pytest.mark.parametrize("args,message", [
    (["--var", "nope", "--stat", "mean"], "unknown column 'nope' (--var)"),
    (["--var", "q1", "--stat", "mean", "--by", "region"], "unknown column 'region' (--by)"),
    (["--var", "gender", "--stat", "mean"], "column 'gender' row 1: 'nu' is not a number"),
    (["--var", "q1", "--stat", "median"], "invalid choice: 'median'"),
    (["--var", "q1", "--stat", "mean", "--level", "95"], "--level 95.0 must lie strictly between"),
])
def test_bad_input_exits_2_with_one_line(args, message):
    done = _run("estimate", SIPAS, *args, "--format", "json")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and message in done.stderr


def test_non_numeric_weight_names_row(tmp_path, sipas_data):
    broken = sipas_data.astype({"weight": str})
    broken.loc[11, "weight"] = "abc"
    path = tmp_path / "broken.csv"
    broken.to_csv(path, index=False)
    done = _run("estimate", path, "--var", "q1", "--stat", "mean", "--weight", "weight",
                "--format", "csv")
    assert done.returncode == 2
    assert done.stderr.strip() == "analysis: error: column 'weight' row 12: 'abc' is not a number"


def test_bad_element_spec_exits_2():
    done = _run("index", SIPAS, "--element", "A", "--format", "json")
    assert done.returncode == 2 and "NAME=ITEM,ITEM" in done.stderr


def test_margins_with_unequal_totals_exit_2(tmp_path):
    margins = tmp_path / "margins.csv"
    bands = "".join(f"age_band,{band},5\n" for band in ("18-25", "26-34", "35-49", "50-60", "60+"))
    margins.write_text("variable,level,total\ngender,nam,10\ngender,nu,10\n" + bands)
    done = _run("index", SIPAS, *ELEMENTS, "--rake", margins, "--format", "json")
    assert done.returncode == 2 and "margins do not sum to the same total" in done.stderr
