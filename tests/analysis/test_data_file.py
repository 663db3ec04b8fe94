"""`analysis.data_file`: the fast typed readers give what pandas' reader gives, or hand over to it.

pandas' C parser (`_pandas_csv`) is the reference: the command read every file with it before
pyarrow's reader was added, and the golden tests ran on it.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from analysis import data_file
from analysis.design import Design
from tests.analysis.conftest import run_in_process

ROOT = Path(__file__).resolve().parents[2]
SIPAS = ROOT / "tests" / "data" / "sipas_synthetic.csv"
ITEMS = [f"q{k}" for k in range(1, 9)]

# An export-like file: BOM, CRLF, blank and "NA" cells, a quoted code with a comma, codes
# that look like numbers, and rows out of code order.
EXPORT_LIKE = ("\ufeffstratum,psu,weight,q1,q2,region\r\n"
               "24002,\"24002:2026-10-05\",2.5,4,,\"Buôn Ma Thuột, phía bắc\"\r\n"
               "24001,24001:2026-10-05,1.25,5,0,NA\r\n"
               "24001,24001:2026-10-06,1.0,,3,Ea Kar\r\n"
               "24002,24002:2026-10-06,3.0,1,5,\"Buôn Ma Thuột, phía bắc\"\r\n")


def _as_reference(frame: pd.DataFrame) -> pd.DataFrame:
    """Codes as plain text, for comparing a typed frame with pandas' text columns."""
    return frame.assign(**{c: frame[c].astype(object).where(frame[c].notna(), np.nan)
                           for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)})


@pytest.mark.parametrize("source", ["sipas", "export_like"])
def test_fast_csv_reader_matches_pandas(tmp_path, source):
    if source == "sipas":
        path, numeric, text = str(SIPAS), ["weight", *ITEMS], ["locality", "psu", "gender"]
    else:
        path = tmp_path / "export.csv"
        path.write_bytes(EXPORT_LIKE.encode("utf-8"))
        path, numeric, text = str(path), ["weight", "q1", "q2"], ["stratum", "psu", "region"]
    answers = [c for c in numeric if c != "weight"]
    fast = data_file._arrow_csv(path, numeric, text, set(answers))
    assert fast is not None  # a well-formed file stays on the fast path
    reference = data_file._pandas_csv(path, "data", numeric, text)
    pd.testing.assert_frame_equal(_as_reference(fast)[reference.columns].astype({c: float for c in numeric}),
                                  reference, check_dtype=False)
    for column in text:  # sorted categories: factorising numbers the codes as it numbers text
        codes, _ = pd.factorize(fast[column], sort=True)
        expected, _ = pd.factorize(reference[column], sort=True)
        assert (codes == expected).all()


@pytest.mark.parametrize("line,hands_over", [
    ("24001, 24001:2026-10-07,1.0,4,4,x", True),  # a blank before a code: pandas strips it
    ("24001,24001:2026-10-07,1.0,4.0,4,x", True),  # an answer written as a decimal
    ("24001,24001:2026-10-07,1.0,4,4,x,extra", True),  # one cell too many
    ("24001,24001:2026-10-07, 1.0, 4,4 ,x", False),  # blanks around numbers: both read 1.0 and 4
])
def test_odd_rows_read_as_pandas_reads_them(tmp_path, line, hands_over):
    path = tmp_path / "odd.csv"
    path.write_text(EXPORT_LIKE.lstrip("\ufeff").replace("\r\n", "\n") + line + "\n", encoding="utf-8")
    numeric, text = ["weight", "q1", "q2"], ["stratum", "psu", "region"]
    assert (data_file._arrow_csv(str(path), numeric, text, {"q1", "q2"}) is None) == hands_over
    frame = data_file.read_columns(str(path), "data", numeric=numeric, text=text, answers=["q1", "q2"])
    reference = data_file._pandas_csv(str(path), "data", numeric, text)
    pd.testing.assert_frame_equal(_as_reference(frame)[reference.columns], reference, check_dtype=False)


def test_parquet_reads_typed_columns_and_numbers_codes_as_text(tmp_path):
    """The same design from a Parquet file as from the CSV it was made of."""
    csv = pd.read_csv(SIPAS, dtype={"locality": str, "psu": str, "gender": str})
    path = tmp_path / "sipas.parquet"
    typed = csv.astype({item: "Int32" for item in ITEMS})
    typed.loc[2, "q2"] = pd.NA  # a blank answer
    pq.write_table(pa.Table.from_pandas(typed, preserve_index=False), path)
    assert data_file.is_parquet(str(path)) and not data_file.is_parquet(str(SIPAS))
    frame = data_file.read_columns(str(path), "data", numeric=["weight", *ITEMS], text=["locality", "psu"])
    assert frame["weight"].dtype == np.float64 and frame["q1"].dtype == np.int32
    assert frame["q2"].dtype == np.float64 and np.isnan(frame.loc[2, "q2"])  # missing: NaN, as from a CSV
    assert (frame[ITEMS].drop(index=2).to_numpy() == csv[ITEMS].drop(index=2).to_numpy()).all()
    from_parquet = Design.from_frame(frame, weight="weight", strata="locality", cluster="psu")
    from_csv = Design.from_frame(csv, weight="weight", strata="locality", cluster="psu")
    assert from_parquet.strata.labels == from_csv.strata.labels
    assert (from_parquet.psu == from_csv.psu).all() and (from_parquet.weights == from_csv.weights).all()


def test_parquet_with_a_text_value_in_a_number_column_names_the_row(tmp_path):
    path = tmp_path / "bad.parquet"
    pq.write_table(pa.table({"w": ["1.5", "abc"], "s": ["a", "b"], "q1": [4, 5]}), path)
    done = run_in_process("estimate", path, "--var", "q1", "--stat", "mean", "--weight", "w", "--format", "json")
    assert done.returncode == 2
    assert done.stderr.strip() == "analysis: lỗi: column 'w' row 2: 'abc' is not a number"


def test_parquet_header_naming_a_column_twice_exits_2(tmp_path):
    path = tmp_path / "twice.parquet"
    pq.write_table(pa.Table.from_arrays([pa.array([1.0]), pa.array([2.0])], names=["w", "w"]), path)
    done = run_in_process("estimate", path, "--var", "w", "--stat", "mean", "--format", "json")
    assert done.returncode == 2
    assert "dòng tiêu đề có hai cột cùng tên 'w'" in done.stderr
