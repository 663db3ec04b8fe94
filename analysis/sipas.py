"""SIPAS satisfaction index: item shares, mean scores, elements and higher nodes.

SIPAS (*Chỉ số hài lòng về sự phục vụ hành chính*, the satisfaction index
of public administrative services) scores items 1-5; 0 or blank is "no
answer" for that item only.  For each item the share satisfied is the
weighted share of answers 4-5 among answers 1-5, and the mean score the
weighted mean answer.  An element is the mean of its items' shares; each
higher node (a field, *lĩnh vực*, or the index) is the weighted mean of its
children.  Every node is therefore ``sum_k c_k * R_k``, a linear combination
of item ratios, and its SE comes from linearising the whole combination, so
covariance between items counts (Wolter, *Introduction to Variance
Estimation*, ch. 6; the exact definition is ``tests/data/reference_sipas.R``).

Intervals (``interval=``): ``"beta"`` (the default) gives shares and nodes the
Korn–Graubard interval of ``analysis.results.korn_graubard`` with the NCHS
rules, on the degrees of freedom of the PSUs holding the answers, so every
bound is inside [0, 1]; a node is treated as a proportion of its answering n.
``"logit"`` reproduces the reference script: shares by ``svyciprop``'s logit
interval, nodes ``estimate +/- t(df) * se`` on the design's df.  Mean scores
are always ``estimate +/- t(df) * se``.  A node's n is the number of responses
that answered at least one of its items.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from analysis.design import CodedColumns, Design, DesignError, numeric_column
from analysis.estimators import domain_deviation_sums, estimate_domains, srs_variance
from analysis.linearization import Combination
from analysis.results import Estimate, build, korn_graubard, logit_interval, t_interval

SATISFIED_FROM = 4  # answers 4 and 5 count as satisfied
SCALE_MAX = 5
INDEX_NAME = "index"  # name of the tree's root, the index itself


@dataclass(frozen=True)
class Node:
    """A node of the index tree: an element (``items``) or a parent (``children``)."""

    name: str
    items: tuple[str, ...] = ()
    children: tuple[Node, ...] = ()
    weights: tuple[float, ...] = ()


def parse_tree(tree: Mapping, weights: Mapping[str, float] | None = None,
               name: str = INDEX_NAME) -> Node:
    """Build the index tree from ``{name: [item, ...] or {child: ...}}``.

    ``weights`` maps a node name to its weight among its siblings (default 1);
    a parent is the weighted mean of its children.  Node names must be unique
    (the index itself is ``name``), as each names one result record.
    """
    root = _parse(tree, weights or {}, name)
    seen: set[str] = set()
    for node in _nodes(root):
        if node.name in seen:
            raise DesignError(f"element name '{node.name}' is taken by the index itself; choose another"
                              if node.name == root.name else
                              f"two elements or nodes of the index tree are named '{node.name}'")
        seen.add(node.name)
    return root


def _parse(tree: Mapping, weights: Mapping[str, float], name: str) -> Node:
    if not tree:
        raise DesignError(f"index node '{name}' has no children")
    children = []
    for child, spec in tree.items():
        if isinstance(spec, Mapping):
            children.append(_parse(spec, weights, str(child)))
        elif isinstance(spec, Sequence) and not isinstance(spec, str) and len(spec) > 0:
            items = tuple(str(i) for i in spec)
            twice = [i for i in dict.fromkeys(items) if items.count(i) > 1]
            if twice:
                raise DesignError(f"element '{child}' lists item '{twice[0]}' twice")
            children.append(Node(str(child), items=items))
        else:
            raise DesignError(f"element '{child}' must list at least one item column")
    node_weights = tuple(float(weights.get(c.name, 1.0)) for c in children)
    if any(not w > 0 for w in node_weights):
        raise DesignError(f"weights of the children of '{name}' must be positive")
    return Node(name, children=tuple(children), weights=node_weights)


def _nodes(node: Node):
    yield node
    for child in node.children:
        yield from _nodes(child)


def _items(node: Node) -> list[str]:
    if node.items:
        return list(node.items)
    return [i for c in node.children for i in _items(c)]


def _walk(node: Node, position: dict[str, int], out: list) -> np.ndarray:
    """Append (node, coefficients over item shares) in post-order; return the node's."""
    coef = np.zeros(len(position))
    if node.items:
        for item in node.items:
            coef[position[item]] += 1.0 / len(node.items)
    else:
        total = sum(node.weights)
        for child, weight in zip(node.children, node.weights, strict=False):
            coef += weight / total * _walk(child, position, out)
    out.append((node, coef))
    return coef


