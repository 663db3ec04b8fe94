"""Design-based survey estimation that matches R's ``survey`` package.

``analysis`` is a pure library: it imports nothing from ``survey/`` and runs
on an exported CSV alone (``python -m analysis --help``).  Its entry points (the
command line, the tests and the web app call them):

``estimate(data, variables, stat="mean"|"total"|"proportion", *, weight=None,
strata=None, cluster=None, fpc=None, by=None, rake=None, success=None,
level=0.95, overall=False) -> list[Estimate]``
    Like ``svymean`` / ``svytotal`` / ``svyciprop(method="logit")``, by
    domain like ``svyby`` when ``by`` names a column (``overall=True`` adds
    the whole-population row first).

``estimate_index(data, tree, *, weights=None, weight=None, strata=None,
cluster=None, fpc=None, by=None, rake=None, level=0.95, overall=False,
meanscores=False) -> list[Estimate]``
    SIPAS item shares, (mean scores,) elements, higher nodes and the index.
    ``tree`` is ``{"A": ["q1", "q2"], "B": ["q3"]}`` (elements of items) or
    nested ``{"field": {"A": [...], ...}, ...}``; ``weights`` maps node names
    to weights among siblings (default equal).

``rake`` is ``{column: {level: population total}}``.  ``to_records(results)``
gives JSON-ready dicts and ``to_frame(results)`` a table.  Each ``Estimate``
carries ``name, statistic, domain, estimate, se, ci_low, ci_high, df, deff,
cv, n, method, level``.  Errors in the data raise ``DesignError`` (a
``ValueError``) whose message names the column and row.

``par_score(data, criteria, *, group="group", population=None, level=0.95,
min_cell=5) -> ParReport``
    The PAR Index leaders' score: criterion points (maximum x mean share of
    the graded answers), field sums and the block total with a 95% CI, leaders
    a stratified sample by group (fpc = invited count), an "E counted as 0"
    line, and cells under ``min_cell`` leaders suppressed.

Lower level: ``Design.from_frame`` then ``mean``/``total``/``proportion``/
``ratio``/``index_nodes`` on the design; ``rake``/``poststratify``/
``trim_weights`` return new designs; ``linearize`` finishes estimates from
per-PSU sums computed elsewhere (e.g. SQL, see ``docs/analysis.md``).
"""

from analysis.api import estimate, estimate_index, make_design
from analysis.calibration import CalibrationError, poststratify, rake, trim_weights
from analysis.design import Design, DesignError
from analysis.estimators import mean, proportion, ratio, total
from analysis.linearization import CellCalibration, Combination, GroupSums, Linearized, StrataInfo, linearize
from analysis.par import Criterion, ParReport, par_score
from analysis.results import Estimate, to_frame, to_records
from analysis.sipas import index_nodes, parse_tree

__all__ = [
    "estimate", "estimate_index", "make_design", "Design", "DesignError", "CalibrationError",
    "mean", "total", "proportion", "ratio", "rake", "poststratify", "trim_weights",
    "index_nodes", "parse_tree", "Estimate", "to_frame", "to_records", "linearize",
    "GroupSums", "StrataInfo", "Combination", "CellCalibration", "Linearized",
    "Criterion", "ParReport", "par_score",
]
