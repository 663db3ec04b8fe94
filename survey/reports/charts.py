"""The report's charts, drawn with matplotlib's Agg backend from the report's numbers only.

Each function returns PNG bytes; ``render_all`` fills ``report.charts``.
"""

from __future__ import annotations

import io
import math

import matplotlib

matplotlib.use("Agg")  # no display on a server; set before pyplot is imported
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.collections import PatchCollection  # noqa: E402
from matplotlib.patches import Patch, PathPatch  # noqa: E402
from matplotlib.path import Path  # noqa: E402
from matplotlib.transforms import Bbox  # noqa: E402

from survey.reports.model import LocalityRow, Report  # noqa: E402
from survey.reports.wording import CHART_TITLES, GROUP_NAMES

DPI = 110
GREY = "#9e9e9e"
BLUE = "#1f5f99"
TARGET_RED = "#b22222"
GROUP_COLOURS = {1: "#1a9850", 2: "#91cf60", 3: "#fc8d59", 4: "#d73027"}
LEVEL_COLOURS = ("#d73027", "#fc8d59", "#e0e0e0", "#91bfdb", "#4575b4")
LEVEL_LABELS = ("Rất không hài lòng", "Không hài lòng", "Bình thường", "Hài lòng", "Rất hài lòng")
THIN_ORANGE = "#e66101"
NO_RESPONSES_GREY = "#e6e6e6"
UNRELIABLE_HATCH = "////"
MAP_MAX_HEIGHT = 8.5  # inches: the map stays on one printed page


