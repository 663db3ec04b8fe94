"""One-call entry points: a data frame in, results out.

The CLI and the web app (the officers' locality summary) call them; the quarterly report
uses the lower-level modules (``analysis.sipas``, ``analysis.drivers``) directly.

Each call builds the design (R's ``svydesign``), optionally rakes it to
known margins (R's ``rake``), and estimates; see ``analysis.design``,
``analysis.calibration``, ``analysis.estimators`` and ``analysis.sipas`` for
the formulas and their sources (Lumley, *Complex Surveys*; Lohr, *Sampling:
Design and Analysis*; Deville & Särndal 1992).
"""

from __future__ import annotations

from typing import Mapping, Sequence

import pandas as pd

from analysis import estimators
from analysis.calibration import rake as rake_design
from analysis.design import Design, DesignError
from analysis.results import Estimate
from analysis.sipas import index_nodes

STATISTICS = ("mean", "total", "proportion")


def make_design(data: pd.DataFrame, *, weight: str | None = None, strata: str | None = None,
                cluster: str | None = None, fpc: str | None = None,
                rake: Mapping[str, Mapping] | None = None) -> Design:
    """The design for ``data``, raked to ``rake = {column: {level: total}}`` if given."""
    design = Design.from_frame(data, weight=weight, strata=strata, cluster=cluster, fpc=fpc)
    return design if rake is None else rake_design(design, rake)


def estimate(data: pd.DataFrame, variables: str | Sequence[str], stat: str = "mean", *,
             weight: str | None = None, strata: str | None = None, cluster: str | None = None,
             fpc: str | None = None, by: str | None = None, rake: Mapping[str, Mapping] | None = None,
             success=None, level: float = 0.95, overall: bool = False,
             interval: str = "beta") -> list[Estimate]:
    """Means, totals or proportions of ``variables``, overall or by domain.

    ``interval`` applies to proportions: ``"beta"`` (Korn–Graubard) or ``"logit"``.
    """
    if stat not in STATISTICS:
        raise DesignError(f"unknown statistic '{stat}'; use one of {', '.join(STATISTICS)}")
    if success is not None and stat != "proportion":
        raise DesignError(f"success= is only for stat='proportion', not '{stat}'")
    _check_level(level)
    design = make_design(data, weight=weight, strata=strata, cluster=cluster, fpc=fpc, rake=rake)
    if stat == "proportion":
        return estimators.proportion(design, variables, success=success, by=by, level=level,
                                     overall=overall, interval=interval)
    return getattr(estimators, stat)(design, variables, by=by, level=level, overall=overall)


def estimate_index(data: pd.DataFrame, tree: Mapping, *, weights: Mapping[str, float] | None = None,
                   weight: str | None = None, strata: str | None = None, cluster: str | None = None,
                   fpc: str | None = None, by: str | None = None,
                   rake: Mapping[str, Mapping] | None = None, level: float = 0.95,
                   overall: bool = False, meanscores: bool = False,
                   interval: str = "beta") -> list[Estimate]:
    """Item shares, elements, higher nodes and the index of the SIPAS tree (``interval`` as ``index_nodes``)."""
    _check_level(level)
    design = make_design(data, weight=weight, strata=strata, cluster=cluster, fpc=fpc, rake=rake)
    return index_nodes(design, tree, weights=weights, by=by, level=level, overall=overall,
                       meanscores=meanscores, interval=interval)


def _check_level(level: float) -> None:
    if not 0 < level < 1:
        raise DesignError(f"confidence level {level} must lie strictly between 0 and 1")
