"""The report's statistics: node design effects, the reliability rule, ranks and groups."""

import pytest

from analysis import Design, index_nodes, parse_tree
from analysis.report import design_effect, node_srs_variances, quartile_groups, ranks, reliability


@pytest.mark.parametrize("case, n, eff_n, estimate, low, high, cv, reasons", [
    ("fine", 200, 120, 0.80, 0.75, 0.85, 0.03, ()),
    ("few responses", 29, 29, 0.80, 0.70, 0.90, 0.05, ("n", "effective_n")),
    ("n 30 but deff large", 30, 12, 0.80, 0.70, 0.90, 0.05, ("effective_n",)),
    ("cv over 20%", 300, 200, 0.10, 0.05, 0.15, 0.21, ("cv",)),
    ("cv exactly 20% passes", 300, 200, 0.10, 0.05, 0.15, 0.20, ()),
    ("ci 30 points wide", 300, 200, 0.60, 0.45, 0.75, 0.10, ("ci_width",)),
    ("ci 29 points wide passes", 300, 200, 0.60, 0.455, 0.745, 0.10, ()),
    ("relative width over 130%", 300, 200, 0.05, 0.00, 0.07, 0.19, ("relative_ci_width",)),
    ("no responses", 0, None, None, None, None, None, ("no_responses",)),
])
def test_reliability_rule_on_crafted_localities(case, n, eff_n, estimate, low, high, cv, reasons):
    """Each line is one clause of the rule: n < 30, CV > 20%, NCHS effective n < 30,
    CI width >= 30 points, CI width > 130% of the estimate."""
    rule = reliability(n, eff_n, estimate, low, high, cv)
    assert rule.reasons == reasons, case
    assert rule.reliable == (not reasons)


def test_ranks_share_ties_and_skip_unreliable():
    assert ranks([0.8, None, 0.9, 0.8]) == [2, None, 1, 2]


def test_quartile_groups():
    values = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, None]
    assert quartile_groups(values) == [4, 4, 3, 3, 2, 2, 1, 1, None]


def test_single_item_node_deff_equals_svymean_deff(sipas_data):
    """Identity: an element of one item has the deff and n of the item's share, which
    analysis.sipas computes as R's svymean(deff = TRUE) on the answering responses."""
    data = sipas_data
    design = Design.from_frame(data, weight="weight", strata="locality", cluster="psu")
    root = parse_tree({"A": ["q1"], "B": ["q2", "q3"]})
    results = {(r.domain, r.name, r.statistic): r for r in index_nodes(design, root, by="locality", overall=True)}
    srs = node_srs_variances(design, root, by="locality")
    share, element = results[(None, "q1", "share")], results[(None, "A", "element")]
    assert design_effect(element.se ** 2, srs[(None, "A")][1]) == pytest.approx(share.deff, rel=1e-9)
    assert srs[(None, "A")][0] == share.n < len(data)
    domain = (("locality", "L01"),)
    share, element = results[(domain, "q1", "share")], results[(domain, "A", "element")]
    assert design_effect(element.se ** 2, srs[("L01", "A")][1]) == pytest.approx(share.deff, rel=1e-9)


def test_unweighted_design_gets_the_with_replacement_deff(sipas_data):
    """A wave without dossier counts has all weights 1, so sum(w) = n and R's default deff
    (SRS without replacement from a population of sum(w)) is undefined. The report then uses
    R's deff = "replace": for one item, one stratum and each response its own PSU, 1 up to the
    design's m/(m-1) over the answering n/(n-1) (m responses, n of them answering the item)."""
    data = sipas_data.assign(weight=1.0, one=1, row=range(len(sipas_data)))
    design = Design.from_frame(data, weight="weight", strata="one", cluster="row")
    root = parse_tree({"A": ["q1"], "B": ["q2", "q3"]})
    results = {(r.domain, r.name, r.statistic): r for r in index_nodes(design, root, overall=True)}
    n, variance = node_srs_variances(design, root)[(None, "A")]
    assert n == results[(None, "q1", "share")].n
    m = len(data)
    expected = (m / (m - 1)) / (n / (n - 1))
    assert design_effect(results[(None, "A", "element")].se ** 2, variance) == pytest.approx(expected, rel=1e-9)