def figure_png(fig) -> bytes:
    """A figure as PNG bytes, closed afterwards: every report's charts (and the PAR score's,
    survey.leaders.charts) are written here."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def _short(text: str, width: int = 48) -> str:
    """A label cut to fit beside a chart row, with an ellipsis."""
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def comma_axis(ax, axis="x", digits: int = 1):
    """Tick labels with the Vietnamese decimal comma."""
    formatter = matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:.{digits}f}".replace(".", ","))
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(formatter)


def _pct_axis(ax, axis="x"):
    formatter = matplotlib.ticker.FuncFormatter(lambda v, _: f"{100 * v:.0f}%")
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(formatter)


def _target_line(ax, report: Report, horizontal: bool = False, **style) -> None:
    """The target as a dotted red line, when the questionnaire (or the command) sets one."""
    if report.target is None:
        return
    line = ax.axhline if horizontal else ax.axvline
    line(report.target, color=TARGET_RED, linestyle=":", label="Mục tiêu", **style)


def _legend(ax, **options) -> None:
    """A legend of the labelled lines; none when nothing is labelled (no target, no estimate)."""
    if ax.get_legend_handles_labels()[0]:
        ax.legend(**options)


def _intervals(ax, rows: list[tuple[float, float | None, float | None, float]], colour: str,
               linewidth: float, markersize: float | None = None) -> None:
    """Points with their CIs, one artist for the bars and one for the points of a colour.

    One line per row made the forest chart's 102 communes 204 artists: drawn as one
    collection per colour, the chart takes 0.44 s instead of 0.64. Rows are (y, low, high,
    point); a row without an interval gets its point only.
    """
    with_ci = [(y, low, high) for y, low, high, _ in rows if low is not None]
    if with_ci:
        ys, lows, highs = zip(*with_ci, strict=True)
        ax.hlines(ys, lows, highs, color=colour, linewidth=linewidth)
    style = {"markersize": markersize} if markersize is not None else {}
    ax.plot([point for *_, point in rows], [y for y, *_ in rows], "o", color=colour, linestyle="none", **style)


def forest(report: Report) -> bytes:
    """Localities with their CIs, the provincial line and the target; unreliable ones grey."""
    rows = [r for r in report.localities if r.index.estimate is not None]
    rows.sort(key=lambda r: (r.reliable, r.index.estimate))
    fig, ax = plt.subplots(figsize=(7, max(3.0, 0.16 * len(rows) + 1)))
    by_colour: dict[str, list] = {}
    for y, row in enumerate(rows):
        colour = GROUP_COLOURS.get(row.group, BLUE) if row.reliable else GREY
        by_colour.setdefault(colour, []).append((y, row.index.ci_low, row.index.ci_high, row.index.estimate))
    for colour, coloured in by_colour.items():
        _intervals(ax, coloured, colour, linewidth=1, markersize=3)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([r.name for r in rows], fontsize=5.5)
    if report.index.stat.estimate is not None:
        ax.axvline(report.index.stat.estimate, color=BLUE, linestyle="--", linewidth=1, label="Toàn tỉnh")
    _target_line(ax, report, linewidth=1.2)
    ax.set_ylim(-1, len(rows))
    ax.set_xlim(0, 1)
    _pct_axis(ax)
    _legend(ax, loc="lower right", fontsize=7)
    ax.set_title(CHART_TITLES["forest"], fontsize=9)
    return figure_png(fig)


def elements(report: Report) -> bytes:
    """The elements and fields with their CIs."""
    nodes = list(reversed(report.elements))
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(nodes) + 1))
    shown = [(y, n.stat.ci_low, n.stat.ci_high, n.stat.estimate) for y, n in enumerate(nodes)
             if n.stat.estimate is not None]
    if shown:
        _intervals(ax, shown, BLUE, linewidth=2)
    ax.set_xlim(0, 1)
    ax.set_yticks(range(len(nodes)))
    ax.set_yticklabels([n.label for n in nodes], fontsize=7)
    _target_line(ax, report)
    _pct_axis(ax)
    _legend(ax, loc="lower right", fontsize=7)
    ax.set_title(CHART_TITLES["elements"], fontsize=9)
    return figure_png(fig)


def trend(report: Report) -> bytes:
    """The index over every wave available, with its CI and the target line."""
    points = [p for p in report.trend if p["estimate"] is not None]
    fig, ax = plt.subplots(figsize=(7, 3))
    x = range(len(points))
    ax.plot(list(x), [p["estimate"] for p in points], color=BLUE, marker="o")
    with_ci = [(k, p) for k, p in enumerate(points) if p["ci_low"] is not None]
    if with_ci:
        ax.errorbar([k for k, _ in with_ci], [p["estimate"] for _, p in with_ci],
                    yerr=[[p["estimate"] - p["ci_low"] for _, p in with_ci],
                          [p["ci_high"] - p["estimate"] for _, p in with_ci]],
                    color=BLUE, fmt="none", capsize=3)
    ax.set_ylim(0, 1)
    _target_line(ax, report, horizontal=True)
    ax.set_xticks(list(x))
    ax.set_xticklabels([p["wave"] for p in points])
    _pct_axis(ax, "y")
    _legend(ax, fontsize=7)
    ax.set_title(CHART_TITLES["trend"], fontsize=9)
    return figure_png(fig)


def weakest(report: Report) -> bytes:
    """Stacked bars: weighted share at each answer level for the five weakest items."""
    items = [report.item(code) for code in report.weakest]
    fig, ax = plt.subplots(figsize=(7, 0.5 * len(items) + 1.4))
    left = [0.0] * len(items)
    for level, label in enumerate(LEVEL_LABELS):  # one bar set per answer level, stacked
        shares = [item.levels[level] for item in items]
        ax.barh(range(len(items)), shares, left=left, color=LEVEL_COLOURS[level], label=label)
        left = [a + b for a, b in zip(left, shares, strict=True)]
    ax.set_yticks(range(len(items)))
    ax.set_yticklabels([_short(i.label) for i in items], fontsize=7)
    ax.set_xlim(0, 1)
    _pct_axis(ax)
    ax.legend(fontsize=6, ncol=5, loc="upper center", bbox_to_anchor=(0.5, -0.15))
    ax.set_title(CHART_TITLES["weakest"], fontsize=9)
    return figure_png(fig)


def drivers(report: Report) -> bytes:
    """The key drivers' coefficients with their CIs."""
    rows = list(reversed(report.drivers.rows))
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(rows) + 1))
    _intervals(ax, [(y, r.ci_low, r.ci_high, r.coefficient) for y, r in enumerate(rows)], BLUE, linewidth=2)
    ax.axvline(0, color=GREY, linewidth=1)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([_short(r.label) for r in rows], fontsize=7)
    comma_axis(ax)
    ax.set_title(CHART_TITLES["drivers"], fontsize=9)
    return figure_png(fig)


