"""A synthetic analysis frame of the shape ``survey.frame.load.analysis_frame`` returns.

Used by the report tests and the report benchmark when no database is
involved: localities differ in level, some are thin, items correlate through
a per-response latent satisfaction.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SERVICE = {"access": ["tc1", "tc2", "tc3", "tc4"], "procedures": ["tt1", "tt2", "tt3", "tt4"],
           "civil_servants": ["cc1", "cc2", "cc3", "cc4", "cc5"], "results": ["kq1", "kq2", "kq3"],
           "feedback": ["gy1", "gy2", "gy3"]}
POLICY = {"accountability": ["cs_gt1", "cs_gt2"], "participation": ["cs_tg1", "cs_tg2"],
          "suitability": [f"cs_ph{k}" for k in range(1, 10)], "results_impact": ["cs_kq1", "cs_kq2"]}
ITEMS = [i for group in (SERVICE, POLICY) for items in group.values() for i in items]


def localities(count: int) -> list[tuple[str, str, str]]:
    """``(code, name, kind)`` for ``count`` localities plus the provincial centre ``TINH``."""
    out = [(f"X{k:03d}", f"Xã {k:03d}", "xa") for k in range(1, count + 1)]
    return out + [("TINH", "Trung tâm Phục vụ hành chính công tỉnh", "tinh")]


def make_frame(n: int, n_localities: int = 102, *, seed: int = 1, thin: int = 3, shift: float = 0.0,
               empty: int = 0) -> pd.DataFrame:
    """``n`` responses over the localities; ``thin`` localities get ~10 responses, ``empty`` none."""
    rng = np.random.default_rng(seed)
    codes = [c for c, _, _ in localities(n_localities)]
    names = {c: name for c, name, _ in localities(n_localities)}
    kinds = {c: kind for c, _, kind in localities(n_localities)}
    used = codes[: len(codes) - empty] if empty else codes
    share = np.ones(len(used))
    share[:thin] = 0.0
    share /= share.sum()
    loc = rng.choice(len(used), size=n, p=share)
    thin_rows = min(n // 10, 10 * thin)
    loc[:thin_rows] = np.arange(thin_rows) % max(thin, 1) if thin else loc[:thin_rows]
    locality = np.asarray(used)[loc]
    level = rng.normal(0.8, 0.5, len(used))[loc] + shift
    desk = rng.integers(0, 3, n)
    day = rng.integers(0, 20, n)
    latent = level + rng.normal(0, 0.9, n) + 0.4 * rng.normal(0, 1, len(used) * 60)[loc * 60 + day * 3 % 60]
    frame = pd.DataFrame({
        "response_id": np.arange(1, n + 1),
        "centre_code": [f"{c}-C{d}" for c, d in zip(locality, desk % 2, strict=False)],
        "locality_code": locality, "locality_name": [names[c] for c in locality],
        "locality_kind": [kinds[c] for c in locality], "stratum": locality,
        "psu": [f"{c}-D{d}-{t:02d}" for c, d, t in zip(locality, desk, day, strict=False)],
        "field_code": rng.choice(["dat_dai", "tu_phap", "kinh_doanh"], n), "channel": "desk",
        "quality_flags": [["burst"] if r < 0.01 else [] for r in rng.random(n)],
        "design_weight": rng.uniform(5, 40, n),
    })
    columns = {}
    for element_shift, items in zip(rng.normal(0, 0.3, len(SERVICE) + len(POLICY)),
                                    list(SERVICE.values()) + list(POLICY.values()), strict=False):
        for item in items:
            score = np.clip(np.round(3.4 + latent + element_shift + rng.normal(0, 0.8, n)), 1, 5)
            columns[item] = score
    gave_no_feedback = rng.random(n) < 0.7  # only those who gave feedback answer its items
    for item in SERVICE["feedback"]:
        columns[item][gave_no_feedback] = np.nan
    policy_skipped = rng.random(n) < 0.4
    for items in POLICY.values():
        for item in items:
            columns[item][policy_skipped] = np.nan
    columns["harassment"] = np.where(rng.random(n) < 0.06, 2.0, 1.0)
    columns["informal_payment"] = np.where(rng.random(n) < 0.03, 2.0, 1.0)
    return pd.concat([frame, pd.DataFrame(columns)], axis=1)
