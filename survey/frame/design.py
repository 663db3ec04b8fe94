"""Design weights from dossier counts: cell = centre × field × quarter, thin cells collapsed.

For a response r in cell c (its centre, its field, the wave's quarter):

    w_r = N_c / n_c

where N_c is the number of dossiers resolved in the cell (số hồ sơ đã giải quyết) and n_c the
number of valid responses in it. A cell is *adequate* when n_c ≥ k (k = `min_cell`, default
5) and N_c > 0; any other cell — a field with dossiers and no response, responses in a field
with no dossiers, a field with a handful of responses — is *thin*. The thin cells of a centre
go to the nearest adequate level, tried in this order:

1. the thin fields of the centre are pooled into one cell (N and n summed over them);
2. if the pool is still thin, it joins the centre's adequate field of the same family
   (survey.frame.families) with the most responses;
3. if no adequate field shares the family, it joins the centre's adequate field with the most
   responses;
4. only a centre without any adequate field is one cell as a whole.

Adequate fields never pooled keep their own weight. Every merged cell's weights add up to its
dossiers, so every centre's weights add up to the centre's dossiers. A centre with responses
but no dossiers in a weighted quarter cannot be weighted and its responses are left out
(`no_counts`); a centre with dossiers but no response is reported as not represented.
See docs/methodology.md (Lohr, *Sampling: Design and Analysis*, §8.5 on weighting-class
adjustments; Kalton & Flores-Cervantes 2003, *J. Official Statistics* 19(2), on collapsing
weighting classes with similar ones).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np
import pandas as pd

from survey.frame.report import (
    CENTRE,
    COLLAPSE_KINDS,
    COLLAPSE_KINDS_VI,
    FAMILY,
    FIELD,
    LARGEST,
    POOLED,
    Collapse,
    CollapseKind,
    CollapseSummary,
)

__all__ = ["CENTRE", "FAMILY", "FIELD", "LARGEST", "NO_FIELD", "POOLED", "CellWeights", "cell_weights"]

NO_FIELD = ""  # responses without a field: always a thin cell of their centre, of no family


@dataclass(frozen=True)
class CellWeights:
    weights: np.ndarray  # one per response; NaN where the centre has no dossiers
    collapses: list[Collapse]
    uncovered: dict[str, int]
    total_dossiers: int
    summary: CollapseSummary


def cell_weights(centres: pd.Series, fields: pd.Series, counts: pd.DataFrame, min_cell: int,
                 families: Mapping[str, str] | None = None) -> CellWeights:
    """Weights for responses at `centres` × `fields` from `counts` (centre_code, field_code,
    dossiers); `families` maps a field code to its family (an unlisted field is its own)."""
    if min_cell < 1:
        raise ValueError("the minimum cell size must be at least 1")
    families = families or {}
    sample = pd.DataFrame({"centre": centres.to_numpy(dtype=object),
                           "field": fields.fillna(NO_FIELD).to_numpy(dtype=object)})
    n = sample.groupby(["centre", "field"], sort=False).size().rename("n")
    dossiers = counts.groupby(["centre_code", "field_code"])["dossiers"].sum()
    dossiers.index.names = ["centre", "field"]
    cells = pd.concat([n, dossiers.rename("N")], axis=1).fillna(0).astype({"n": int, "N": int})
    cells = cells[(cells["n"] > 0) | (cells["N"] > 0)].reset_index()  # a count of 0 with no response is no cell
    cells["family"] = [None if f == NO_FIELD else families.get(f, f) for f in cells["field"]]
    plan = _Plan.of(cells, min_cell)
    n_group = np.bincount(plan.group, weights=cells["n"], minlength=len(cells))[plan.group]
    N_group = np.bincount(plan.group, weights=cells["N"], minlength=len(cells))[plan.group]
    with np.errstate(divide="ignore", invalid="ignore"):
        cells["weight"] = np.where((N_group > 0) & (n_group > 0), N_group / n_group, np.nan)
    # dossiers of a cell that the responses of another cell now carry
    cells["moved"] = np.clip(cells["N"] - cells["n"] * cells["weight"].fillna(0.0), 0.0, None)
    cells["level"], cells["group_level"], cells["into"] = plan.level, plan.group_level, plan.into
    by_centre = cells.groupby("centre")
    weighted = (by_centre["n"].transform("sum") > 0) & (by_centre["N"].transform("sum") > 0)
    collapsed = cells[(cells["level"] != FIELD) & weighted]
    collapses = [Collapse(centre=str(r.centre), field=r.field or None, from_level=FIELD, to_level=r.level,
                          n=int(r.n), dossiers=int(r.N), into=r.into if isinstance(r.into, str) else None,
                          weight=float(r.weight))
                 for r in collapsed.itertuples()]
    uncovered = {str(c): int(d) for c, d in
                 by_centre.agg(n=("n", "sum"), N=("N", "sum")).query("n == 0 and N > 0")["N"].items()}
    lookup = cells.set_index(["centre", "field"])["weight"]
    weights = lookup.reindex(pd.MultiIndex.from_frame(sample)).to_numpy(dtype=float)
    merged = cells[weighted & (cells["group_level"] != FIELD)]
    summary = _summary(collapsed, merged, int(cells.loc[weighted, "N"].sum()))
    return CellWeights(weights, collapses, uncovered, int(cells["N"].sum()), summary)


@dataclass(frozen=True)
class _Plan:
    """Per cell (positions of `cells`): its merged cell's id, its level, the level of its
    merged cell (an adequate field joined by a pool has level FIELD, group level FAMILY or
    LARGEST), and the field its pool joined."""

    group: np.ndarray
    level: np.ndarray
    group_level: np.ndarray
    into: np.ndarray

    @classmethod
    def of(cls, cells: pd.DataFrame, min_cell: int) -> _Plan:
        count = len(cells)
        plan = cls(np.arange(count), np.full(count, FIELD, dtype=object), np.full(count, FIELD, dtype=object),
                   np.full(count, None, dtype=object))
        n, N = cells["n"].to_numpy(), cells["N"].to_numpy()
        adequate = (n >= min_cell) & (N > 0)
        for rows in cells.groupby("centre", sort=False).indices.values():
            thin = rows[~adequate[rows]]
            if not len(thin):
                continue
            good = rows[adequate[rows]]
            if not len(good):
                members, level, host = rows, CENTRE, None
            elif n[thin].sum() >= min_cell and N[thin].sum() > 0:
                members, level, host = thin, POOLED, None
            else:
                host, same_family = _most_similar(cells, thin, good)
                members, level = np.append(thin, host), FAMILY if same_family else LARGEST
            plan.group[members] = members[0]
            plan.group_level[members] = level
            plan.level[thin] = level
            if host is not None:
                plan.into[thin] = cells["field"].iat[host]
        return plan


def _most_similar(cells: pd.DataFrame, thin: np.ndarray, good: np.ndarray) -> tuple[int, bool]:
    """The adequate cell a still-thin pool joins, and whether it is of the pool's family.

    The pool's family is the one holding most of its dossiers (then responses); among the
    adequate cells of that family — or, if none, all adequate cells of the centre — the one
    with the most responses, whose weight the pool changes least.
    """
    pool = cells.iloc[thin].dropna(subset=["family"])
    family = None
    if len(pool):
        sizes = pool.groupby("family")[["N", "n"]].sum()
        family = sizes.sort_values(["N", "n"], ascending=False, kind="stable").index[0]
    candidates = cells.iloc[good]
    same = candidates[candidates["family"] == family] if family is not None else candidates.iloc[:0]
    chosen = (same if len(same) else candidates).sort_values(["n", "N", "field"], ascending=[False, False, True],
                                                              kind="stable")
    return int(chosen.index[0]), bool(len(same))  # `cells` has a RangeIndex: the label is the position


def _summary(collapsed: pd.DataFrame, merged: pd.DataFrame, weighted_dossiers: int) -> CollapseSummary:
    """The collapse table: per kind, the thin cells and what their collapsing moved."""
    rows = []
    for kind in COLLAPSE_KINDS:
        thin = collapsed[collapsed["level"] == kind]
        group = merged[merged["group_level"] == kind]
        rows.append(CollapseKind(kind=kind, label_vi=COLLAPSE_KINDS_VI[kind], cells=len(thin),
                                 centres=thin["centre"].nunique(), responses=int(thin["n"].sum()),
                                 dossiers=int(thin["N"].sum()), responses_reweighted=int(group["n"].sum()),
                                 weight_moved=float(group["moved"].sum())))
    moved = float(merged["moved"].sum())
    share = moved / weighted_dossiers if weighted_dossiers else 0.0
    return CollapseSummary(kinds=tuple(rows), cells=len(collapsed), centres=collapsed["centre"].nunique(),
                           responses=int(collapsed["n"].sum()), responses_reweighted=int(merged["n"].sum()),
                           weight_moved=moved, weight_moved_share=share)
