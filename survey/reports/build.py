"""Build the quarterly report from an analysis frame: every number, no rendering.

``build_report`` is a function of the analysis frame (one row per kept
response, as ``survey.frame.load.analysis_frame`` returns it), the weighting
report, the questionnaire's index tree (with its target, if the file sets one)
and earlier waves' frames, so it runs and is tested without a database.  The design is strata =
``stratum`` (the locality), PSU = ``psu`` (desk-day), weights =
``design_weight``; the statistics are ``analysis``'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from analysis.change import independent_change
from analysis.design import Design, DesignError
from analysis.drivers import survey_logistic
from analysis.estimators import proportion
from analysis.report import (
    MIN_N,
    REASONS_VI,
    RULE_VI,
    design_effect,
    node_srs_variances,
    quartile_groups,
    ranks,
    reliability,
)
from analysis.sipas import Node, index_nodes, parse_tree
from survey.frame.compact import SAID_PREFIX, Opinions
from survey.models.places import LocalityName
from survey.reports.groups import Breakdowns, respondent_sections
from survey.reports.model import (
    EMPTY,
    CentreQuality,
    DriverRow,
    Drivers,
    ItemResult,
    LocalityRow,
    NodeResult,
    OpinionResult,
    Report,
    SectorRow,
    Stat,
)
from survey.reports.small_area import add_small_area
from survey.reports.wording import change_sentence, driver_reading

WEIGHT, STRATUM, PSU, LOCALITY = "design_weight", "stratum", "psu", "locality_code"
SECTOR = "field_code"  # the service sector (lĩnh vực) of the procedure a response is about
WEAKEST_COUNT = 5
NO_OPINIONS = Opinions()
DRIVER_OUTCOME_ELEMENT = "results"  # "Kết quả giải quyết TTHC" when no overall item exists
OVERALL_ITEM = "overall"
MIN_ANSWER_RATE = 0.5  # an element answered by fewer respondents is left out of the drivers
# The key-driver regression needs as many answers as a reliable estimate (analysis.report.MIN_N)
# and enough PSUs for its sandwich variance: 10 df is the smallest with a t quantile within 10%
# of the normal's. Below either the report says the drivers wait for more data.
DRIVER_MIN_N = MIN_N
DRIVER_MIN_DF = 10


@dataclass(frozen=True)
class PreviousWave:
    """An earlier wave for the trend and the change: its code and analysis frame."""

    code: str
    frame: pd.DataFrame


def tree_to_node(tree) -> tuple[Node, dict[str, str], dict[str, str | None]]:
    """The questionnaire's ``IndexTree`` as an ``analysis`` tree, node labels and parents."""
    labels, parents = {}, {}

    def mapping(code: str) -> dict:
        node = tree.node(code)
        out = {}
        for child in node.children:
            parents[child] = code
            if tree.is_node(child):
                sub = tree.node(child)
                labels[child] = sub.label.get("vi") if hasattr(sub.label, "get") else str(sub.label)
                grandchildren = sub.children
                out[child] = mapping(child) if any(tree.is_node(g) for g in grandchildren) \
                    else list(grandchildren)
                for g in grandchildren:
                    parents[g] = child
        return out

    root = tree.root
    labels[root.code] = root.label.get("vi") if hasattr(root.label, "get") else str(root.label)
    parents[root.code] = None
    weights = {}
    for node in tree.nodes:
        if node.weights:
            weights.update(dict(zip(node.children, node.weights, strict=False)))
    return parse_tree(mapping(root.code), weights, name=root.code), labels, parents


def _number(value) -> float | None:
    return None if value is None or not np.isfinite(value) else float(value)


