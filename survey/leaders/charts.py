"""The PAR score report's charts: points earned against the maximum, by field (lĩnh vực) and by
respondent group, drawn from the report document (`survey.leaders.scores.par_document`) only.

They follow the citizens' report's charts (survey.reports.charts: matplotlib's Agg backend,
`figure_png`, the decimal comma). matplotlib loads with the first chart drawn, not with the app:
the app imports this module for the sentences beside the charts (`chart_notes`, the template
filter ``par_chart_notes``), and only `bar_chart` imports the drawing code.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from typing import Any

from survey.reports.wording import decimal

FIELDS, GROUPS = "par_fields", "par_groups"
CHART_TITLES = {FIELDS: "Điểm theo lĩnh vực", GROUPS: "Điểm theo nhóm lãnh đạo"}
"""Each chart's title, on the chart, beside it in the workbook and in the sentences of the body."""
FULL_BAR = "#d6e2ee"  # the maximum behind each bar: a light shade of the reports' blue
LABEL_WIDTH = 38  # characters per line of a field's or a group's name beside its bar


def maximum_text(value: float) -> str:
    """A maximum as officials write it: 22 → "22", 2.5 → "2,5", 1.25 → "1,25"."""
    text = decimal(value, 2)
    return text.rstrip("0").rstrip(",")


@dataclass(frozen=True)
class Bar:
    """One row of a chart: a name, the points earned (``None``: no figure) and the maximum."""

    label: str
    earned: float | None
    maximum: float

    @property
    def text(self) -> str:
        """The value written beside the bar, "x,xx/y"."""
        earned = "–" if self.earned is None else decimal(self.earned, 2)
        return f"{earned}/{maximum_text(self.maximum)}"


def _figure(row: dict[str, Any]) -> float | None:
    """A row's points, or ``None`` where the document has none (never NaN)."""
    value = row.get("estimate")
    return value if value is not None and math.isfinite(value) else None


def field_bars(document: dict[str, Any]) -> list[Bar]:
    """A bar per PAR field, in the questionnaire's order (the order of ``by_field``)."""
    return [Bar(row["label"], _figure(row), row["max_points"]) for row in document["by_field"]]


def group_bars(document: dict[str, Any]) -> list[Bar]:
    """A bar per respondent group whose total is reported, against the total's maximum."""
    return [Bar(row["label"], _figure(row), document["max_points"])
            for row in document["by_group"] if _figure(row) is not None]