def small_area(report: Report) -> bytes:
    """Direct index against the model-based estimate per locality; thin localities in orange."""
    rows = [r for r in report.localities if "small_area" in r.extra]
    fig, ax = plt.subplots(figsize=(5.5, 5.5))
    for thin in (False, True):
        chosen = [r for r in rows if (not r.reliable) == thin]
        ax.plot([r.index.estimate for r in chosen], [r.extra["small_area"]["estimate"] for r in chosen],
                "o", color=THIN_ORANGE if thin else BLUE, markersize=4 if thin else 3,
                label="Chưa đủ tin cậy" if thin else "Đủ tin cậy")
    values = [r.index.estimate for r in rows] + [r.extra["small_area"]["estimate"] for r in rows]
    low, high = min(values), max(values)
    ax.plot([low, high], [low, high], color=GREY, linewidth=1)
    ax.set_xlabel("Chỉ số trực tiếp", fontsize=8)
    ax.set_ylabel("Ước lượng khu vực nhỏ (mô hình)", fontsize=8)
    _pct_axis(ax)
    _pct_axis(ax, "y")
    ax.legend(fontsize=7, loc="lower right")
    ax.set_title(CHART_TITLES["small_area"], fontsize=9)
    return figure_png(fig)


def _ring_path(ring: list, outer: bool) -> tuple[list, list]:
    """A ring's vertices and path codes, turned counter-clockwise if outer and clockwise if a hole,
    so a hole stays empty under matplotlib's nonzero fill whatever order the file used."""
    area = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False))
    if (area > 0) != outer:
        ring = ring[::-1]
    codes = [Path.MOVETO] + [Path.LINETO] * (len(ring) - 2) + [Path.CLOSEPOLY]
    return ring, codes


def _boundary_path(polygons: list, lat_scale: float) -> Path:
    """One compound path for a commune's MultiPolygon, x shrunk by cos(latitude)."""
    vertices, codes = [], []
    for polygon in polygons:
        for k, ring in enumerate(polygon):
            ring_vertices, ring_codes = _ring_path(ring, outer=k == 0)
            vertices += [(x * lat_scale, y) for x, y in ring_vertices]
            codes += ring_codes
    return Path(vertices, codes)


def map_style(row: LocalityRow | None) -> int | str:
    """How a commune is drawn: its quartile group, "unreliable" (hatched) or "none" (no responses)."""
    if row is None or row.index.n == 0:
        return "none"
    if row.reliable and row.group in GROUP_COLOURS:
        return row.group
    return "unreliable"


def locality_map(report: Report) -> bytes:
    """Choropleth of the communes' index by quartile group, as PAPI's provincial maps.

    Unranked communes are hatched: their estimate is not reliable, so they get no group colour;
    communes without responses are light grey.
    """

    rows = {row.code: row for row in report.localities}
    latitudes = [y for polygons in report.geometry.values() for polygon in polygons for x, y in polygon[0]]
    lat_scale = math.cos(math.radians((min(latitudes) + max(latitudes)) / 2))
    styles: dict[int | str, list[Path]] = {}
    for code, polygons in report.geometry.items():
        styles.setdefault(map_style(rows.get(code)), []).append(_boundary_path(polygons, lat_scale))
    look = {**{group: (colour, None, "Nhóm " + GROUP_NAMES[group].lower())
               for group, colour in GROUP_COLOURS.items()},
            "unreliable": ("white", UNRELIABLE_HATCH, "Chưa đủ tin cậy (không xếp nhóm)"),
            "none": (NO_RESPONSES_GREY, None, "Chưa có phiếu")}
    paths = [p for group in styles.values() for p in group]
    box = Bbox.union([p.get_extents() for p in paths])
    height = min(MAP_MAX_HEIGHT, max(3.0, 6.0 * box.height / max(box.width, 1e-9)))
    fig, ax = plt.subplots(figsize=(7, height))
    handles = []
    for style, (face, hatch, label) in look.items():
        if style not in styles:
            continue
        ax.add_collection(PatchCollection([PathPatch(p) for p in styles[style]], facecolor=face, hatch=hatch,
                                          edgecolor="#555555", linewidth=0.3))
        handles.append(Patch(facecolor=face, hatch=hatch, edgecolor="#555555",
                             label=f"{label} ({len(styles[style])})"))
    ax.set_xlim(box.x0, box.x1)
    ax.set_ylim(box.y0, box.y1)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=7, frameon=False,
              title="Chú giải (số xã, phường)", title_fontsize=7)
    ax.set_title(CHART_TITLES["map"], fontsize=9)
    return figure_png(fig)


def render_all(report: Report) -> dict[str, bytes]:
    """Every chart the report has data for, keyed by name."""
    charts = {"forest": forest(report), "elements": elements(report), "trend": trend(report)}
    if report.weakest:
        charts["weakest"] = weakest(report)
    if report.drivers is not None and report.drivers.rows:
        charts["drivers"] = drivers(report)
    if any("small_area" in r.extra for r in report.localities):
        charts["small_area"] = small_area(report)
    if report.geometry:
        charts["map"] = locality_map(report)
    return charts