def _stat(estimate, srs: tuple[int, float] | None = None) -> Stat:
    """A report ``Stat``; for a node, ``srs`` gives its answering n and SRS variance.

    Whatever ``analysis`` could not estimate is ``None`` with the estimate's note.
    """
    n = int(estimate.n) if srs is None else srs[0]
    if estimate.n == 0 or np.isnan(estimate.estimate):
        return Stat(None, None, None, None, n, None, None, estimate.note or "no_answers")
    se = _number(estimate.se)
    deff = estimate.deff if srs is None else (None if se is None else design_effect(se ** 2, srs[1]))
    return Stat(float(estimate.estimate), se, _number(estimate.ci_low), _number(estimate.ci_high), n,
                _number(deff), _number(estimate.cv), estimate.note)


stat_of = _stat  # the public name, for the live monitor


def _rule(stat: Stat):
    return reliability(stat.n, stat.effective_n, stat.estimate, stat.ci_low, stat.ci_high, stat.cv)


def _walk_nodes(node: Node, depth: int = 0):
    yield node, depth
    for child in node.children:
        yield from _walk_nodes(child, depth + 1)


def build_report(frame: pd.DataFrame, weighting, tree, *, wave: str, localities: Sequence[LocalityName],
                 is_demo: bool = False, previous: Iterable[PreviousWave] = (), target: float | None = None,
                 item_labels: Mapping[str, str] | None = None, centres: pd.DataFrame | None = None,
                 level: float = 0.95, interim: bool = False, built_at: str = "",
                 sector_names: Mapping[str, str] | None = None, comments: list[dict] | None = None,
                 breakdowns: Breakdowns | None = None, opinions: Opinions = NO_OPINIONS,
                 progress: Callable[[str], None] = lambda step: None) -> Report:
    """Every number of the report for ``wave``; see the module docstring for the inputs.

    ``target`` overrides the tree's own (``tree.target``); with neither, the report has no target.
    """
    if frame.empty:
        raise DesignError(f"Đợt {wave} chưa có phiếu nào để lập báo cáo.")
    item_labels = dict(item_labels or {})
    previous = list(previous)
    root, labels, parents = tree_to_node(tree)
    frame = frame.copy(deep=False)
    frame[LOCALITY] = frame[LOCALITY].astype(str)
    _add_opinions(frame, opinions)
    element_scores = _add_element_scores(frame, root)
    design = Design.from_frame(frame, weight=WEIGHT, strata=STRATUM, cluster=PSU)

    progress("index")
    results = index_nodes(design, root, by=LOCALITY, level=level, overall=True)
    srs = node_srs_variances(design, root, by=LOCALITY)
    overall = {(r.name, r.statistic): r for r in results if r.domain is None}
    by_locality = {(r.domain[0][1], r.name): r for r in results
                   if r.domain is not None and r.statistic != "share"}

    def node_result(node: Node) -> NodeResult:
        stat = _stat(overall[(node.name, _statistic(node, root))], srs[(None, node.name)])
        rule = _rule(stat)
        return NodeResult(node.name, labels.get(node.name, node.name), stat, parents.get(node.name),
                          rule.reliable, rule.reasons)

    def item_result(item: str, element: str) -> ItemResult:
        stat = _stat(overall[(item, "share")])
        rule = _rule(stat)
        return ItemResult(item, item_labels.get(item, item), element, stat, _levels(frame, item),
                          rule.reliable, rule.reasons)

    index = node_result(root)
    fields = [node_result(child) for child in root.children if child.children]
    elements = [node_result(n) for n, _ in _walk_nodes(root) if n.items]
    items = [item_result(item, n.name) for n, _ in _walk_nodes(root) if n.items for item in n.items]
    # the weakest list ranks only shares that pass the reliability rule, and says how many did not
    estimated = [i for i in items if i.share.estimate is not None]
    weakest = [i.code for i in sorted((i for i in estimated if i.reliable),
                                      key=lambda i: i.share.estimate)[:WEAKEST_COUNT]]
    weakest_left_out = sum(1 for i in estimated if not i.reliable)

    progress("localities")
    rows = _locality_rows(localities, by_locality, srs, root.name, frame)
    extremes = _extremes(rows, elements, by_locality, srs)
    progress("sectors")
    sectors = _sectors(design, frame, root, sector_names or {}, level)
    progress("groups")
    groups, priorities, channels = respondent_sections(design, frame, root, breakdowns, level, _stat)
    progress("opinions")
    opinion_results = _opinions(design, frame, rows, item_labels, level, opinions)
    progress("drivers")
    drivers = _drivers(design, frame, root, labels, element_scores)
    progress("trend")
    trend, change = _trend(previous, root, wave, index.stat, design.df, level)
    quality = _quality(frame, centres)
    method = _method(weighting, design, frame, root, labels, drivers)
    progress("change by locality")
    last = _previous_by_locality(previous[-1], root, level) if previous else None
    if last:
        _locality_changes(rows, by_locality, root.name, previous[-1].code, last, level)
    progress("small areas")
    earlier = None if last is None else {code: e.estimate for code, e in last.items()
                                         if np.isfinite(e.estimate)}
    method["small_area"] = add_small_area(rows, quality, level, previous=earlier)
    return Report(wave=wave, is_demo=is_demo, weighted=bool(getattr(weighting, "weighted", True)),
                  n=len(frame), level=level, target=tree.target if target is None else target, df=design.df,
                  index=index, fields=fields,
                  elements=elements, items=items, weakest=weakest, localities=rows, opinions=opinion_results,
                  drivers=drivers, change=change, trend=trend, quality=quality, method=method,
                  reliability_rule=RULE_VI, interim=interim, built_at=built_at,
                  weakest_left_out=weakest_left_out, sectors=sectors, extremes=extremes,
                  comments=comments or None, groups=groups, priorities=priorities, channels=channels)


