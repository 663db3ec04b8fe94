"""Command line: ``python -m analysis estimate|index|fh DATA.csv|DATA.parquet ...`` (fh: ``analysis.fh_cli``).

Bad arguments, unknown columns and non-numeric or infinite values exit with
status 2 and one line on stderr naming the column and row (row 1 = first
line after the header; margins rows count the same way).  Strata with a
single PSU, and a ``--success`` value that no row has, are reported on
stderr as notes.

Only the columns a command names are read (``analysis.data_file``): a CSV by
pyarrow's typed reader, falling back to pandas' C parser for what it cannot
take as it stands, or a Parquet file as exported with its types.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Sequence

import pandas as pd

from analysis import estimators, fh_cli
from analysis.api import STATISTICS, make_design
from analysis.data_file import UsageError, header, read_columns, read_text
from analysis.design import DesignError, numeric_column
from analysis.results import to_frame, to_records
from analysis.sipas import index_nodes, parse_tree
from analysis.tree import read_tree

EXIT_USAGE = 2


class _ArgumentParser(argparse.ArgumentParser):
    def error(self, message):  # one clear line instead of argparse's usage block
        raise UsageError(message)


def _parser() -> argparse.ArgumentParser:
    parser = _ArgumentParser(prog="python -m analysis", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    est = commands.add_parser("estimate", help="means, totals or proportions")
    est.add_argument("--var", action="append", required=True, metavar="COL")
    est.add_argument("--stat", required=True, choices=STATISTICS)
    est.add_argument("--success", metavar="VALUE", help="value counted as success (proportion)")
    idx = commands.add_parser("index", help="SIPAS item shares, elements and index")
    tree = idx.add_mutually_exclusive_group(required=True)
    tree.add_argument("--element", action="append", metavar="NAME=ITEM,ITEM,...")
    tree.add_argument("--tree", dest="tree_file", metavar="TREE.json",
                      help="index tree written by: flask export index-tree")
    idx.add_argument("--meanscores", action="store_true", help="also report mean score per item")
    for sub in (est, idx):
        sub.add_argument("data", metavar="DATA.csv|DATA.parquet")
        for option in ("weight", "strata", "cluster", "fpc", "by"):
            sub.add_argument(f"--{option}", metavar="COL")
        sub.add_argument("--rake", metavar="MARGINS.csv", help="columns variable,level,total")
        sub.add_argument("--level", type=float, default=0.95)
        sub.add_argument("--format", required=True, choices=("json", "csv"))
        sub.add_argument("--interval", choices=("beta", "logit"), default="beta",
                         help="interval of shares and index nodes: beta = Korn-Graubard, inside [0, 1] "
                              "at any n (default); logit = svyciprop's logit for shares and "
                              "estimate +/- t*se for nodes, as tests/data/reference_sipas.R")
    fh_cli.add_parser(commands)
    return parser


def read_margins(path: str) -> dict[str, dict[str, float]]:
    """``{variable: {level: total}}`` from a CSV with columns variable,level,total."""
    table = read_text(path, "tệp tổng biên (margins)")
    missing = [c for c in ("variable", "level", "total") if c not in table.columns]
    if missing:
        raise UsageError(f"margins {path}: thiếu cột '{missing[0]}' (cần các cột variable,level,total)")
    try:
        totals = numeric_column(table, "total")
    except DesignError as exc:
        raise UsageError(f"margins {path}: {exc}") from exc
    if table.empty:
        raise UsageError(f"margins {path}: không có dòng nào (cần các cột variable,level,total)")
    margins: dict[str, dict[str, float]] = {}
    first_row: dict[tuple[str, str], int] = {}
    for row, (variable, level, total) in enumerate(zip(table["variable"], table["level"], totals, strict=False), 1):
        if pd.isna(variable) or pd.isna(level) or pd.isna(total):
            raise UsageError(f"margins {path} dòng {row}: cần đủ cả variable, level và total")
        key = (variable.strip(), level.strip())
        if key in first_row:
            raise UsageError(f"margins {path} dòng {row}: {key[0]},{key[1]} trùng với dòng {first_row[key]}")
        first_row[key] = row
        margins.setdefault(key[0], {})[key[1]] = float(total)
    return margins


def _elements(specs: Sequence[str]) -> dict[str, list[str]]:
    tree: dict[str, list[str]] = {}
    for spec in specs:
        name, sep, items = spec.partition("=")
        columns = [i.strip() for i in items.split(",") if i.strip()]
        if not sep or not name.strip() or not columns:
            raise UsageError(f"--element '{spec}' phải có dạng NAME=ITEM,ITEM,... "
                             "(tên phần tử = các câu hỏi của nó)")
        if name.strip() in tree:
            raise UsageError(f"--element '{name.strip()}' được khai hai lần")
        tree[name.strip()] = columns
    return tree


def _check_options(args) -> None:
    """Refuse combinations argparse cannot see: a bad level, --success off proportions, repeats."""
    if not 0 < args.level < 1:
        raise UsageError(f"--level {args.level} phải lớn hơn 0 và nhỏ hơn 1")
    if args.command != "estimate":
        return
    if args.success is not None and args.stat != "proportion":
        raise UsageError(f"--success chỉ dùng với --stat proportion, không dùng với --stat {args.stat}")
    repeated = [v for v in dict.fromkeys(args.var) if args.var.count(v) > 1]
    if repeated:
        raise UsageError(f"--var '{repeated[0]}' được khai hai lần")


def _check_success(data: pd.DataFrame, args) -> None:
    """A --success value that no response has is most likely a typing error: say so."""
    if getattr(args, "success", None) is None:
        return
    for column in args.var:
        values = data[column].dropna().str.strip()
        if not (values == args.success.strip()).any():
            found = ", ".join(map(repr, sorted(values.unique())[:5]))
            print(f"analysis: lưu ý: không dòng nào của '{column}' có --success {args.success!r}, nên tỷ lệ "
                  f"bằng 0; các giá trị có: {found or 'không có'}", file=sys.stderr)


def _check_columns(names: Sequence[str], args) -> None:
    named = [("--var", c) for c in getattr(args, "var", None) or []]
    if args.tree_source is not None:
        for element, items in args.tree_source.node_items().items():
            option = "--element" if args.tree_file is None else f"--tree node '{element}'"
            named += [(option, c) for c in items]
    named += [(f"--{o}", getattr(args, o)) for o in ("weight", "strata", "cluster", "fpc", "by")]
    known = set(names)
    for option, column in named:
        if column is not None and column not in known:
            raise UsageError(f"không có cột '{column}' ({option}); dữ liệu có các cột: "
                             f"{', '.join(map(str, names))}")


def _columns(args, margins) -> tuple[list[str], list[str]]:
    """The columns to read as numbers and as text, and only those."""
    numeric = [c for c in (args.weight, args.fpc) if c]
    text = [c for c in (args.strata, args.cluster, args.by) if c]
    text += list(margins or ())
    if args.command == "index":
        numeric += list(args.tree_source.items)
    elif args.stat == "proportion":
        text += args.var  # categories are compared as text, as --success is given
    else:
        numeric += args.var
    return numeric, text


def _tree(args):
    """The index tree from --tree or the --element flags."""
    if args.tree_file is None:
        return _ElementTree(_elements(args.element))
    return read_tree(args.tree_file)


class _ElementTree:
    """The --element flags in the shape of a tree file: one level of elements under the index."""

    def __init__(self, tree: dict[str, list[str]]):
        self.root, self.tree, self.weights = "index", tree, {}
        self.items = tuple(dict.fromkeys(i for items in tree.values() for i in items))

    def node_items(self) -> dict[str, list[str]]:
        return self.tree


def run(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    try:
        args = _parser().parse_args(argv)
        if args.command == "fh":
            return fh_cli.run(args)
        _check_options(args)
        args.tree_file = getattr(args, "tree_file", None)
        args.tree_source = _tree(args) if args.command == "index" else None
        names = header(args.data, "tệp dữ liệu")
        _check_columns(names, args)
        margins = read_margins(args.rake) if args.rake else None
        numeric, text = _columns(args, margins)
        answers = args.tree_source.items if args.command == "index" else ()
        data = read_columns(args.data, "tệp dữ liệu", numeric=numeric, text=text, answers=answers)
        design = make_design(data, weight=args.weight, strata=args.strata, cluster=args.cluster,
                             fpc=args.fpc, rake=margins)
        options = dict(by=args.by, level=args.level)
        if args.command == "index":
            source = args.tree_source
            root = parse_tree(source.tree, source.weights, name=source.root)
            results = index_nodes(design, root, meanscores=args.meanscores, interval=args.interval,
                                  **options)
        elif args.stat == "proportion":
            results = estimators.proportion(design, args.var, success=args.success,
                                            interval=args.interval, **options)
        else:
            results = getattr(estimators, args.stat)(design, args.var, **options)
    except (UsageError, DesignError) as exc:
        print(f"analysis: lỗi: {exc}", file=sys.stderr)
        return EXIT_USAGE
    _check_success(data, args)
    if design.lonely_strata:
        print(f"analysis: lưu ý: {len(design.lonely_strata)} tầng chỉ có một PSU, xử lý như "
              f"survey.lonely.psu='adjust': {', '.join(map(str, design.lonely_strata))}", file=sys.stderr)
    if args.format == "json":
        # one write: json.dump's many small writes to stdout cost more than the encoding
        sys.stdout.write(json.dumps(to_records(results), indent=2, ensure_ascii=False) + "\n")
    else:
        to_frame(results).to_csv(sys.stdout, index=False)
    return 0
