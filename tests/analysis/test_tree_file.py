"""`python -m analysis index --tree TREE.json`: the index tree as a file, nested nodes included.

The cases run the command in this process (`run_in_process`); tests/analysis/test_analysis_cli.py
runs `python -m analysis` as a real process.
"""

import json
from pathlib import Path

import pytest

from analysis import estimate_index
from analysis.tree import TreeError, read_tree
from tests.analysis.conftest import run_in_process

ROOT = Path(__file__).resolve().parents[2]
SIPAS = str(ROOT / "tests" / "data" / "sipas_synthetic.csv")
DESIGN = ["--weight", "weight", "--strata", "locality", "--cluster", "psu"]
RTOL = 1e-12  # the file and the Python API run the same arithmetic


def _node(code, children, weights=None):
    return {"code": code, "label": {"vi": code}, "aggregate": "mean", "children": children,
            "weights": weights}


NESTED = {
    "questionnaire": "test", "version": 1, "item_score": "share_satisfied", "root": "overall",
    "nodes": [
        _node("overall", ["service", "policy"], [2, 1]),
        _node("service", ["A", "B"]),
        _node("policy", ["C"]),
        _node("A", ["q1", "q2", "q3"]),
        _node("B", ["q4", "q5"]),
        _node("C", ["q6", "q7", "q8"]),
    ],
}


def _write(tmp_path, tree) -> Path:
    path = tmp_path / "tree.json"
    path.write_text(json.dumps(tree), encoding="utf-8")
    return path


def test_nested_tree_file_gives_the_python_api_numbers(tmp_path, sipas_data):
    """Nested nodes and unequal weights through the CLI equal estimate_index on the same frame."""
    done = run_in_process("index", SIPAS, "--tree", _write(tmp_path, NESTED), *DESIGN, "--by", "locality",
                "--format", "json")
    assert done.returncode == 0, done.stderr
    cli = {(r["node"], (r["domain"] or {}).get("locality")): r for r in json.loads(done.stdout)}
    tree = {"service": {"A": ["q1", "q2", "q3"], "B": ["q4", "q5"]}, "policy": {"C": ["q6", "q7", "q8"]}}
    api = estimate_index(sipas_data, tree, weights={"service": 2, "policy": 1}, weight="weight",
                         strata="locality", cluster="psu", by="locality")
    assert len(api) == len(cli)
    for record in api:
        name = "overall" if record.statistic == "index" else record.name
        got = cli[(name, record.domain[0][1])]
        assert got["estimate"] == pytest.approx(record.estimate, rel=RTOL)
        assert got["se"] == pytest.approx(record.se, rel=RTOL)
    overall = cli[("overall", "L01")]
    service, policy = cli[("service", "L01")], cli[("policy", "L01")]
    assert overall["statistic"] == "index"
    assert overall["estimate"] == pytest.approx((2 * service["estimate"] + policy["estimate"]) / 3)


def test_flat_tree_file_equals_element_flags(tmp_path):
    tree = {"nodes": [_node("index", ["A", "B"]), _node("A", ["q1", "q2", "q3", "q4"]),
                      _node("B", ["q5", "q6", "q7", "q8"])]}
    by_file = run_in_process("index", SIPAS, "--tree", _write(tmp_path, tree), *DESIGN, "--format", "json")
    by_flags = run_in_process("index", SIPAS, "--element", "A=q1,q2,q3,q4", "--element", "B=q5,q6,q7,q8",
                    *DESIGN, "--format", "json")
    assert by_file.returncode == by_flags.returncode == 0, by_file.stderr + by_flags.stderr
    assert json.loads(by_file.stdout) == json.loads(by_flags.stdout)


def _one_error(done) -> str:
    assert done.returncode == 2 and done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


@pytest.mark.parametrize("nodes,message", [
    ([_node("top", ["A"]), _node("A", ["q1", "q99"])],
     "không có cột 'q99' (--tree node 'A')"),
    ([_node("top", ["A"]), _node("A", [])], "node 'A' has no children"),
    ([_node("top", ["A"]), _node("A", ["B"]), _node("B", ["A"])], "node 'A' is its own ancestor"),
    ([_node("A", ["B"]), _node("B", ["A"])], "no single root node"),
    ([_node("top", ["A", "B"], [1]), _node("A", ["q1"]), _node("B", ["q2"])],
     "node 'top' needs one weight per child (2), or null"),
    ([_node("top", ["A", "B"], [1, -1]), _node("A", ["q1"]), _node("B", ["q2"])],
     "node 'top' has a weight that is not a positive finite number"),
    ([_node("top", ["A", "q3"]), _node("A", ["q1"])], "node 'top' mixes items and nodes"),
    ([_node("top", ["A"]), _node("A", ["q1"]), _node("A", ["q2"])], "node 'A' is defined twice"),
])
def test_bad_tree_exits_2_naming_the_node(tmp_path, nodes, message):
    done = run_in_process("index", SIPAS, "--tree", _write(tmp_path, {"nodes": nodes}), *DESIGN,
                "--format", "json")
    assert message in _one_error(done)


def test_unreadable_tree_file_names_the_line(tmp_path):
    path = tmp_path / "tree.json"
    path.write_text('{"nodes": [\n  {"code": "x",}\n]}', encoding="utf-8")
    with pytest.raises(TreeError, match="line 2: not valid JSON"):
        read_tree(str(path))
    assert "line 2: not valid JSON" in _one_error(run_in_process("index", SIPAS, "--tree", path, "--format", "csv"))


def test_tree_and_element_flags_exclude_each_other(tmp_path):
    done = run_in_process("index", SIPAS, "--tree", _write(tmp_path, NESTED), "--element", "A=q1",
                "--format", "json")
    assert "not allowed with argument" in _one_error(done)


def test_bad_cell_in_an_item_still_names_its_row(tmp_path, sipas_data):
    """The typed parse fails on the bad cell; the text re-read finds its row."""
    data = sipas_data.copy()
    data["q7"] = data["q7"].astype(str)
    data.loc[41, "q7"] = "bốn"
    path = tmp_path / "bad.csv"
    data.to_csv(path, index=False)
    done = run_in_process("index", path, "--tree", _write(tmp_path, NESTED), *DESIGN, "--format", "json")
    assert _one_error(done) == "analysis: lỗi: column 'q7' row 42: 'bốn' is not a number"
