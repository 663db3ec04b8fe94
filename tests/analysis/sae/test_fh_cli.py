"""``python -m analysis fh``: the issue 13 contract, run in process and once as a subprocess."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.cli import run
from tests.analysis.conftest import run_in_process

ROOT = Path(__file__).resolve().parents[3]
RTOL = 1e-6  # issue 13: R sae's values to a relative 1e-6
FH = ["--area", "SmallArea", "--estimate", "yi", "--variance", "variance"]


def _run(*args):
    """``python -m analysis fh ARGS``, in this process (one test below runs it as a process)."""
    return run_in_process("fh", *args)


def _run_process(*args):
    return subprocess.run([sys.executable, "-m", "analysis", "fh", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def milk_csv(tmp_path, milk):
    """The milk data with the variance column and MajorArea as text (a factor, as in R)."""
    table = milk.assign(variance=milk.SD ** 2, region="major" + milk.MajorArea.astype(str))
    path = tmp_path / "milk.csv"
    table.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("method", ["reml", "ml"])
def test_fh_json_matches_sae(milk_csv, expected_milk, method):
    """R sae::mseFH on sae::milk, yi ~ as.factor(MajorArea) (tests/data/sae/expected_milk.json):
    σu², β with the intercept first, every EBLUP and MSE through the command's JSON."""
    done = _run(milk_csv, *FH, "--covariates", "region", "--method", method, "--format", "json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    expected = expected_milk[method]
    model = out["model"]
    assert model["method"] == method
    assert model["beta_names"][0] == "(Intercept)"
    assert model["variance_component"] == pytest.approx(expected["variance_component"], rel=RTOL)
    assert model["beta"] == pytest.approx(expected["beta"], rel=RTOL)
    assert [a["area"] for a in out["areas"]] == [str(k) for k in range(1, 44)]
    assert [a["eblup"] for a in out["areas"]] == pytest.approx(expected["eblup"], rel=RTOL)
    assert [a["mse"] for a in out["areas"]] == pytest.approx(expected["mse"], rel=RTOL)
    for key in ("beta_se", "loglike", "aic", "bic", "iterations", "brown_w", "brown_p",
                "synthetic_direct_correlation"):
        assert model[key] is not None, key
    for area in out["areas"]:
        assert area["ci_low"] < area["eblup"] < area["ci_high"]
        assert 0 < area["shrinkage"] < 1


def test_fh_csv_benchmarked_to_the_province(milk_csv):
    """With --benchmark and --share the ni-weighted benchmarked estimates hit the benchmark."""
    done = _run(milk_csv, *FH, "--covariates", "region", "--benchmark", 0.95, "--share", "ni",
                "--benchmark-type", "raking", "--replicates", 100, "--seed", 1, "--format", "csv")
    assert done.returncode == 0, done.stderr
    table = pd.read_csv(pd.io.common.StringIO(done.stdout))
    milk = pd.read_csv(milk_csv)
    assert np.average(table.benchmarked, weights=milk.ni) == pytest.approx(0.95, rel=1e-12)
    assert (table.benchmarked_mse > 0).all()


def test_fh_arcsine_with_effective_sizes(tmp_path):
    """Shares of 1 (zero design variance) work on the arcsine scale with --n-eff;
    every interval stays in [0, 1]."""
    rng = np.random.default_rng(2)
    n = rng.integers(7, 400, 40)
    share = rng.binomial(n, 0.8) / n
    share[:3] = 1.0
    table = pd.DataFrame({"code": [f"L{k:03d}" for k in range(40)], "p": share,
                          "v": share * (1 - share) / n, "n": n,
                          "kind": np.where(rng.random(40) < 0.3, "phường", "xã")})
    path = tmp_path / "areas.csv"
    table.to_csv(path, index=False)
    done = _run(path, "--area", "code", "--estimate", "p", "--variance", "v", "--covariates",
                "kind", "--transform", "arcsine", "--n-eff", "n", "--replicates", 50,
                "--format", "json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["model"]["beta_names"] == ["(Intercept)", "kindxã"]
    for area in out["areas"]:
        assert 0 <= area["ci_low"] <= area["eblup"] <= area["ci_high"] <= 1
        assert area["mse"] > 0


def _bad(tmp_path, rows, *extra):
    """Run in process (the subprocess contract is checked above): exit status and output."""
    path = tmp_path / "bad.csv"
    path.write_text("code,p,v,x\n" + "\n".join(rows) + "\n")
    return run(["fh", str(path), "--area", "code", "--estimate", "p", "--variance", "v", *extra,
                "--format", "json"])


GOOD = [f"A{k},0.{70 + k},0.001,{k}" for k in range(8)]


@pytest.mark.parametrize("rows, extra, expected", [
    (GOOD[:3] + ["A1,0.8,0.001,3"] + GOOD[4:], [], "cột 'code' dòng 4: địa bàn 'A1' trùng với dòng 2"),
    (GOOD[:4] + ["A4,0.8,0,4"] + GOOD[5:], [], "cột 'v' dòng 5: phương sai '0' phải lớn hơn 0"),
    (GOOD[:4] + ["A4,0.8,-0.1,4"] + GOOD[5:], [], "cột 'v' dòng 5"),
    (GOOD[:5] + ["A5,0.8,0.001,"] + GOOD[6:], ["--covariates", "x"],
     "cột 'x' dòng 6: thiếu giá trị"),
    (GOOD[:2] + ["A2,0.8,0.001,abc"] + GOOD[3:], ["--covariates", "x"], "cột 'x' dòng 3"),
    (GOOD[:3], ["--covariates", "x"], "3 địa bàn nhưng có 3 tham số"),
    (GOOD, ["--covariates", "y"], "không có cột 'y' (--covariates)"),
    (GOOD, ["--benchmark", "0.8"], "--benchmark GIÁ_TRỊ và --share CỘT phải đi cùng nhau"),
    (GOOD[:1] + ["A1,1,0.001,1"] + GOOD[2:], ["--transform", "arcsine"],
     "cột 'p' dòng 2: tỷ lệ 1"),
])
def test_fh_bad_input_exits_2_naming_column_and_row(tmp_path, capsys, rows, extra, expected):
    """One line on stderr naming what is wrong and where; status 2; nothing on stdout."""
    assert _bad(tmp_path, rows, *extra) == 2
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], err


def test_fh_bad_input_as_a_process_has_no_traceback(tmp_path):
    """The same through ``python -m analysis``: status 2 and a single line."""
    path = tmp_path / "bad.csv"
    path.write_text("code,p,v\nA1,0.8,0.001\nA1,0.7,0.001\n")
    done = _run_process(path, "--area", "code", "--estimate", "p", "--variance", "v", "--format", "csv")
    assert done.returncode == 2
    assert done.stderr.strip() == "analysis: lỗi: cột 'code' dòng 2: địa bàn 'A1' trùng với dòng 1"


def test_fh_covariate_file_joined_on_the_area_code(tmp_path, capsys, milk):
    """Covariates from a second CSV in another row order give the same fit as inline columns."""
    inline = milk.assign(variance=milk.SD ** 2, region="major" + milk.MajorArea.astype(str))
    inline.to_csv(tmp_path / "inline.csv", index=False)
    inline[["SmallArea", "yi", "variance"]].to_csv(tmp_path / "data.csv", index=False)
    inline[["SmallArea", "region"]].iloc[::-1].to_csv(tmp_path / "covariates.csv", index=False)
    outputs = []
    for data, extra in (("inline.csv", []), ("data.csv", ["--covariate-file",
                                                          str(tmp_path / "covariates.csv")])):
        assert run(["fh", str(tmp_path / data), *FH, "--covariates", "region", *extra,
                    "--format", "json"]) == 0
        outputs.append(json.loads(capsys.readouterr().out))
    assert outputs[0] == outputs[1]


@pytest.mark.parametrize("covariates, expected", [
    ("code,z\nA0,1\nA1,2\n", "không có dòng cho địa bàn 'A2' (cột 'code' dòng 3 của dữ liệu)"),
    ("code,z\nA0,1\nA0,2\n", "cov.csv: cột 'code' dòng 2: địa bàn 'A0' trùng với dòng 1"),
    ("code,p\n" + "\n".join(f"A{k},1" for k in range(8)) + "\n", "cột 'p' trùng tên với một cột của dữ liệu"),
])
def test_fh_covariate_file_errors(tmp_path, capsys, covariates, expected):
    """A covariate file missing an area, repeating one or clashing with the data is refused."""
    (tmp_path / "cov.csv").write_text(covariates)
    assert _bad(tmp_path, GOOD, "--covariate-file", str(tmp_path / "cov.csv")) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and expected in err, err
