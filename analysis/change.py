"""Change between two waves: a design-based test for independent samples.

Two waves are separate samples, so stacking them as one design with the
wave as an extra stratification level makes their estimates independent:
``var(b - a) = var(a) + var(b)`` and the degrees of freedom add, ``df_a + df_b``
(PSUs minus strata over both waves; Lohr, *Sampling: Design and Analysis*,
ch. 3 on strata; Lumley, *Complex Surveys*, ch. 2 — ``svycontrast`` on a
stacked design gives the same numbers).  The test statistic
``t = (b - a) / se`` is referred to Student's t on those df; the interval is
``(b - a) +/- t(df) * se``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import special  # Student's t without importing scipy.stats (a second at start-up)

SIGNIFICANCE = 0.05


@dataclass(frozen=True)
class Change:
    """The change of one estimate from the previous wave to this one."""

    previous_wave: str
    previous: float
    current: float
    difference: float
    se: float
    ci_low: float
    ci_high: float
    t: float
    df: int
    p_value: float
    level: float

    @property
    def significant(self) -> bool:
        """Whether the change is significant at 1 - level."""
        return self.p_value < 1 - self.level

    def as_dict(self) -> dict:
        """A JSON-ready record."""
        record = {k: getattr(self, k) for k in ("previous_wave", "previous", "current", "difference",
                                                 "se", "ci_low", "ci_high", "t", "df", "p_value",
                                                 "level")}
        record["significant"] = self.significant
        return record


def independent_change(previous_wave: str, previous: float, previous_se: float, previous_df: int,
                       current: float, current_se: float, current_df: int, *,
                       level: float = 1 - SIGNIFICANCE) -> Change:
    """Test ``current - previous`` for two independent design-based estimates."""
    difference = current - previous
    se = math.sqrt(previous_se ** 2 + current_se ** 2)
    df = int(previous_df + current_df)
    q = special.stdtrit(df, 0.5 + level / 2) if df > 0 else math.nan
    t = difference / se if se > 0 else math.nan
    p = float(2 * special.stdtr(df, -abs(t))) if se > 0 and df > 0 else math.nan
    return Change(previous_wave, float(previous), float(current), float(difference), se,
                  float(difference - q * se), float(difference + q * se), float(t), df, p, level)
