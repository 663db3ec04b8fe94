"""Read the columns a command names from its data file, a CSV or a Parquet file.

A CSV is first read by pyarrow's multithreaded reader with every named column typed: answers
of the index as small integers, other numbers as float64, codes (strata, PSU, domains, raking
variables, categories) dictionary-encoded.  Whatever that reader cannot take as it stands (a
cell that is not a number of the column's type, a blank before a value, which pandas'
``skipinitialspace`` strips, a row with too many cells, a quoted line break) sends the file to
pandas' C parser, the reference behaviour; there a numeric column that fails to parse is read
again as text so that ``numeric_column`` names the first bad row.  Both readers take the same
cells as missing (pandas' default ``na_values``).

A Parquet file (recognised by its magic bytes, as ``flask export responses --format parquet``
writes it) is typed already: numeric columns stay numbers, any other column is text.

Codes come back as pandas categoricals whose categories are sorted, so factorising them with
``sort=True`` numbers strata and domains exactly as it numbers the same codes read as text.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

PARQUET_MAGIC = b"PAR1"
#: pandas' default ``na_values`` (``read_csv`` documentation), given to pyarrow as well
MISSING = ("", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND",
           "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null")


class UsageError(Exception):
    """A problem with the command line or the input files."""


def is_parquet(path: str) -> bool:
    """Whether ``path`` starts with Parquet's magic bytes (a missing file is not Parquet)."""
    try:
        with open(path, "rb") as handle:
            return handle.read(4) == PARQUET_MAGIC
    except OSError:
        return False


def header(path: str, what: str) -> list[str]:
    """The column names of a CSV or Parquet file, refusing a name given twice."""
    if is_parquet(path):
        import pyarrow.parquet as pq

        try:
            names = list(pq.read_schema(path).names)
        except (OSError, ValueError) as exc:  # pyarrow's errors are OSError or ValueError
            raise UsageError(f"không đọc được {what} {path}: {exc}") from exc
    else:
        try:
            first = pd.read_csv(path, dtype=str, skipinitialspace=True, header=None, nrows=1)
        except (OSError, ValueError) as exc:
            raise UsageError(f"không đọc được {what} {path}: {exc}") from exc
        names = [name for name in first.iloc[0] if isinstance(name, str)]  # blank names are not comparable
    twice = [name for name in dict.fromkeys(names) if names.count(name) > 1]
    if twice:  # pandas would silently rename the second one 'NAME.1'
        raise UsageError(f"{what} {path}: dòng tiêu đề có hai cột cùng tên '{twice[0]}'")
    return names


def read_columns(path: str, what: str, *, numeric: Sequence[str] = (), text: Sequence[str] = (),
                 answers: Sequence[str] = ()) -> pd.DataFrame:
    """Columns ``numeric`` as numbers (NaN for missing) and ``text`` as codes, and only those.

    ``answers`` lists the numeric columns expected to hold small whole numbers (scale answers),
    which the fast reader parses as such; any other value there sends it to pandas.
    """
    header(path, what)
    numeric = list(dict.fromkeys(numeric))
    text = [c for c in dict.fromkeys(text) if c not in numeric]
    if is_parquet(path):
        return _parquet(path, what, numeric, text)
    table = _arrow_csv(path, numeric, text, set(answers))
    if table is not None:
        return table
    return _pandas_csv(path, what, numeric, text)


def read_text(path: str, what: str) -> pd.DataFrame:
    """Every column of a (small) CSV as text, as the margins file is read."""
    header(path, what)
    try:
        return pd.read_csv(path, dtype=str, skipinitialspace=True)
    except (OSError, ValueError) as exc:
        raise UsageError(f"không đọc được {what} {path}: {exc}") from exc


