"""End to end: seed → citizens over HTTP at several centres → counts imported → export →
`python -m analysis index --tree` in a subprocess → the same numbers as the Python API
(`analysis` functions) on the frame `survey.frame.load.analysis_frame` gives."""

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select

from analysis import Design, index_nodes
from analysis.results import to_records
from analysis.sipas import parse_tree
from analysis.tree import read_tree
from survey.frame.load import analysis_frame
from survey.models import ServiceCentre, Wave
from survey.respond.quality import BURST_MAX
from tests.factories import PROJECT_ROOT
from tests.survey.respond.conftest import QUESTIONNAIRE, Citizen

REL = 1e-9  # CSV round trip of floats written by pandas (17 significant digits) loses nothing
R_REL = 1e-8  # R's survey package (Debian r-cran-survey) on the XLSX: same formulas, other summation order
# centre → how many citizens answer there; within five minutes at one desk, the 6th and
# later are flagged "burst" (survey.respond.quality.BURST_MAX = 5) and left out by default
WALKS = {"tinh": 7, 0: 5, 1: 6, 2: 4}
BURSTS = sum(max(0, n - BURST_MAX) for n in WALKS.values())
FIELDS = ("dat_dai", "ho_tich")


def _walk(app, centre_code: str, rng: np.random.Generator) -> None:
    likert = [item.code for item in QUESTIONNAIRE.likert_items]
    person = rng.normal()
    answers = {code: str(int(np.clip(np.rint(3.6 + person + rng.normal(0, 0.7)), 1, 5))) for code in likert}
    answers["field"] = str(rng.choice(FIELDS))
    if rng.random() < 0.3:
        answers["tc3"] = "0"  # "Không trả lời": an empty cell in the export, missing in the frame
    citizen = Citizen(app.test_client())  # a fresh client: a new device each time
    citizen.open(f"/q/{centre_code}")  # the server draws the policy block for about one in three
    for _ in range(30):
        action = "submit" if 'value="submit"' in citizen.html else "next"
        citizen.post(action, answers)
        if citizen.status != 200 or 'name="state"' not in citizen.html:
            break
    assert citizen.status == 303 and "/cam-on" in citizen.location, citizen.html[:500]


@pytest.mark.slow
def test_export_and_the_analysis_cli_give_the_python_api_numbers(app, runner, db_session, tmp_path, block_draw):
    block_draw.seeded(20261129)  # the same respondents drawn for the policy block on every run
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    wave = db_session.scalar(select(Wave))
    localities = db_session.scalars(
        select(ServiceCentre.code).where(ServiceCentre.locality_id.is_not(None)).order_by(ServiceCentre.code).limit(3)
    ).all()
    rng = np.random.default_rng(20261129)
    codes = {key if key == "tinh" else localities[key]: n for key, n in WALKS.items()}
    for code, n in codes.items():
        for _ in range(n):
            _walk(app, code, rng)

    counts = tmp_path / "counts.csv"
    counts.write_text("Mã trung tâm,Lĩnh vực,Số hồ sơ đã giải quyết\n" + "".join(
        f"{code},{field},{40 + 13 * i + 7 * j}\n" for i, code in enumerate(codes) for j, field in enumerate(FIELDS)
    ), encoding="utf-8")
    result = runner.invoke(args=["counts", "import", str(counts), "--quarter", wave.code])
    assert result.exit_code == 0, result.output

    data, tree = tmp_path / "responses.csv", tmp_path / "tree.json"
    result = runner.invoke(args=["export", "responses", "--wave", wave.code, "--out", str(data)])
    assert result.exit_code == 0, result.output
    assert f"Left out: burst {BURSTS}" in result.stderr and "UNWEIGHTED" not in result.stderr
    result = runner.invoke(args=["export", "index-tree", "--questionnaire", "sipas-2026", "--out", str(tree)])
    assert result.exit_code == 0, result.output

    cli = subprocess.run(
        [sys.executable, "-m", "analysis", "index", str(data), "--tree", str(tree), "--weight", "design_weight",
         "--strata", "stratum", "--cluster", "psu", "--format", "json"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120,
    )
    assert cli.returncode == 0, cli.stderr
    from_cli = json.loads(cli.stdout)

    frame, report = analysis_frame(db_session, wave)
    assert report.weighted and report.n_kept == sum(codes.values()) - BURSTS
    exported = pd.read_csv(data, encoding="utf-8-sig", dtype={"stratum": str, "psu": str})
    drawn = frame["assigned_policy"].to_numpy() == 1
    assert 0 < drawn.sum() < len(frame) and (exported["assigned_policy"].to_numpy() == 1).sum() == drawn.sum()
    assert frame.loc[drawn, "cs_gt1"].notna().all() and frame.loc[~drawn, "cs_gt1"].isna().all()
    assert exported["design_weight"].tolist() == pytest.approx(frame["design_weight"].tolist(), rel=REL)
    assert exported["design_weight"].sum() == pytest.approx(report.total_weight, rel=REL)
    source = read_tree(str(tree))
    design = Design.from_frame(frame, weight="design_weight", strata="stratum", cluster="psu")
    from_api = to_records(index_nodes(design, parse_tree(source.tree, source.weights, name=source.root)))

    assert from_cli == [_approx(record) for record in from_api]
    assert {"sipas", "service", "access", "tc1"} <= {r.get("node") for r in from_cli}
    sipas = next(r for r in from_cli if r["node"] == "sipas")
    assert 0 < sipas["estimate"] < 1 and sipas["se"] > 0 and sipas["n"] == report.n_kept

    # An analyst with only the XLSX export gets the same numbers in R (docs/analysis.md).
    xlsx, from_r = tmp_path / "responses.xlsx", tmp_path / "r.csv"
    result = runner.invoke(args=["export", "responses", "--wave", wave.code, "--format", "xlsx", "--out", str(xlsx)])
    assert result.exit_code == 0, result.output
    script = PROJECT_ROOT / "docs" / "r" / "sipas_index_from_xlsx.R"
    r = subprocess.run(["Rscript", str(script), str(xlsx), str(from_r)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    r_numbers = pd.read_csv(from_r).set_index("name")
    for record in from_api:
        name = record["node"]
        if record["estimate"] is None:
            assert np.isnan(r_numbers.loc[name, "estimate"]), name
            continue
        assert r_numbers.loc[name, "estimate"] == pytest.approx(record["estimate"], rel=R_REL), name
        assert r_numbers.loc[name, "se"] == pytest.approx(record["se"], rel=R_REL), name


def _approx(record: dict) -> dict:
    return {key: pytest.approx(value, rel=REL) if isinstance(value, float) else value
            for key, value in record.items()}
