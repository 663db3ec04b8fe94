"""The command line contract of issue 4.

The cases run `analysis.cli.run`, what `python -m analysis` calls, in this process (a fresh
interpreter importing pandas and SciPy per case would cost a second or more each); the first
golden test runs the module as a real process, so the entry point itself is covered too.
"""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.analysis.conftest import run_in_process

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
SIPAS = str(DATA / "sipas_synthetic.csv")
DESIGN = ["--weight", "weight", "--strata", "locality", "--cluster", "psu"]
ELEMENTS = ["--element", "A=q1,q2,q3,q4", "--element", "B=q5,q6,q7,q8"]
RTOL = 1e-6  # issue 4: reproduce R to a relative 1e-6


def _run_process(*args):
    return subprocess.run([sys.executable, "-m", "analysis", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def test_index_json_matches_r(expected):
    """R 4.2, survey 4.1-1, tests/data/reference_sipas.R on sipas_synthetic.csv:
    the index and element_A by locality L03 through the CLI's JSON, as a real process."""
    done = _run_process("index", SIPAS, *ELEMENTS, *DESIGN, "--by", "locality", "--format", "json",
                        "--interval", "logit")
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
    done = run_in_process("index", SIPAS, *ELEMENTS, *DESIGN, "--rake", margins, "--format", "csv")
    assert done.returncode == 0, done.stderr
    table = pd.read_csv(pd.io.common.StringIO(done.stdout))
    index = table[table.statistic == "index"].iloc[0]
    assert index["se"] == pytest.approx(expected["raked_index"]["se"], rel=RTOL)


def test_estimate_proportion_with_success_value():
    done = run_in_process("estimate", SIPAS, "--var", "gender", "--stat", "proportion", "--success", "nu",
                *DESIGN, "--format", "json")
    assert done.returncode == 0, done.stderr
    (record,) = json.loads(done.stdout)
    assert record["variable"] == "gender" and record["domain"] is None
    assert 0 < record["ci_low"] < record["estimate"] < record["ci_high"] < 1


@pytest.mark.parametrize("args,message", [
    (["--var", "nope", "--stat", "mean"], "không có cột 'nope' (--var); dữ liệu có các cột: "),
    (["--var", "q1", "--stat", "mean", "--by", "region"], "không có cột 'region' (--by)"),
    (["--var", "gender", "--stat", "mean"], "column 'gender' row 1: 'nu' is not a number"),
    (["--var", "q1", "--stat", "median"], "invalid choice: 'median'"),
    (["--var", "q1", "--stat", "mean", "--level", "95"], "--level 95.0 phải lớn hơn 0 và nhỏ hơn 1"),
    (["--var", "q1", "--stat", "mean", "--level", "-0.5"], "--level -0.5 phải lớn hơn 0 và nhỏ hơn 1"),
    (["--var", "q1", "--stat", "mean", "--success", "4"],
     "--success chỉ dùng với --stat proportion, không dùng với --stat mean"),
    (["--var", "q1", "--stat", "total", "--success", "4"],
     "--success chỉ dùng với --stat proportion, không dùng với --stat total"),
    (["--var", "q1", "--var", "q1", "--stat", "mean"], "--var 'q1' được khai hai lần"),
])
def test_bad_input_exits_2_with_one_line(args, message):
    done = run_in_process("estimate", SIPAS, *args, "--format", "json")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and message in done.stderr


def test_non_numeric_weight_names_row(tmp_path, sipas_data):
    broken = sipas_data.astype({"weight": str})
    broken.loc[11, "weight"] = "abc"
    path = tmp_path / "broken.csv"
    broken.to_csv(path, index=False)
    done = run_in_process("estimate", path, "--var", "q1", "--stat", "mean", "--weight", "weight",
                "--format", "csv")
    assert done.returncode == 2
    assert done.stderr.strip() == "analysis: lỗi: column 'weight' row 12: 'abc' is not a number"


def test_bad_element_spec_exits_2():
    done = run_in_process("index", SIPAS, "--element", "A", "--format", "json")
    assert done.returncode == 2 and "NAME=ITEM,ITEM" in done.stderr


def test_margins_with_unequal_totals_exit_2(tmp_path):
    margins = tmp_path / "margins.csv"
    bands = "".join(f"age_band,{band},5\n" for band in ("18-25", "26-34", "35-49", "50-60", "60+"))
    margins.write_text("variable,level,total\ngender,nam,10\ngender,nu,10\n" + bands)
    done = run_in_process("index", SIPAS, *ELEMENTS, "--rake", margins, "--format", "json")
    assert done.returncode == 2 and "margins do not sum to the same total" in done.stderr


def _one_error_line(done) -> str:
    """The single stderr line of a run that must fail with status 2 and no output."""
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1, done.stderr
    return done.stderr.strip()


def _margins(tmp_path, lines):
    path = tmp_path / "margins.csv"
    path.write_text("variable,level,total\n" + "".join(f"{line}\n" for line in lines))
    return path


def test_contradictory_margins_exit_2_naming_the_level(tmp_path, sipas_data):
    """g2 copies gender; raking used to exit 0 with gender's totals the wrong way round."""
    data = tmp_path / "g2.csv"
    sipas_data.assign(g2=sipas_data["gender"]).to_csv(data, index=False)
    margins = _margins(tmp_path, ["gender,nam,100", "gender,nu,200", "g2,nam,200", "g2,nu,100"])
    done = run_in_process("estimate", data, "--var", "q1", "--stat", "mean", "--weight", "weight",
                "--rake", margins, "--format", "json")
    assert _one_error_line(done) == ("analysis: lỗi: raking cannot meet margin 'gender' level 'nam': "
                                     "weights reach 200 against a target of 100; "
                                     "the margins contradict each other")


@pytest.mark.parametrize("bad", ["inf", "1e400"])
def test_infinite_weight_exits_2_naming_column_and_row(tmp_path, sipas_data, bad):
    """An infinite weight used to give null statistics, a RuntimeWarning and status 0."""
    broken = sipas_data.astype({"weight": str})
    broken.loc[4, "weight"] = bad
    path = tmp_path / "broken.csv"
    broken.to_csv(path, index=False)
    done = run_in_process("estimate", path, "--var", "q1", "--stat", "mean", "--weight", "weight",
                "--format", "json")
    assert _one_error_line(done) == ("analysis: lỗi: weight column 'weight': 1 rows have "
                                     "infinite weights (first at row 5)")


def test_infinite_value_exits_2_naming_column_and_row(tmp_path, sipas_data):
    broken = sipas_data.astype({"q1": str})
    broken.loc[4, "q1"] = "inf"
    path = tmp_path / "broken.csv"
    broken.to_csv(path, index=False)
    done = run_in_process("estimate", path, "--var", "q1", "--stat", "mean", "--format", "csv")
    assert _one_error_line(done) == "analysis: lỗi: column 'q1' row 5: 'inf' is not a finite number"


def test_repeated_margin_row_exits_2_naming_both_rows(tmp_path):
    """The later gender,nam row used to overwrite the earlier one silently."""
    margins = _margins(tmp_path, ["gender,nam,100", "gender,nu,200", "gender,nam,300"])
    done = run_in_process("estimate", SIPAS, "--var", "q1", "--stat", "mean", "--rake", margins,
                "--format", "json")
    assert _one_error_line(done).endswith("margins.csv dòng 3: gender,nam trùng với dòng 1")


@pytest.mark.parametrize("lines,message", [
    ([], "margins.csv: không có dòng nào (cần các cột variable,level,total)"),
    (["gender,nam,inf", "gender,nu,200"], "margins.csv: column 'total' row 1: 'inf' is not a finite number"),
])
def test_unusable_margins_file_exits_2(tmp_path, lines, message):
    """A header-only margins file used to skip raking without a word."""
    done = run_in_process("estimate", SIPAS, "--var", "q1", "--stat", "mean", "--rake",
                _margins(tmp_path, lines), "--format", "json")
    assert _one_error_line(done).endswith(message)


@pytest.mark.parametrize("elements,message", [
    (["--element", "index=q2"], "element name 'index' is taken by the index itself; choose another"),
    (["--element", "A=q1", "--element", "A=q2"], "--element 'A' được khai hai lần"),
    (["--element", "A=q1,q2,q1"], "element 'A' lists item 'q1' twice"),
])
def test_clashing_element_names_exit_2(elements, message):
    """--element index=q2 used to give two records both named 'index'."""
    done = run_in_process("index", SIPAS, *elements, "--format", "json")
    assert _one_error_line(done) == f"analysis: lỗi: {message}"


def test_by_column_without_values_exits_2(tmp_path, sipas_data):
    """An all-blank --by column used to print an empty result with status 0."""
    path = tmp_path / "blank_by.csv"
    sipas_data.assign(region="").to_csv(path, index=False)
    done = run_in_process("estimate", path, "--var", "q1", "--stat", "mean", "--by", "region", "--format", "csv")
    assert _one_error_line(done).endswith("by column 'region' has no values, so there are no domains "
                                          "to report")


def test_fpc_below_sampled_psus_exits_2_naming_stratum(tmp_path, sipas_data):
    path = tmp_path / "fpc.csv"
    sipas_data.assign(N=3).to_csv(path, index=False)
    done = run_in_process("estimate", path, "--var", "q1", "--stat", "mean", *DESIGN, "--fpc", "N",
                "--format", "csv")
    assert _one_error_line(done).endswith("fpc column 'N' row 1: stratum 'L01' has 29 sampled PSUs "
                                          "but a population of 3 PSUs")


def test_repeated_header_exits_2(tmp_path):
    """pandas would rename the second q1 to 'q1.1' and --var q1 would read the first."""
    path = tmp_path / "twice.csv"
    path.write_text("q1,weight,q1\n1,2,3\n4,2,5\n")
    done = run_in_process("estimate", path, "--var", "q1", "--stat", "mean", "--format", "csv")
    assert _one_error_line(done).endswith("twice.csv: dòng tiêu đề có hai cột cùng tên 'q1'")


def test_success_value_no_row_has_gets_a_note():
    """--success Nu (the data say 'nu') used to report 0 without a word."""
    done = run_in_process("estimate", SIPAS, "--var", "gender", "--stat", "proportion", "--success", "Nu",
                "--format", "json")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ("analysis: lưu ý: không dòng nào của 'gender' có --success 'Nu', nên tỷ lệ "
                           "bằng 0; các giá trị có: 'nam', 'nu'\n")
    assert json.loads(done.stdout)[0]["estimate"] == 0