def _answers(design: Design, item: str) -> np.ndarray:
    """The item's answers as codes 0-5 (int8), a blank counted as 0 ("no answer")."""
    column = design.data[item] if item in design.data.columns else None
    if column is not None and isinstance(column.dtype, np.dtype) and column.dtype.kind in "iu":
        values = column.to_numpy()  # whole numbers without blanks, as the typed readers give them
        bad = (values < 0) | (values > SCALE_MAX)
    else:
        values = numeric_column(design.data, item)
        bad = ~np.isnan(values) & ~((values >= 0) & (values <= SCALE_MAX) & (values == np.round(values)))
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise DesignError(f"column '{item}' row {row + 1}: answer {values[row]:g} is not 0-{SCALE_MAX}")
    return np.where(np.isnan(values), 0, values).astype(np.int8) if values.dtype.kind == "f" \
        else values.astype(np.int8, copy=False)


INTERVALS = ("beta", "logit")
#: per answer code 0-5: answered, satisfied, and the answer (for mean scores)
ANSWER_TABLE = np.array([[a > 0, a >= SATISFIED_FROM, a] for a in range(SCALE_MAX + 1)], float)
FLAG_TABLE = np.array([[0.0], [1.0]])  # a 0/1 flag as coded columns


def _columns(design: Design, items: list[str], meanscores: bool, node_items: list[list[str]]):
    """Per item: answered, satisfied (and the answer); then per node: answered any of its items."""
    position = {item: k for k, item in enumerate(items)}
    members = [[position[i] for i in node] for node in node_items]
    any_answered = [np.zeros(len(design.data), bool) for _ in node_items]
    table = ANSWER_TABLE if meanscores else ANSWER_TABLE[:, :2]
    for k, item in enumerate(items):
        answer = _answers(design, item)
        answered = answer > 0
        for flags, member in zip(any_answered, members, strict=True):
            if k in member:
                flags |= answered
        yield CodedColumns(answer, table)
    for flags in any_answered:
        yield CodedColumns(flags.view(np.int8), FLAG_TABLE)


