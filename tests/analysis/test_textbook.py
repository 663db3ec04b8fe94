"""Published worked examples: the California API samples of Lumley's *Complex Surveys*.

The numbers are those printed by ``example(api)`` in R's survey package
(tests/api.Rout.save in the package sources) and in Lumley, *Complex Surveys*
(Wiley 2010), ch. 2.  ``print.svystat`` shows them to about five significant
digits with its own column formatting (R prints SE 23.921 for 23.92049), so
the tolerance is one unit in the last printed digit.  The data are the package's
``apistrat`` and ``apiclus1`` exported by tests/data/api_export.R.
"""

from math import floor, log10
from pathlib import Path

import pandas as pd
import pytest

from analysis import Design, mean, poststratify, total

DATA = Path(__file__).resolve().parents[1] / "data"
POPULATION_BY_SCHOOL_TYPE = {"E": 4421, "H": 755, "M": 1018}  # table(apipop$stype)


def _printed(value: float, digits: int = 5):
    """pytest.approx for a number printed with ``digits`` significant digits."""
    return pytest.approx(value, abs=10 ** (floor(log10(abs(value))) - digits + 1))


@pytest.fixture(scope="module")
def stratified():
    data = pd.read_csv(DATA / "apistrat.csv")
    return Design.from_frame(data, weight="pw", strata="stype", fpc="fpc")


@pytest.fixture(scope="module")
def one_stage_cluster():
    data = pd.read_csv(DATA / "apiclus1.csv")
    return Design.from_frame(data, weight="pw", cluster="dnum", fpc="fpc")


def test_stratified_sample(stratified):
    """svydesign(id=~1, strata=~stype, weights=~pw, fpc=~fpc): api00 662.29 (SE 9.4089),
    enroll total 3687178 (SE 114642)."""
    m, t = mean(stratified, "api00")[0], total(stratified, "enroll")[0]
    assert (m.estimate, m.se) == (_printed(662.29), _printed(9.4089))
    assert (t.estimate, t.se) == (_printed(3687178, 7), _printed(114642, 6))


def test_one_stage_cluster_sample(one_stage_cluster):
    """svydesign(id=~dnum, weights=~pw, fpc=~fpc): api00 644.17 (SE 23.542),
    enroll total 3404940 (SE 932235)."""
    m, t = mean(one_stage_cluster, "api00")[0], total(one_stage_cluster, "enroll")[0]
    assert (m.estimate, m.se) == (_printed(644.17), _printed(23.542))
    assert (t.estimate, t.se) == (_printed(3404940, 7), _printed(932235, 6))


def test_post_stratified_cluster_sample(one_stage_cluster):
    """postStratify(dclus1, ~stype, pop.types): api00 642.31 (SE 23.921),
    enroll total 3680893 (SE 406293)."""
    design = poststratify(one_stage_cluster, "stype", POPULATION_BY_SCHOOL_TYPE)
    m, t = mean(design, "api00")[0], total(design, "enroll")[0]
    assert (m.estimate, m.se) == (_printed(642.31), _printed(23.921))
    assert (t.estimate, t.se) == (_printed(3680893, 7), _printed(406293, 6))