def _statistic(node: Node, root: Node) -> str:
    return "index" if node is root else ("element" if node.items else "node")


def _levels(frame: pd.DataFrame, item: str) -> tuple[float, ...]:
    """Weighted share of answers at each level 1-5 among the answered."""
    values = frame[item].to_numpy(dtype=float, na_value=np.nan)
    w = frame[WEIGHT].to_numpy(dtype=float)
    answered = (values >= 1) & (values <= 5)
    total = w[answered].sum()
    if total <= 0:
        return (np.nan,) * 5
    sums = np.bincount(values[answered].astype(np.int64), weights=w[answered], minlength=6)[1:6]
    return tuple(float(v) for v in sums / total)


def _locality_rows(localities, by_locality, srs, root_name, frame) -> list[LocalityRow]:
    known = {loc.code for loc in localities}
    extra = sorted(set(frame[LOCALITY].unique()) - known)
    names = frame.drop_duplicates(LOCALITY).set_index(LOCALITY)
    everyone = list(localities) + [LocalityName(code, str(names.loc[code].get("locality_name", code)),
                                            str(names.loc[code].get("locality_kind", "")))
                                   for code in extra]
    rows = []
    for loc in everyone:
        estimate = by_locality.get((loc.code, root_name))
        stat = EMPTY if estimate is None else _stat(estimate, srs.get((loc.code, root_name)))
        rule = _rule(stat)
        rows.append(LocalityRow(loc.code, loc.name, loc.kind, stat, rule.reliable, rule.reasons))
    values = [row.index.estimate if row.reliable else None for row in rows]
    for row, rank, group in zip(rows, ranks(values), quartile_groups(values), strict=False):
        row.rank, row.group = rank, group
    return rows


def _extremes(rows, elements, by_locality, srs) -> dict:
    """Per element, the best and the worst locality among those whose element estimate is reliable.

    ``{element: {"best": ..., "worst": ..., "reliable": count, "left_out": count}}``; best and
    worst are null when no locality's estimate of the element passes the rule.
    """
    out = {}
    for element in elements:
        ranked, left_out = [], 0
        for row in rows:
            estimate = by_locality.get((row.code, element.code))
            if estimate is None:
                continue
            stat = _stat(estimate, srs.get((row.code, element.code)))
            if stat.estimate is None:
                continue
            if _rule(stat).reliable:
                ranked.append((stat.estimate, row, stat))
            else:
                left_out += 1
        ranked.sort(key=lambda entry: entry[0])

        def entry(found):
            _, row, stat = found
            return {"code": row.code, "name": row.name, **stat.as_dict()}

        out[element.code] = {"label": element.label,
                             "best": entry(ranked[-1]) if ranked else None,
                             "worst": entry(ranked[0]) if ranked else None,
                             "reliable": len(ranked), "left_out": left_out}
    return out


