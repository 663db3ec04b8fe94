"""``python -m analysis fh DATA.csv ...``: Fay–Herriot small-area estimates from a CSV.

One row per area (locality) with its direct estimate and sampling variance,
and the covariates, in the data or in a ``--covariate-file`` joined on the
area code (every area must have a row there).  A covariate column whose values are all text (e.g. the
locality kind ``phường``/``xã``) is coded as indicators of its levels after
the first in sorted order, like R's ``as.factor``.  Bad input exits with
status 2 and one line on stderr naming the column and row (row 1 = the first
line after the header).  The method is in ``analysis.sae`` and
``docs/analysis.md``.
"""

from __future__ import annotations

import json
import sys

import numpy as np
import pandas as pd

from analysis.sae.benchmark import BENCHMARK_TYPES
from analysis.sae.estimate import REPLICATES, small_area_estimates
from analysis.sae.intervals import INTERVALS
from analysis.sae.model import ADJUSTMENTS, METHODS
from analysis.sae.records import area_records, model_record
from analysis.sae.transform import TRANSFORMS

EXIT_USAGE = 2


class InputError(Exception):
    """A problem with the command line or the data file, named by column and row."""


def add_parser(subparsers) -> None:
    """Register the ``fh`` command on ``python -m analysis``'s subparsers."""
    fh = subparsers.add_parser("fh", help="Fay–Herriot small-area estimates per area")
    fh.add_argument("data", metavar="DATA.csv")
    fh.add_argument("--area", required=True, metavar="COL")
    fh.add_argument("--estimate", required=True, metavar="COL", help="direct estimate")
    fh.add_argument("--variance", required=True, metavar="COL", help="its sampling variance")
    fh.add_argument("--covariates", default="", metavar="C1,C2")
    fh.add_argument("--covariate-file", metavar="FILE.csv",
                    help="more covariate columns, one row per area, joined on the --area column")
    fh.add_argument("--method", choices=METHODS, default="reml")
    fh.add_argument("--fallback", choices=ADJUSTMENTS, default="yoshimori-lahiri",
                    help="adjusted likelihood used when σu² = 0")
    fh.add_argument("--transform", choices=TRANSFORMS, default="none")
    fh.add_argument("--n-eff", metavar="COL", help="effective sample size n/deff")
    fh.add_argument("--benchmark", type=float, metavar="VALUE", help="direct provincial estimate")
    fh.add_argument("--share", metavar="COL", help="population share of each area")
    fh.add_argument("--benchmark-type", choices=BENCHMARK_TYPES, default="ratio")
    fh.add_argument("--level", type=float, default=0.95)
    fh.add_argument("--interval", choices=INTERVALS, default="mse",
                    help="mse: EBLUP ± z√MSE; bootstrap: Chatterjee–Lahiri–Li parametric "
                         "bootstrap; robust: Armstrong–Kolesár–Plagborg-Møller robust EB interval")
    fh.add_argument("--replicates", type=int, default=REPLICATES, help="bootstrap replicates")
    fh.add_argument("--seed", type=int, help="bootstrap seed")
    fh.add_argument("--format", required=True, choices=("json", "csv"))


def _read(path: str, what: str = "tệp dữ liệu") -> pd.DataFrame:
    try:
        header = pd.read_csv(path, dtype=str, header=None, nrows=1)
        table = pd.read_csv(path, dtype=str, skipinitialspace=True, keep_default_na=False)
    except (OSError, ValueError) as exc:
        raise InputError(f"không đọc được {what} {path}: {exc}") from exc
    names = [str(name).strip() for name in header.iloc[0]]
    twice = [name for name in dict.fromkeys(names) if names.count(name) > 1]
    if twice:  # pandas would silently rename the second one 'NAME.1'
        raise InputError(f"{what} {path}: dòng tiêu đề có hai cột cùng tên '{twice[0]}'")
    table.columns = names
    return table.apply(lambda column: column.str.strip())