def hidden_groups(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The groups the chart leaves out: held back (fewer than ``min_cell`` sheets) or not computed."""
    return [row for row in document["by_group"] if _figure(row) is None]


def fields_title(document: dict[str, Any]) -> str:
    total = document["total"]["estimate"]
    return f"{CHART_TITLES[FIELDS]} (Tổng: {decimal(total, 2)}/{maximum_text(document['max_points'])})"


def groups_title(document: dict[str, Any]) -> str:
    return f"{CHART_TITLES[GROUPS]} (tổng điểm, tối đa {maximum_text(document['max_points'])})"


def _listed(rows: list[dict[str, Any]]) -> str:
    return "; ".join(f"{row['label']} ({row['reason_text'] or 'chưa tính được'})" for row in rows)


def chart_notes(document: dict[str, Any]) -> dict[str, str | None]:
    """The sentence under each chart, in Vietnamese, or ``None``: why the chart is not drawn, or
    which fields have no points yet and which groups it does not show, with the document's reasons."""
    notes: dict[str, str | None] = {FIELDS: None, GROUPS: None}
    total = document["total"]
    if _figure(total) is None:
        why = f"mới có {total['n']} phiếu được tính ({total['reason_text'] or 'chưa tính được điểm'})"
        return {name: f"Chưa vẽ biểu đồ {title[0].lower()}{title[1:]}: {why}." for name, title in CHART_TITLES.items()}
    empty_fields = [row for row in document["by_field"] if _figure(row) is None]
    if empty_fields:
        notes[FIELDS] = f"Lĩnh vực chưa có điểm (chỉ vẽ điểm tối đa): {_listed(empty_fields)}."
    hidden = hidden_groups(document)
    if not group_bars(document):
        notes[GROUPS] = ("Chưa vẽ biểu đồ điểm theo nhóm lãnh đạo: chưa nhóm nào đủ số phiếu để công bố"
                         + (f" ({_listed(hidden)})." if hidden else "."))
    elif hidden:
        notes[GROUPS] = f"Không hiện trên biểu đồ: {_listed(hidden)}."
    return notes


NICE_STEPS = (5, 2.5, 2, 1)
"""Steps between the points axis' ticks, times a power of ten, largest tried first."""
TICK_INTERVALS = (4, 11)
"""Fewest and most gaps between ticks: 5 to 12 labels fit the chart's width at its font size."""


def points_ticks(top: float) -> list[float]:
    """Ticks from 0 to `top` that end exactly at `top`, the maximum the points are scored
    against, so the axis never reads past it (22 → 0, 2, …, 22; 5.5 → 0, 0.5, …, 5.5).

    The largest round step that divides `top` into 4 to 11 gaps; where none does (13), round
    ticks below `top` at least half a step short of it, then `top` itself."""
    from matplotlib.ticker import MaxNLocator

    exponent = math.floor(math.log10(top))
    for power in range(exponent + 1, exponent - 3, -1):
        for nice in NICE_STEPS:
            step = nice * 10.0 ** power
            gaps = top / step
            if TICK_INTERVALS[0] <= round(gaps) <= TICK_INTERVALS[1] and math.isclose(gaps, round(gaps)):
                return [round(i * step, 10) for i in range(round(gaps) + 1)]
    ticks = MaxNLocator(nbins=TICK_INTERVALS[1], steps=[1, 2, 2.5, 5, 10]).tick_values(0, top)
    step = ticks[1] - ticks[0]
    return [float(tick) for tick in ticks if 0 <= tick <= top - step / 2] + [float(top)]


def bar_chart(title: str, bars: list[Bar]) -> bytes:
    """Horizontal bars, first on top: the maximum as a light full-length bar, the points earned
    in front of it, and "x,xx/y" beside each; a bar without points shows its maximum only."""
    from matplotlib.ticker import FuncFormatter

    # the reports' drawing module sets the Agg backend before pyplot loads
    from survey.reports.charts import BLUE, figure_png, plt

    top = max(bar.maximum for bar in bars)
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(bars) + 1.2))
    for y, bar in enumerate(bars):
        ax.barh(y, bar.maximum, height=0.6, color=FULL_BAR, label="Điểm tối đa" if y == 0 else None)
        if bar.earned is not None:
            ax.barh(y, bar.earned, height=0.6, color=BLUE, label="Điểm đạt được" if y == 0 else None)
        ax.text(bar.maximum + 0.01 * top, y, bar.text, va="center", fontsize=7)
    ax.set_yticks(range(len(bars)))
    ax.set_yticklabels([textwrap.fill(bar.label, LABEL_WIDTH) for bar in bars], fontsize=7)
    ax.invert_yaxis()  # the first field (or group) on top, as the questionnaire lists them
    # the axis ends at the maximum; the room after it holds the "x,xx/y" beside the longest bars
    ax.set_xlim(0, top * 1.2)
    ax.set_xticks(points_ticks(top))
    ax.spines["bottom"].set_bounds(0, top)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: maximum_text(value)))
    ax.tick_params(axis="x", labelsize=7)
    ax.spines[["top", "right"]].set_visible(False)
    # below the axis, where it covers no bar and no value (pad in font sizes: clear of the ticks)
    ax.legend(fontsize=7, ncol=2, frameon=False, loc="upper center", bbox_to_anchor=(0.5, 0), borderaxespad=2.2)
    ax.set_title(title, fontsize=9)
    return figure_png(fig)


def par_charts(document: dict[str, Any]) -> dict[str, bytes]:
    """Every chart the document has figures for, keyed by name; none before the total has one."""
    if _figure(document["total"]) is None:
        return {}
    charts = {}
    if document["by_field"]:
        charts[FIELDS] = bar_chart(fields_title(document), field_bars(document))
    if bars := group_bars(document):
        charts[GROUPS] = bar_chart(groups_title(document), bars)
    return charts