def _previous_by_locality(prev: PreviousWave, root: Node, level: float) -> dict:
    """The previous wave's index by locality: ``{code: Estimate}``."""
    design = Design.from_frame(prev.frame, weight=WEIGHT, strata=STRATUM, cluster=PSU)
    return {str(r.domain[0][1]): r for r in index_nodes(design, root, by=LOCALITY, level=level)
            if r.statistic == "index" and r.domain is not None}


def _locality_changes(rows, by_locality, root_name: str, previous_code: str, last: dict, level) -> None:
    """Each locality's change since the previous wave, as two independent design-based estimates.

    Only where both waves give the locality an SE and degrees of freedom; otherwise the row's
    ``change`` says why not (``note``), so a blank is never silent.
    """
    for row in rows:
        now, then = by_locality.get((row.code, root_name)), last.get(row.code)
        if now is None or then is None:
            row.change = {"previous_wave": previous_code, "note": "no_answers" if now is None
                          else "no_previous"}
            continue
        usable = [e for e in (now, then) if np.isfinite(e.se) and e.df > 0 and np.isfinite(e.estimate)]
        if len(usable) < 2:
            bad = now if now not in usable else then
            row.change = {"previous_wave": previous_code, "previous": _number(then.estimate),
                          "note": bad.note or "no_df"}
            continue
        change = independent_change(previous_code, then.estimate, then.se, then.df, now.estimate,
                                    now.se, now.df, level=level)
        row.change = {**change.as_dict(), "note": None}


def _sectors(design, frame, root: Node, names: Mapping[str, str], level: float) -> list[SectorRow]:
    """The index and its halves by service sector, on the full design (domain estimation).

    Sectors are listed by name; a response without a sector counts in the design but is not
    reported, as ``svyby`` does.  Reliability follows the localities' rule.
    """
    if SECTOR not in frame.columns or frame[SECTOR].isna().all():
        return []
    halves = {child.name for child in root.children}
    srs = node_srs_variances(design, root, by=SECTOR, nodes=halves | {root.name}, overall=False)
    found: dict[str, dict[str, Stat]] = {}
    for r in index_nodes(design, root, by=SECTOR, level=level):
        if r.statistic in ("index", "node", "element") and (r.name == root.name or r.name in halves):
            code = str(r.domain[0][1])
            found.setdefault(code, {})[r.name] = _stat(r, srs.get((r.domain[0][1], r.name)))
    rows = []
    for code, stats in found.items():
        index = stats.pop(root.name)
        rule = _rule(index)
        rows.append(SectorRow(code, names.get(code, code), index, rule.reliable, rule.reasons, stats))
    rows.sort(key=lambda row: row.name)
    return rows


def _add_opinions(frame: pd.DataFrame, opinions: Opinions) -> None:
    """0/1 columns ``_said_<item>`` of the declared opinion items: any occurrence reported (an
    answer other than the declared ``none``, e.g. "Không gặp").

    A ``_said_<item>`` column already in the frame (as the database loader gives) is
    kept; else a text answer is compared with the choice value, and a numeric one is
    the choice's position (1 = "Không gặp").
    """
    for item in opinions.items:
        if f"{SAID_PREFIX}{item}" in frame.columns or item not in frame.columns:
            continue
        column = frame[item]
        if pd.api.types.is_numeric_dtype(column):
            said = (column > 1).astype(float).where(column >= 1)
        else:
            text = column.astype("string").str.strip()
            said = (~text.isin(opinions.none)).astype(float).where(text.notna() & (text != ""))
        frame[f"{SAID_PREFIX}{item}"] = said.astype(float)