def _unique(table: pd.DataFrame, name: str, where: str = "") -> pd.Series:
    """The area column, each area once."""
    area = _column(table, name, "--area", where)
    first: dict[str, int] = {}
    for row, code in enumerate(area, 1):
        if code in first:
            raise InputError(f"{where}cột '{name}' dòng {row}: địa bàn '{code}' trùng với dòng "
                             f"{first[code]}")
        first[code] = row
    return area


def _join(table: pd.DataFrame, path: str, area: str) -> pd.DataFrame:
    """The data with the covariate file's columns, matched on the area code."""
    extra = _read(path, "tệp biến phụ trợ")
    where = f"tệp biến phụ trợ {path}: "
    codes = _unique(extra, area, where)
    clash = [c for c in extra.columns if c != area and c in table.columns]
    if clash:
        raise InputError(f"{where}cột '{clash[0]}' trùng tên với một cột của dữ liệu")
    position = {code: k for k, code in enumerate(codes)}
    missing = [(row, code) for row, code in enumerate(table[area], 1) if code not in position]
    if missing:
        row, code = missing[0]
        raise InputError(f"{where}không có dòng cho địa bàn '{code}' (cột '{area}' dòng {row} của dữ liệu)")
    matched = extra.iloc[[position[code] for code in table[area]]].drop(columns=area)
    joined = pd.concat([table, matched.set_axis(table.index)], axis=1)
    joined.attrs["joined"] = {c: f"{where}ghép vào dữ liệu, " for c in matched.columns}
    return joined


def _column(table: pd.DataFrame, name: str, option: str, where: str = "") -> pd.Series:
    if name not in table.columns:
        raise InputError(f"{where}không có cột '{name}' ({option}); "
                         f"{'tệp có' if where else 'dữ liệu có'} các cột: {', '.join(table.columns)}")
    column = table[name]
    blank = column == ""
    if blank.any():
        raise InputError(f"{where}cột '{name}' dòng {int(np.argmax(blank)) + 1}: thiếu giá trị")
    return column


def _numbers(table, name, option, *, low=None, strict=False, high=None, what="",
             where="") -> np.ndarray:
    """A numeric column, every value finite and in ``[low, high]`` (``low`` excluded if strict)."""
    column = _column(table, name, option, where)
    values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)
    for row, (text, value) in enumerate(zip(column, values, strict=False), 1):
        bad = None
        if not np.isfinite(value):
            bad = "không phải số hữu hạn"
        elif low is not None and (value <= low if strict else value < low):
            bad = f"phải {'lớn hơn 0' if strict and low == 0 else f'ít nhất là {low}'}"
        elif high is not None and value > high:
            bad = f"phải nhiều nhất là {high}"
        if bad:
            raise InputError(f"{where}cột '{name}' dòng {row}: {what or 'giá trị'} {text!r} {bad}")
    return values


def _design(table: pd.DataFrame, names: list[str]) -> tuple[np.ndarray, list[str]]:
    """X with the intercept first; text columns become level indicators."""
    columns, labels = [np.ones(len(table))], ["(Intercept)"]
    for name in names:
        # a joined column's rows are the data's rows: say where the value came from
        where = table.attrs.get("joined", {}).get(name, "")
        column = _column(table, name, "--covariates", where)
        values = pd.to_numeric(column, errors="coerce")
        if values.isna().all():
            levels = sorted(column.unique())
            for level in levels[1:]:
                columns.append((column == level).to_numpy(dtype=float))
                labels.append(f"{name}{level}")
        else:
            columns.append(_numbers(table, name, "--covariates", where=where))
            labels.append(name)
        rank = np.linalg.matrix_rank(np.column_stack(columns))
        if rank < len(columns):
            raise InputError(f"cột '{name}' (--covariates): cộng tuyến với hệ số chặn và các biến phụ trợ "
                             "đứng trước (là hằng số, hoặc là tổ hợp của chúng)")
    return np.column_stack(columns), labels