def index_nodes(design: Design, tree: Mapping | Node, *, weights: Mapping[str, float] | None = None,
                   by: str | None = None, level: float = 0.95, overall: bool = False,
                   meanscores: bool = False, interval: str = "beta") -> list[Estimate]:
    """Every item share (and mean score), every element and node, and the index.

    Records come per domain in the order: shares, mean scores, then nodes
    bottom-up with the index last.
    """
    if interval not in INTERVALS:
        raise DesignError(f"interval '{interval}' is not one of {', '.join(INTERVALS)}")
    root = tree if isinstance(tree, Node) else parse_tree(tree, weights)
    items = list(dict.fromkeys(_items(root)))
    position = {item: k for k, item in enumerate(items)}
    nodes: list = []
    _walk(root, position, nodes)
    k, per_item = len(items), 3 if meanscores else 2
    base = np.arange(k) * per_item
    numerator, denominator = [base + 1], [base]
    if meanscores:
        numerator.append(base + 2)
        denominator.append(base)
    n_ratios = k * len(numerator)
    coefficients = [np.eye(n_ratios)]
    coefficients.append(np.array([np.pad(c, (0, n_ratios - k)) for _, c in nodes]))
    combo = Combination(np.concatenate(numerator), np.concatenate(denominator),
                        np.vstack(coefficients))
    node_items = [_items(node) for node, _ in nodes]
    answered_any = k * per_item + np.arange(len(nodes))
    beta = interval == "beta"

    def proportion_bounds(p, s, n, df):
        return korn_graubard(p, s, n, df, level) if beta else logit_interval(p, s, level, df)

    def node_bounds(e, s, n, df):
        return korn_graubard(e, s, n, df, level) if beta else t_interval(e, s, level, df)

    def t_bounds(e, s, n, df):
        return t_interval(e, s, level, df)

    share_method = ("taylor; korn-graubard (beta) interval, t(df), nchs effective n" if beta
                    else "taylor; logit interval, t(df)")
    node_method = ("taylor; korn-graubard (beta) interval, t(df), nchs effective n" if beta
                   else "taylor; wald interval, t(df)")
    results = []
    columns = _columns(design, items, meanscores, node_items)
    domains = estimate_domains(design, columns, combo, by, overall)
    if meanscores:  # the answers' squared deviations from each domain's mean score, for its deff
        scores = [np.where(answer > 0, answer, np.nan) for answer in (_answers(design, i) for i in items)]
        score_deviations = domain_deviation_sums(design, scores, by, overall)
    for domain, lin, d in domains:
        est, se = lin.estimate[d], np.sqrt(lin.variance[d])
        answered, weight_sum = lin.counts[d, base], lin.totals[d, base]

        def df_of(j, lin=lin, d=d):
            return lin.domain_df(d, j, design.df) if beta else design.df

        bounds = {}
        if beta:  # one Korn-Graubard call for the domain's shares and nodes, not one per record
            kg = np.concatenate([np.arange(k), n_ratios + np.arange(len(nodes))])
            low, high = korn_graubard(est[kg], se[kg], np.concatenate([answered, lin.counts[d, answered_any]]),
                                      np.array([df_of(j) for j in kg]), level)
            bounds = dict(zip(kg.tolist(), zip(low.tolist(), high.tolist(), strict=True), strict=True))
        for j, item in enumerate(items):
            p = est[j]
            results.append(build(item, "share", domain, p, se[j], bounds.get(j, proportion_bounds), df_of(j),
                                 _share_deff(p, se[j] ** 2, answered[j], weight_sum[j]), answered[j],
                                 share_method, level, lin.domain_psus(d, j)))
        if meanscores:
            spread = score_deviations[0 if domain is None else -1][d]
            for j, item in enumerate(items):
                m, s = est[k + j], se[k + j]
                vsrs = None if np.isnan(m) else srs_variance(answered[j], weight_sum[j], spread[j])
                results.append(build(item, "meanscore", domain, m, s, t_bounds, df_of(k + j),
                                     None if vsrs is None else s * s / vsrs,
                                     answered[j], "taylor; wald interval, t(df)", level,
                                     lin.domain_psus(d, k + j)))
        for offset, (node, _) in enumerate(nodes):
            j = n_ratios + offset
            statistic = "index" if node is root else ("element" if node.items else "node")
            results.append(build(node.name, statistic, domain, est[j], se[j], bounds.get(j, node_bounds), df_of(j),
                                 None, lin.counts[d, answered_any[offset]], node_method, level,
                                 lin.domain_psus(d, j)))
    return results


def _share_deff(share, variance, n, weight_sum):
    """R's svymean deff of a 0/1 answer.  Its squared deviations from the share sum to
    ``W p (1 - p)`` exactly, written as that product, not as ``p - p^2``, which cancels near
    ``p = 1``; a share of 0 or 1 (every answer equal) has no deff, as R's ``0/0``."""
    if np.isnan(share):
        return None
    vsrs = srs_variance(n, weight_sum, weight_sum * share * (1.0 - share))
    return None if vsrs is None else variance / vsrs
