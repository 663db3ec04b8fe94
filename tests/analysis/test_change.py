"""The change test between two independent waves."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis import Design, mean
from analysis.change import independent_change


def test_hand_checkable_case():
    """0.80 (se 0.03, df 20) to 0.84 (se 0.04, df 30): se = sqrt(0.0009 + 0.0016) = 0.05,
    t = 0.04 / 0.05 = 0.8, df = 50; p = 2 * P(T_50 > 0.8), computed by hand from the t table
    as 0.4275 (scipy gives 0.42750...)."""
    change = independent_change("2026Q3", 0.80, 0.03, 20, 0.84, 0.04, 30)
    assert change.difference == pytest.approx(0.04)
    assert change.se == pytest.approx(0.05)
    assert change.t == pytest.approx(0.8)
    assert change.df == 50
    assert change.p_value == pytest.approx(0.4275, abs=5e-4)
    assert not change.significant
    half = stats.t.ppf(0.975, 50) * 0.05
    assert (change.ci_low, change.ci_high) == pytest.approx((0.04 - half, 0.04 + half))


def test_equals_a_stacked_design():
    """Identity: the difference of two waves' means equals the contrast on the stacked design
    with wave-by-stratum strata, whose variance is the sum and whose df is the sum."""
    rng = np.random.default_rng(7)
    frames = []
    for wave, shift in (("A", 0.0), ("B", 0.3)):
        n = 400
        frames.append(pd.DataFrame({
            "wave": wave, "stratum": rng.integers(0, 4, n), "psu": rng.integers(0, 10, n),
            "w": rng.uniform(1, 3, n), "y": rng.normal(3 + shift, 1, n)}))
    per_wave = {}
    for frame in frames:
        design = Design.from_frame(frame, weight="w", strata="stratum", cluster="psu")
        per_wave[frame["wave"].iloc[0]] = (mean(design, "y")[0], design.df)
    stacked = pd.concat(frames, ignore_index=True)
    stacked["wave_stratum"] = stacked["wave"] + stacked["stratum"].astype(str)
    design = Design.from_frame(stacked, weight="w", strata="wave_stratum", cluster="psu")
    by_wave = {r.domain[0][1]: r for r in mean(design, "y", by="wave")}
    (a, df_a), (b, df_b) = per_wave["A"], per_wave["B"]
    change = independent_change("A", a.estimate, a.se, df_a, b.estimate, b.se, df_b)
    # each wave's domain estimate on the stacked design is the wave's own estimate
    assert by_wave["B"].estimate - by_wave["A"].estimate == pytest.approx(change.difference)
    assert math.hypot(by_wave["A"].se, by_wave["B"].se) == pytest.approx(change.se, rel=1e-9)
    assert design.df == change.df
    assert change.significant