def _check_options(args) -> list[str]:
    covariates = [c.strip() for c in args.covariates.split(",") if c.strip()]
    repeated = [c for c in dict.fromkeys(covariates) if covariates.count(c) > 1]
    if repeated:
        raise InputError(f"--covariates nêu '{repeated[0]}' hai lần")
    if not 0 < args.level < 1:
        raise InputError(f"--level {args.level} phải lớn hơn 0 và nhỏ hơn 1")
    if (args.benchmark is None) != (args.share is None):
        raise InputError("--benchmark GIÁ_TRỊ và --share CỘT phải đi cùng nhau")
    if args.benchmark is not None and not np.isfinite(args.benchmark):
        raise InputError(f"--benchmark {args.benchmark} không phải số hữu hạn")
    if args.n_eff is not None and args.transform == "none":
        raise InputError("--n-eff chỉ dùng với --transform arcsine hoặc logit")
    if args.replicates < 1:
        raise InputError(f"--replicates {args.replicates} phải ít nhất là 1")
    return covariates


def _estimate(args):
    covariates = _check_options(args)
    table = _read(args.data)
    area = _unique(table, args.area)
    if args.covariate_file is not None:
        table = _join(table, args.covariate_file, args.area)
    shares = args.transform != "none"
    direct = _numbers(table, args.estimate, "--estimate", what="ước lượng",
                      low=0 if shares else None, high=1 if shares else None)
    n_eff = None
    if args.n_eff is not None:
        n_eff = _numbers(table, args.n_eff, "--n-eff", low=0, strict=True, what="ñ")
    # Without ñ the variance defines the model-scale variance, so it must be positive.
    variance = _numbers(table, args.variance, "--variance", low=0, strict=n_eff is None,
                        what="phương sai")
    if shares and n_eff is None:
        edge = (direct <= 0) | (direct >= 1)
        if edge.any():
            row = int(np.argmax(edge)) + 1
            raise InputError(f"cột '{args.estimate}' dòng {row}: tỷ lệ {direct[row - 1]:g} "
                             "làm ñ = p(1−p)/phương sai bằng 0; hãy thêm --n-eff CỘT")
    if args.transform == "logit":
        edge = (direct <= 0) | (direct >= 1)
        if edge.any():
            row = int(np.argmax(edge)) + 1
            raise InputError(f"cột '{args.estimate}' dòng {row}: phép logit cần tỷ lệ "
                             f"lớn hơn 0 và nhỏ hơn 1, ở đây là {direct[row - 1]:g}")
    X, labels = _design(table, covariates)
    if len(table) <= X.shape[1] + 1:
        raise InputError(f"{len(table)} địa bàn nhưng có {X.shape[1] + 1} tham số (hệ số chặn, "
                         f"{len(labels) - 1} số hạng biến phụ trợ và σu²): số địa bàn phải nhiều hơn "
                         "số tham số")
    share = None
    if args.share is not None:
        share = _numbers(table, args.share, "--share", low=0, what="tỷ trọng")
        if not share.sum() > 0:
            raise InputError(f"cột '{args.share}': tổng các tỷ trọng bằng 0")
    result = small_area_estimates(
        direct, variance, X, method=args.method, transform=args.transform, n_eff=n_eff,
        fallback=args.fallback, benchmark_value=args.benchmark, shares=share,
        benchmark_type=args.benchmark_type, level=args.level, replicates=args.replicates,
        seed=args.seed, interval=args.interval)
    return result, list(area), labels


def run(args) -> int:
    """Run ``fh`` on parsed arguments; return the exit status."""
    try:
        result, areas, labels = _estimate(args)
    except InputError as exc:
        print(f"analysis: lỗi: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if not result.fit.converged:
        print("analysis: lưu ý: phương pháp Fisher scoring cho σu² không hội tụ; các ước lượng là "
              "của lần lặp cuối", file=sys.stderr)
    records = area_records(result, areas)
    if args.format == "json":
        json.dump({"model": model_record(result, labels), "areas": records}, sys.stdout,
                  indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        pd.DataFrame(records).to_csv(sys.stdout, index=False)
    return 0
