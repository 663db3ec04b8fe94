"""Read an index tree file (``flask export index-tree``) into the tree ``index_nodes`` takes.

The file is the questionnaire's ``index`` section as JSON::

    {"questionnaire": "sipas-2026", "version": 1, "item_score": "share_satisfied",
     "root": "sipas",
     "nodes": [{"code": "sipas", "children": ["service", "policy"], "weights": null, ...},
               {"code": "access", "children": ["tc1", "tc2"], "weights": null, ...}, ...]}

A child that is the code of another node is that node; any other child is an
item, a column of the data.  ``weights`` is ``null`` (equal weights) or one
positive number per child.  The SIPAS rule (QĐ 1001/QĐ-BNV) makes each node
the mean of its children, so a node lists either items (an element) or nodes,
never both.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any, Mapping

from analysis.design import DesignError

ITEM_SCORES = ("share_satisfied",)


class TreeError(DesignError):
    """An index tree file that cannot be used; the message names the node."""


@dataclass(frozen=True)
class IndexTreeFile:
    """A tree read from a file: ``tree`` and ``weights`` as ``parse_tree`` takes them."""

    root: str
    tree: dict[str, Any]
    weights: dict[str, float]
    items: tuple[str, ...]

    def node_items(self) -> dict[str, tuple[str, ...]]:
        """Each element (a node listing items) with its item columns."""
        found: dict[str, tuple[str, ...]] = {}

        def walk(name: str, spec: Any) -> None:
            if isinstance(spec, dict):
                for child, below in spec.items():
                    walk(child, below)
            else:
                found[name] = tuple(spec)

        walk(self.root, self.tree)
        return found


def read_tree(path: str) -> IndexTreeFile:
    """The tree in the JSON file ``path``; :class:`TreeError` names what is wrong and where."""
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except OSError as exc:
        raise TreeError(f"cannot read tree {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise TreeError(f"tree {path} is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise TreeError(f"tree {path} line {exc.lineno}: not valid JSON ({exc.msg})") from None
    return tree_from_dict(data, path)


def tree_from_dict(data: Any, source: str = "tree") -> IndexTreeFile:
    """Check and convert the parsed JSON of a tree file."""
    if not isinstance(data, Mapping) or not isinstance(data.get("nodes"), list) or not data["nodes"]:
        raise TreeError(f"{source}: expected an object with a non-empty 'nodes' list")
    score = data.get("item_score", "share_satisfied")
    if score not in ITEM_SCORES:
        raise TreeError(f"{source}: item_score '{score}' is not supported (use share_satisfied)")
    nodes: dict[str, tuple[list[str], list[float] | None]] = {}
    for position, node in enumerate(data["nodes"], 1):
        code = node.get("code") if isinstance(node, Mapping) else None
        if not isinstance(code, str) or not code.strip():
            raise TreeError(f"{source}: node {position} has no 'code'")
        if code in nodes:
            raise TreeError(f"{source}: node '{code}' is defined twice")
        children = node.get("children")
        if not isinstance(children, list) or not children:
            raise TreeError(f"{source}: node '{code}' has no children")
        if not all(isinstance(c, str) and c.strip() for c in children):
            raise TreeError(f"{source}: node '{code}' has a child that is not a code")
        twice = [c for c in dict.fromkeys(children) if children.count(c) > 1]
        if twice:
            raise TreeError(f"{source}: node '{code}' lists '{twice[0]}' twice")
        nodes[code] = (children, _weights(node.get("weights"), code, len(children), source))
    below = {child for children, _ in nodes.values() for child in children}
    roots = [code for code in nodes if code not in below]
    root = data.get("root") or (roots[0] if len(roots) == 1 else None)
    if root is None:
        raise TreeError(f"{source}: no single root node (tops found: {', '.join(roots) or 'none'}; "
                        "every node is someone's child, which means a cycle)")
    if root not in nodes:
        raise TreeError(f"{source}: root '{root}' is not one of the nodes")
    unreached = [code for code in nodes if code != root and code not in below]
    if unreached:
        raise TreeError(f"{source}: node '{unreached[0]}' is not reachable from the root '{root}'")
    weights: dict[str, float] = {}
    items: list[str] = []

    def build(code: str, path: tuple[str, ...]) -> Any:
        if code in path:
            raise TreeError(f"{source}: node '{code}' is its own ancestor (cycle "
                            f"{' -> '.join(path + (code,))})")
        children, child_weights = nodes[code]
        kinds = {child in nodes for child in children}
        if len(kinds) > 1:
            raise TreeError(f"{source}: node '{code}' mixes items and nodes among its children; "
                            "put the items into an element of their own")
        if child_weights is not None:
            weights.update(zip(children, child_weights, strict=False))
        if True in kinds:
            return {child: build(child, path + (code,)) for child in children}
        if child_weights is not None and len(set(child_weights)) > 1:
            raise TreeError(f"{source}: node '{code}' weights its items unequally; an element is the "
                            "plain mean of its items' shares")
        items.extend(children)
        return list(children)

    tree = build(root, ())
    if not isinstance(tree, dict):
        raise TreeError(f"{source}: root '{root}' lists items directly; it needs elements below it")
    return IndexTreeFile(root=root, tree=tree, weights=weights, items=tuple(dict.fromkeys(items)))


def _weights(raw: Any, code: str, count: int, source: str) -> list[float] | None:
    if raw is None:
        return None
    if not isinstance(raw, list) or len(raw) != count:
        raise TreeError(f"{source}: node '{code}' needs one weight per child ({count}), or null")
    try:
        values = [float(w) for w in raw]
    except (TypeError, ValueError):
        raise TreeError(f"{source}: node '{code}' has a weight that is not a number") from None
    if not all(math.isfinite(w) and w > 0 for w in values):
        raise TreeError(f"{source}: node '{code}' has a weight that is not a positive finite number")
    return values