def _arrow_csv(path: str, numeric: list[str], text: list[str], answers: set[str]) -> pd.DataFrame | None:
    """The columns read by pyarrow, or None if pyarrow cannot read them as pandas would."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    codes = pa.dictionary(pa.int32(), pa.string())
    types = {c: pa.int8() if c in answers else pa.float64() for c in numeric}
    types.update({c: codes for c in text})
    options = pcsv.ConvertOptions(include_columns=[*numeric, *text], column_types=types,
                                  null_values=list(MISSING), strings_can_be_null=True)
    try:
        table = pcsv.read_csv(path, convert_options=options)
    except (pa.ArrowException, OSError):
        return None
    columns = {name: table[name].to_numpy() for name in numeric}
    for name in text:
        column = _categories(table[name], refuse_leading_blank=True)
        if column is None:
            return None
        columns[name] = column
    return pd.DataFrame(columns, copy=False)


def _pandas_csv(path: str, what: str, numeric: list[str], text: list[str]) -> pd.DataFrame:
    """The columns read by pandas' C parser: numbers as float64, or every column as text when
    a number does not parse, so that ``numeric_column`` can name the column and row."""
    dtypes = {**{column: str for column in text}, **{column: "float64" for column in numeric}}
    try:
        try:
            return pd.read_csv(path, usecols=[*numeric, *text], dtype=dtypes, skipinitialspace=True,
                               engine="c")
        except ValueError:
            return pd.read_csv(path, usecols=[*numeric, *text], dtype=str, skipinitialspace=True)
    except (OSError, ValueError) as exc:
        raise UsageError(f"không đọc được {what} {path}: {exc}") from exc


def _categories(column, *, refuse_leading_blank: bool = False) -> pd.Categorical | None:
    """A dictionary-encoded arrow column as a categorical with sorted categories.

    With ``refuse_leading_blank``, None when a value starts with a blank, which pandas'
    ``skipinitialspace`` would have stripped.
    """
    import pyarrow as pa

    if column.num_chunks == 0:
        return pd.Categorical.from_codes(np.zeros(0, np.int64), categories=[])
    column = pa.Table.from_arrays([column], ["c"]).unify_dictionaries()["c"]
    dictionary = np.asarray(column.chunk(0).dictionary.to_pylist(), dtype=object)
    if refuse_leading_blank and any(value[:1].isspace() for value in dictionary):
        return None
    order = np.argsort(dictionary)
    rank = np.empty(len(order), np.int64)
    rank[order] = np.arange(len(order))
    indices = column.combine_chunks().indices.fill_null(-1).to_numpy()
    codes = np.where(indices < 0, -1, rank[np.maximum(indices, 0)]) if len(rank) else indices
    return pd.Categorical.from_codes(codes, categories=dictionary[order])


def _parquet(path: str, what: str, numeric: list[str], text: list[str]) -> pd.DataFrame:
    """The named columns of a Parquet file: numbers as numbers (NaN for missing), anything else
    as text codes."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(path)
        strings = [c for c in text if pa.types.is_string(schema.field(c).type)
                   or pa.types.is_large_string(schema.field(c).type)]
        table = pq.read_table(path, columns=[*numeric, *text], read_dictionary=strings)
    except (OSError, ValueError) as exc:
        raise UsageError(f"không đọc được {what} {path}: {exc}") from exc
    columns = {}
    for name in numeric:
        column = table[name]
        kind = column.type
        if pa.types.is_integer(kind) or pa.types.is_floating(kind):
            columns[name] = column.to_numpy()  # integers stay integers unless a value is missing
        elif pa.types.is_boolean(kind) or pa.types.is_decimal(kind):
            columns[name] = pc.cast(column, pa.float64()).to_numpy()
        else:  # e.g. a text column named as a number: numeric_column names its bad row
            columns[name] = _text_values(column)
    for name in text:
        column = table[name]
        if not pa.types.is_dictionary(column.type):
            column = pc.dictionary_encode(pc.cast(column, pa.string()))
        columns[name] = _categories(column)
    return pd.DataFrame(columns, copy=False)


def _text_values(column) -> np.ndarray:
    """An arrow column as an object array of strings, None where missing."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        column = pc.cast(column, pa.string())
    return np.asarray(column.to_pylist(), dtype=object)
