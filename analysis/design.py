"""The survey design: weights, strata, PSUs nested in strata, optional fpc.

Follows R's ``svydesign(id=~psu, strata=~stratum, weights=~w, nest=TRUE)``
(Lumley, *Complex Surveys*, ch. 2): PSUs are treated as drawn with
replacement unless an fpc is given (Lohr, *Sampling: Design and Analysis*,
ch. 6), PSU labels are nested within strata, and the degrees of freedom are
PSUs minus strata.  A stratum with one PSU is handled as
``options(survey.lonely.psu = "adjust")`` and listed in ``lonely_strata``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterable

import numpy as np
import pandas as pd

from analysis.linearization import CellCalibration, GroupSums, StrataInfo


class DesignError(ValueError):
    """Bad design columns or values; the message names the column and row."""


@dataclass(frozen=True, eq=False)
class CodedColumns:
    """Response-level columns given as ``table[codes]``: one small integer code per response
    (e.g. a scale answer 0-5) and, per code, its value in each column.

    ``Design.group_sums`` sums weights by (group, code) with one ``bincount`` and turns those
    into the columns' sums with ``table``, instead of one weighted ``bincount`` per column.
    """

    codes: np.ndarray  # (n,) integers in 0 .. len(table) - 1
    table: np.ndarray  # (codes, columns) value of each column for each code


def numeric_column(data: pd.DataFrame, column: str, *, finite: bool = True) -> np.ndarray:
    """Column as float64 (NaN for blanks); a non-numeric value raises naming its row.

    Rows are numbered from 1 in data order, so row 1 is the first line after
    a CSV header.  With ``finite`` (the default) an infinite value, such as
    ``inf`` or ``1e400`` (which overflows), raises the same way: it would turn
    every sum it enters into NaN.
    """
    if column not in data.columns:
        raise DesignError(f"unknown column '{column}'")
    values = data[column]
    if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
        parsed = values.to_numpy(dtype=float, na_value=np.nan)
    else:
        text = values.astype("string").str.strip()
        numbers = pd.to_numeric(text.replace("", pd.NA), errors="coerce")
        bad = numbers.isna().to_numpy() & text.notna().to_numpy() & (text != "").fillna(False).to_numpy()
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise DesignError(f"column '{column}' row {row + 1}: {text.iloc[row]!r} is not a number")
        parsed = numbers.to_numpy(dtype=float, na_value=np.nan)
    infinite = np.isinf(parsed)
    if finite and infinite.any():
        row = int(np.flatnonzero(infinite)[0])
        shown = str(values.iloc[row]).strip()
        raise DesignError(f"column '{column}' row {row + 1}: {shown!r} is not a finite number")
    return parsed


def _check_weights(weights: np.ndarray, column: str) -> None:
    """Refuse missing, non-positive and infinite weights, counting the rows."""
    unusable = ~(weights > 0)  # NaN fails every comparison
    infinite = np.isinf(weights) & ~unusable
    bad = unusable | infinite
    if bad.any():
        kind = ("missing or non-positive" if not infinite.any() else
                "infinite" if not unusable.any() else "missing, non-positive or infinite")
        raise DesignError(f"weight column '{column}': {int(bad.sum())} rows have {kind} weights "
                          f"(first at row {int(np.flatnonzero(bad)[0]) + 1})")


def factorize_sorted(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize(values, sort=True)``: codes (-1 for missing) and the sorted values.

    A categorical whose categories are sorted and all used (as ``analysis.data_file`` reads
    codes) already holds the answer in its codes, which saves hashing a million rows.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes, categories = values.cat.codes.to_numpy(), values.cat.categories
        if categories.is_monotonic_increasing and \
                (np.bincount(codes[codes >= 0], minlength=len(categories)) > 0).all():
            return codes.astype(np.int64), categories.to_numpy()
    codes, uniques = pd.factorize(values, sort=True)
    return codes, np.asarray(uniques)


def _labels(data: pd.DataFrame, column: str, role: str) -> tuple[np.ndarray, np.ndarray]:
    if column not in data.columns:
        raise DesignError(f"unknown {role} column '{column}'")
    codes, uniques = factorize_sorted(data[column])
    missing = codes < 0
    if missing.any():
        raise DesignError(f"{role} column '{column}': {int(missing.sum())} rows have no value "
                          f"(first at row {int(np.flatnonzero(missing)[0]) + 1})")
    return codes.astype(np.int64), np.asarray(uniques)


@dataclass(frozen=True, eq=False)
class Design:
    """A sample bound to its design; estimators are functions of it.

    ``weights`` are the final (possibly calibrated) weights, ``base_weights``
    the design weights before calibration.  Build one with ``from_frame``.
    """

    data: pd.DataFrame
    weights: np.ndarray
    base_weights: np.ndarray
    stratum: np.ndarray  # (n,) stratum index
    psu: np.ndarray  # (n,) PSU index, unique across strata
    psu_stratum: np.ndarray  # (P,) stratum index of each PSU
    strata: StrataInfo
    cell: np.ndarray | None = None  # (n,) calibration cell
    calibration: CellCalibration | None = None

    @classmethod
    def from_frame(cls, data: pd.DataFrame, weight: str | None = None, strata: str | None = None,
                   cluster: str | None = None, fpc: str | None = None) -> Design:
        """Bind ``data`` to a design given by its column names (all optional)."""
        n = len(data)
        if n == 0:
            raise DesignError("the data have no rows")
        if weight is None:
            weights = np.ones(n)
        else:
            weights = numeric_column(data, weight, finite=False)
            _check_weights(weights, weight)
        stratum, labels = (np.zeros(n, np.int64), np.array(["all"])) if strata is None \
            else _labels(data, strata, "strata")
        if cluster is None:
            psu = np.arange(n, dtype=np.int64)
        else:
            within, _ = _labels(data, cluster, "cluster")
            psu = pd.factorize(stratum * (within.max() + 1) + within)[0].astype(np.int64)
        psu_stratum = np.zeros(psu.max() + 1, np.int64)
        psu_stratum[psu] = stratum
        n_psu = np.bincount(psu_stratum, minlength=len(labels))
        population = None if fpc is None else _population_psu(data, fpc, stratum, labels, n_psu)
        info = StrataInfo(tuple(labels.tolist()), n_psu, population)
        return cls(data, weights, weights, stratum, psu, psu_stratum, info)

    @property
    def df(self) -> int:
        """Degrees of freedom: PSUs minus strata."""
        return self.strata.degrees_of_freedom

    @property
    def lonely_strata(self) -> tuple:
        """Strata with a single PSU, whose variance is handled as R's "adjust"."""
        return self.strata.lonely

    def with_weights(self, weights: np.ndarray, cell: np.ndarray | None = None,
                     calibration: CellCalibration | None = None) -> Design:
        """A new design with new weights.

        Without ``calibration`` the new weights become the design weights
        (trimming); with it, the current weights are kept as the base weights
        the calibration started from.
        """
        base = weights if calibration is None else self.weights
        return replace(self, weights=weights, base_weights=base, cell=cell, calibration=calibration)

    def group_sums(self, columns: Iterable[np.ndarray], domain: np.ndarray, n_domains: int) -> GroupSums:
        """Sums of each column by (PSU, domain[, cell]); the SQL GROUP BY of docs/analysis.md.

        ``columns`` may be a generator, so only one response-level column is
        alive at a time; NaN must already be coded as 0 by the caller.  An item may
        also be a ``CodedColumns``, which stands for its table's columns in order.
        """
        n_cells = 1 if self.cell is None else int(self.cell.max()) + 1
        key = (self.psu * n_domains + domain) * n_cells
        if self.cell is not None:
            key = key + self.cell
        size = (int(self.psu.max()) + 1) * n_domains * n_cells
        if size <= 4 * len(key):
            present = np.bincount(key, minlength=size) > 0
            slot = np.cumsum(present) - 1
            group, inverse = np.flatnonzero(present), slot[key]
        else:
            group, inverse = np.unique(key, return_inverse=True)
        n_groups = len(group)
        weighted, unweighted = [], []
        for values in columns:
            if isinstance(values, CodedColumns):
                width = len(values.table)
                key = inverse * width + values.codes
                by_code = np.bincount(key, weights=self.weights, minlength=n_groups * width)
                rows_by_code = np.bincount(key, minlength=n_groups * width).astype(float)
                weighted.extend((by_code.reshape(n_groups, width) @ values.table).T)
                unweighted.extend((rows_by_code.reshape(n_groups, width) @ values.table).T)
                continue
            weighted.append(np.bincount(inverse, weights=self.weights * values, minlength=n_groups))
            unweighted.append(np.bincount(inverse, weights=values, minlength=n_groups))
        base = None if self.cell is None else np.bincount(inverse, weights=self.base_weights,
                                                          minlength=n_groups)
        return GroupSums(
            psu=group // n_cells // n_domains, domain=(group // n_cells) % n_domains,
            weighted=np.column_stack(weighted), unweighted=np.column_stack(unweighted),
            rows=np.bincount(inverse, minlength=n_groups), n_domains=n_domains,
            cell=None if self.cell is None else group % n_cells, base_weight=base)


