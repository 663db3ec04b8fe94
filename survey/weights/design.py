"""Design weights from dossier counts: cell = centre × field × quarter, thin cells collapsed.

For a response r in cell c (its centre, its field, the wave's quarter):

    w_r = N_c / n_c

where N_c is the number of dossiers resolved in the cell (số hồ sơ đã giải quyết) and n_c the
number of valid responses in it. A cell with n_c < k (k = `min_cell`, default 5) — including
a field with dossiers and no response, and responses in a field with no dossiers — is thin:

1. the thin fields of the centre are pooled into one cell (N and n summed over them);
2. if the pool is still thin (n < k) or has no dossiers, the whole centre is one cell.

A centre with responses but no dossiers in a weighted quarter cannot be weighted and its
responses are left out (`no_counts`); a centre with dossiers but no response is reported as
not represented. The weights of the kept responses sum to the dossiers of the centres that
have responses. See docs/methodology.md (Lohr, *Sampling: Design and Analysis*, §8.5 on
weighting-class adjustments and collapsing cells).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from survey.weights.report import Collapse

NO_FIELD = ""  # responses without a field are always in a thin cell of their centre

FIELD, POOLED, CENTRE = "field", "centre_fields", "centre"


@dataclass(frozen=True)
class CellWeights:
    weights: np.ndarray  # one per response; NaN where the centre has no dossiers
    collapses: list[Collapse]
    uncovered: dict[str, int]
    total_dossiers: int


def cell_weights(centres: pd.Series, fields: pd.Series, counts: pd.DataFrame, min_cell: int) -> CellWeights:
    """Weights for responses at `centres` × `fields` from `counts` (centre_code, field_code, dossiers)."""
    if min_cell < 1:
        raise ValueError("the minimum cell size must be at least 1")
    sample = pd.DataFrame({"centre": centres.to_numpy(dtype=object),
                           "field": fields.fillna(NO_FIELD).to_numpy(dtype=object)})
    n = sample.groupby(["centre", "field"], sort=False).size().rename("n")
    dossiers = counts.groupby(["centre_code", "field_code"])["dossiers"].sum()
    dossiers.index.names = ["centre", "field"]
    cells = pd.concat([n, dossiers.rename("N")], axis=1).fillna(0).astype({"n": int, "N": int}).reset_index()
    cells["thin"] = cells["n"] < min_cell
    cells["n_thin"] = cells["n"].where(cells["thin"], 0)
    cells["N_thin"] = cells["N"].where(cells["thin"], 0)
    by_centre = cells.groupby("centre")
    cells["n_pool"] = by_centre["n_thin"].transform("sum")
    cells["N_pool"] = by_centre["N_thin"].transform("sum")
    cells["n_centre"] = by_centre["n"].transform("sum")
    cells["N_centre"] = by_centre["N"].transform("sum")
    pool_fails = (cells["n_pool"] < min_cell) | (cells["N_pool"] == 0)
    centre_level = by_centre["thin"].transform("any") & pool_fails
    cells["level"] = np.where(centre_level, CENTRE, np.where(cells["thin"], POOLED, FIELD))
    numerator = np.select([cells["level"] == FIELD, cells["level"] == POOLED],
                          [cells["N"], cells["N_pool"]], cells["N_centre"]).astype(float)
    denominator = np.select([cells["level"] == FIELD, cells["level"] == POOLED],
                            [cells["n"], cells["n_pool"]], cells["n_centre"]).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        cell_weight = np.where((numerator > 0) & (denominator > 0), numerator / denominator, np.nan)
    cells["weight"] = cell_weight
    collapses = [
        Collapse(centre=str(r.centre), field=r.field or None, from_level=FIELD, to_level=r.level,
                 n=int(r.n), dossiers=int(r.N))
        for r in cells.itertuples()
        if r.level != FIELD and (r.n > 0 or r.N > 0) and r.N_centre > 0 and r.n_centre > 0
    ]
    uncovered = {str(c): int(d) for c, d in
                 cells.groupby("centre").agg(n=("n", "sum"), N=("N", "sum")).query("n == 0 and N > 0")["N"].items()}
    lookup = cells.set_index(["centre", "field"])["weight"]
    weights = lookup.reindex(pd.MultiIndex.from_frame(sample)).to_numpy(dtype=float)
    return CellWeights(weights, collapses, uncovered, int(cells["N"].sum()))