def _opinions(design, frame, rows, item_labels, level, opinions: Opinions) -> list[OpinionResult]:
    out = []
    for item in opinions.items:
        column = f"{SAID_PREFIX}{item}"
        if column not in frame.columns or frame[column].notna().sum() == 0:
            continue
        results = proportion(design, column, by=LOCALITY, level=level, overall=True)
        overall = _stat(results[0])
        by_code = {r.domain[0][1]: _stat(r) for r in results[1:]}
        shown = {}
        for row in rows:
            stat = by_code.get(row.code)
            if stat is None or stat.estimate is None:
                continue
            rule = _rule(stat)
            # a share near 0 has a huge CV by construction: judge it by n and effective n only
            if stat.n >= MIN_N and (stat.effective_n or 0) >= MIN_N and "ci_width" not in rule.reasons:
                shown[row.code] = stat
        out.append(OpinionResult(item, item_labels.get(item, item), overall, shown))
    return out


def _add_element_scores(frame: pd.DataFrame, root: Node) -> dict[str, str]:
    """Per-response mean answer (1-5) over each element's answered items, as ``_score_<code>``."""
    columns = {}
    for node, _ in _walk_nodes(root):
        if not node.items:
            continue
        values = frame[list(node.items)].to_numpy(dtype=float, na_value=np.nan, copy=True)
        values[(values < 1) | (values > 5)] = np.nan
        with np.errstate(invalid="ignore"):
            counts = (~np.isnan(values)).sum(axis=1)
            score = np.where(counts > 0, np.nansum(values, axis=1) / np.maximum(counts, 1), np.nan)
        columns[node.name] = f"_score_{node.name}"
        frame[columns[node.name]] = score
    return columns


def _drivers(design, frame, root, labels, scores) -> Drivers | None:
    """Key drivers: logistic regression of the outcome on the service elements' scores.

    The questionnaire has no overall-satisfaction question, so the outcome is
    satisfaction with the result of the procedure (mean answer of its items
    >= 4) and the predictors are the other elements of the service field;
    an ``overall`` item, if a questionnaire has one, is used instead.
    """
    service = next((c for c in root.children if c.children), root)
    elements = [c.name for c in service.children if c.items]
    if OVERALL_ITEM in frame.columns:
        answer = frame[OVERALL_ITEM]
        outcome_label = "Hài lòng chung"
        predictors = elements
    elif DRIVER_OUTCOME_ELEMENT in scores:
        answer = frame[scores[DRIVER_OUTCOME_ELEMENT]]
        outcome_label = labels.get(DRIVER_OUTCOME_ELEMENT, DRIVER_OUTCOME_ELEMENT)
        predictors = [e for e in elements if e != DRIVER_OUTCOME_ELEMENT]
    else:
        return None
    frame["_outcome"] = (answer >= 4).astype(float).where(answer.notna())
    if frame["_outcome"].notna().sum() < DRIVER_MIN_N or design.df < DRIVER_MIN_DF:
        return None
    rate = {e: frame[scores[e]].notna().mean() for e in predictors}
    left_out = tuple(e for e in predictors if rate[e] < MIN_ANSWER_RATE)
    used = [e for e in predictors if e not in left_out]
    if not used:
        return None
    try:
        fit = survey_logistic(design, "_outcome", [scores[e] for e in used])
    except (DesignError, np.linalg.LinAlgError):
        return None
    rows = []
    for code in used:
        c = fit.coefficient(scores[code])
        rows.append(DriverRow(code, labels.get(code, code), c.estimate, c.se, c.ci_low, c.ci_high,
                              c.p_value))
    rows.sort(key=lambda r: r.coefficient, reverse=True)
    return Drivers("_outcome", outcome_label, tuple(rows), fit.coefficients[0].estimate, fit.n, fit.df,
                   driver_reading(rows, outcome_label), left_out)