def _population_psu(data, fpc, stratum, labels, n_psu) -> np.ndarray:
    """N_h per stratum from the fpc column, refusing values that contradict the sample."""
    values = numeric_column(data, fpc)
    missing = np.isnan(values)
    if missing.any():
        raise DesignError(f"fpc column '{fpc}': {int(missing.sum())} rows have no value "
                          f"(first at row {int(np.flatnonzero(missing)[0]) + 1})")
    first_row = np.full(len(labels), len(values))
    np.minimum.at(first_row, stratum, np.arange(len(values)))
    value = values[first_row]
    differs = values != value[stratum]
    if differs.any():
        row = int(np.flatnonzero(differs)[0])
        h = stratum[row]
        raise DesignError(f"fpc column '{fpc}' varies within a stratum: row {row + 1} has "
                          f"{values[row]:g}, row {first_row[h] + 1} has {value[h]:g} "
                          f"(stratum '{labels[h]}')")
    if (value > 1).any() and (value < 1).any() or (value <= 0).any():
        raise DesignError(f"fpc column '{fpc}': give all population sizes (>= 1) or all "
                          "sampling fractions (0 < f <= 1)")
    population = value if (value > 1).any() else n_psu / value
    short = np.flatnonzero(population < n_psu)
    if short.size:
        h = int(short[0])
        raise DesignError(f"fpc column '{fpc}' row {first_row[h] + 1}: stratum '{labels[h]}' has "
                          f"{n_psu[h]} sampled PSUs but a population of {population[h]:g} PSUs")
    return population.astype(float)


def domain_codes(design: Design, by: str | None) -> tuple[np.ndarray, list, int]:
    """Domain index per response, domain labels, and the number of domains used.

    Responses whose ``by`` value is missing go to an extra, unreported domain
    so that they still count in the design, as ``svyby`` keeps them.
    """
    n = len(design.data)
    if by is None:
        return np.zeros(n, np.int64), [None], 1
    if by not in design.data.columns:
        raise DesignError(f"unknown by column '{by}'")
    codes, uniques = factorize_sorted(design.data[by])
    if len(uniques) == 0:
        raise DesignError(f"by column '{by}' has no values, so there are no domains to report")
    labels = [v.item() if hasattr(v, "item") else v for v in uniques]
    codes = np.where(codes < 0, len(labels), codes).astype(np.int64)
    return codes, labels, len(labels) + int((codes == len(labels)).any())
