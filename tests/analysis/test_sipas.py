"""SIPAS index nodes against R (tests/data/expected.json) and their tree algebra."""

import numpy as np
import pytest

from analysis import DesignError, index_nodes, parse_tree, rake

RTOL = 1e-6  # issue 4: reproduce R to a relative 1e-6
FIELDS = ("estimate", "se", "ci_low", "ci_high")
LOCALITIES = [f"L0{i}" for i in range(1, 9)]
SIPAS_ELEMENTS = {"A": ["q1", "q2", "q3", "q4"], "B": ["q5", "q6", "q7", "q8"]}  # reference_sipas.R


def _by_key(results):
    keyed = {}
    for r in results:
        prefix = {"share": "share_", "meanscore": "meanscore_", "element": "element_"}.get(r.statistic, "")
        key = prefix + r.name
        if r.domain is not None:
            key += f"_by_locality_{dict(r.domain)['locality']}"
        keyed[key] = r
    return keyed


def _assert_matches(result, golden):
    for field in FIELDS:
        assert getattr(result, field) == pytest.approx(golden[field], rel=RTOL), field
    assert result.n == golden["n"]


@pytest.fixture(scope="module")
def overall(sipas_design):
    return _by_key(index_nodes(sipas_design, SIPAS_ELEMENTS, meanscores=True, interval="logit"))


@pytest.fixture(scope="module")
def by_locality(sipas_design):
    return _by_key(index_nodes(sipas_design, SIPAS_ELEMENTS, by="locality", interval="logit"))


@pytest.mark.parametrize("item", [f"q{i}" for i in range(1, 9)])
def test_item_share_matches_r(overall, expected, item):
    """R 4.2, survey 4.1-1, tests/data/reference_sipas.R on sipas_synthetic.csv:
    svyciprop(~I(q>=4), subset(des, q>0), method="logit") and confint."""
    _assert_matches(overall[f"share_{item}"], expected[f"share_{item}"])


@pytest.mark.parametrize("item", [f"q{i}" for i in range(1, 9)])
def test_item_meanscore_matches_r(overall, expected, item):
    """R 4.2, survey 4.1-1, reference_sipas.R on sipas_synthetic.csv:
    svymean(~q, subset(des, q>0)) with confint(m, df=degf(sub))."""
    _assert_matches(overall[f"meanscore_{item}"], expected[f"meanscore_{item}"])


@pytest.mark.parametrize("node", ["element_A", "element_B", "index"])
def test_overall_nodes_match_r(overall, expected, node):
    """R 4.2, survey 4.1-1, reference_sipas.R on sipas_synthetic.csv: index_z
    linearisation, SE(svytotal(~z__, des)), CI = est +/- qt(0.975, degf) * SE."""
    _assert_matches(overall[node], expected[node])


@pytest.mark.parametrize("locality", LOCALITIES)
@pytest.mark.parametrize("node", ["element_A", "element_B", "index"])
def test_nodes_by_locality_match_r(by_locality, expected, node, locality):
    """R 4.2, survey 4.1-1, reference_sipas.R on sipas_synthetic.csv: the same
    nodes with dom = (locality == L) on the full design."""
    key = f"{node}_by_locality_{locality}"
    _assert_matches(by_locality[key], expected[key])


def test_raked_index_matches_r(sipas_design, expected):
    """R 4.2, survey 4.1-1, reference_sipas.R on sipas_synthetic.csv:
    rake(des, list(~gender, ~age_band), ..., epsilon=1e-10) then the index
    with SE(svytotal(~z__, raked)) using calibration residuals."""
    raked = rake(sipas_design, expected["raked_margins"], tol=1e-10, maxit=100)
    index = _by_key(index_nodes(raked, SIPAS_ELEMENTS, interval="logit"))["index"]
    _assert_matches(index, expected["raked_index"])


def test_every_reported_value_is_checked(overall, by_locality, expected):
    """Every estimate record in expected.json has a counterpart here."""
    records = {k for k, v in expected.items() if isinstance(v, dict) and "estimate" in v}
    assert records - {"raked_index"} <= set(overall) | set(by_locality)


def test_nested_tree_is_weighted_mean_of_children(sipas_design):
    """A field node with weights 3:1 equals 0.75 A + 0.25 B, and its SE is a
    variance of that combination, not of the parts."""
    tree = {"field": {"A": SIPAS_ELEMENTS["A"], "B": SIPAS_ELEMENTS["B"]}, "C": ["q1"]}
    results = _by_key(index_nodes(sipas_design, tree, weights={"A": 3, "B": 1}))
    assert results["field"].estimate == pytest.approx(
        0.75 * results["element_A"].estimate + 0.25 * results["element_B"].estimate, rel=1e-12)
    assert results["index"].estimate == pytest.approx(
        0.5 * results["field"].estimate + 0.5 * results["share_q1"].estimate, rel=1e-12)
    assert results["field"].statistic == "node"
    a, b = results["element_A"].se, results["element_B"].se
    assert results["field"].se < 0.75 * a + 0.25 * b  # imperfect correlation


def test_zero_and_blank_are_no_answer_for_that_item_only(sipas_data):
    """Blanking q1 on a row removes it from q1's share only."""
    from analysis import Design
    data = sipas_data.copy()
    data["q1"] = data["q1"].astype(float)
    data.loc[0, "q1"] = np.nan
    design = Design.from_frame(data, weight="weight", strata="locality", cluster="psu")
    results = _by_key(index_nodes(design, SIPAS_ELEMENTS))
    assert results["share_q1"].n == int((sipas_data["q1"] > 0).sum()) - 1
    assert results["share_q2"].n == int((sipas_data["q2"] > 0).sum())
    assert results["index"].n == len(sipas_data)


def test_answer_outside_scale_names_column_and_row(sipas_data):
    from analysis import Design
    data = sipas_data.copy()
    data.loc[4, "q3"] = 7
    design = Design.from_frame(data, weight="weight")
    with pytest.raises(DesignError, match=r"column 'q3' row 5: answer 7 is not 0-5"):
        index_nodes(design, SIPAS_ELEMENTS)


def test_element_without_items_is_refused(sipas_design):
    with pytest.raises(DesignError, match="element 'A' must list at least one item"):
        index_nodes(sipas_design, {"A": []})


def test_element_named_like_the_index_is_refused(sipas_design):
    """Two records named 'index' (an element and the index) used to come out."""
    with pytest.raises(DesignError, match="element name 'index' is taken by the index itself"):
        index_nodes(sipas_design, {"index": ["q2"]})


def test_node_names_must_be_unique_across_the_tree():
    tree = {"field": {"A": ["q1", "q2"], "B": ["q3"]}, "A": ["q4"]}
    with pytest.raises(DesignError, match="two elements or nodes of the index tree are named 'A'"):
        parse_tree(tree)


def test_item_listed_twice_in_an_element_is_refused(sipas_design):
    """A repeated item would silently count double in its element."""
    with pytest.raises(DesignError, match="element 'A' lists item 'q1' twice"):
        index_nodes(sipas_design, {"A": ["q1", "q2", "q1"]})