def _trend(previous, root, wave, current: Stat, current_df, level):
    trend, last = [], None
    for prev in previous:
        if prev.frame.empty:
            continue
        design = Design.from_frame(prev.frame, weight=WEIGHT, strata=STRATUM, cluster=PSU)
        estimate = next(r for r in index_nodes(design, root, level=level) if r.statistic == "index")
        stat = _stat(estimate)
        trend.append({"wave": prev.code, **_trend_point(stat)})
        last = (prev.code, stat, estimate.df)
    trend.append({"wave": wave, **_trend_point(current)})
    if last is None or current.se is None or last[1].se is None or current.estimate is None:
        return trend, None  # a change needs both waves' SEs
    code, stat, df = last
    if df <= 0 or current_df <= 0:
        return trend, None
    change = independent_change(code, stat.estimate, stat.se, df, current.estimate,
                                current.se, current_df, level=level)
    return trend, {**change.as_dict(), "sentence": change_sentence(change)}


def _trend_point(stat: Stat) -> dict:
    return {"estimate": stat.estimate, "se": stat.se, "ci_low": stat.ci_low, "ci_high": stat.ci_high,
            "n": stat.n, "note": stat.note}


def _quality(frame, centres: pd.DataFrame | None) -> list[CentreQuality]:
    flagged = frame["quality_flags"].str.len().fillna(0) > 0 if "quality_flags" in frame.columns \
        else pd.Series(False, index=frame.index)
    kept = frame.groupby("centre_code").size()
    flags = flagged.groupby(frame["centre_code"]).sum()
    if centres is None:
        centres = pd.DataFrame({"centre_code": kept.index, "centre_name": kept.index,
                                "locality_code": frame.drop_duplicates("centre_code")
                                .set_index("centre_code").loc[kept.index, LOCALITY].to_numpy(),
                                "stored": kept.to_numpy(), "dossiers": np.nan})
    out = []
    for row in centres.itertuples(index=False):
        k = int(kept.get(row.centre_code, 0))
        dossiers = None if pd.isna(row.dossiers) else int(row.dossiers)
        out.append(CentreQuality(str(row.centre_code), str(row.centre_name), str(row.locality_code),
                                 int(row.stored), k, int(row.stored) - k,
                                 int(flags.get(row.centre_code, 0)), dossiers))
    return out


def _method(weighting, design, frame, root, labels, drivers) -> dict:
    per_stratum = frame.groupby(STRATUM).size()

    def attr(name, default=None):
        return getattr(weighting, name, default)

    return {
        "design": {"strata": "locality (stratum)", "psu": "desk-day (psu)", "weights": WEIGHT,
                   "df": design.df, "strata_count": len(design.strata.labels),
                   "psu_count": int(design.strata.n_psu.sum()),
                   "lonely_strata": [str(s) for s in design.lonely_strata],
                   "variance": "Taylor linearisation, PSUs with replacement within strata"},
        "weighting": {"weighted": bool(attr("weighted", True)), "quarter": attr("quarter"),
                      "min_cell": attr("min_cell"), "collapses": _plain(attr("collapses", [])),
                      "trimmed": _plain(attr("trimmed")), "excluded": _plain(attr("excluded", {})),
                      "flag_counts": _plain(attr("flag_counts", {})),
                      "n_responses": attr("n_responses", len(frame)), "n_kept": attr("n_kept", len(frame))},
        "n_per_stratum": {str(k): int(v) for k, v in per_stratum.items()},
        "index_tree": {n.name: list(n.items) if n.items else [c.name for c in n.children]
                       for n, _ in _walk_nodes(root)},
        "reasons": REASONS_VI,
        "drivers": None if drivers is None else {
            "outcome": drivers.outcome_label, "model": "svyglm(outcome ~ element scores, "
            "family = quasibinomial()), linearisation SEs by PSU within strata",
            "left_out": [labels.get(e, e) for e in drivers.left_out]},
    }


def _plain(value):
    """Weighting-report fields as JSON-ready values (dataclasses, tuples, counters)."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if hasattr(value, "__dataclass_fields__"):
        return {k: _plain(getattr(value, k)) for k in value.__dataclass_fields__}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    if isinstance(value, (np.integer, np.floating)):
        return value.item()
    return str(value)
