"""The Parquet export: typed columns, the codebook in its metadata, and `python -m analysis` on it."""

import datetime as dt
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from survey.exports.parquet import read_metadata
from tests.analysis.conftest import run_in_process
from tests.factories import make_centre, make_field, make_locality, make_response, make_wave

SAME = 1e-12  # CSV writes each float's shortest round-tripping text, so only the order of sums may differ
DAYS = [dt.datetime(2026, 10, day, 3, 30, tzinfo=dt.timezone.utc) for day in (5, 6, 7)]
ITEMS = ("tc1", "tc2", "tc3", "tc4", "tt1", "kq1")


@pytest.fixture
def wave(db_session):
    """Two communes over three desk-days (so strata with several PSUs), varied answers, some
    "Không trả lời" (code 0, an empty cell) and some items not answered at all."""
    wave = make_wave(db_session, code="2026Q4")
    field = make_field(db_session)
    centres = [make_centre(db_session, make_locality(db_session, code=code, name=name))
               for code, name in (("24001", "Xã A"), ("24002", "Phường B"))]
    for c, centre in enumerate(centres):
        for d, day in enumerate(DAYS):
            for r in range(3 + c + d):
                answers = {item: str((r + 2 * c + d + k) % 6) for k, item in enumerate(ITEMS)}
                make_response(db_session, wave, centre, answers, field=field, submitted_at=day)
    db_session.commit()
    return wave


def _export(runner, tmp_path, fmt):
    out = tmp_path / f"responses.{fmt}"
    result = runner.invoke(args=["export", "responses", "--wave", "2026Q4", "--format", fmt, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_parquet_and_csv_exports_give_the_same_figures(runner, db_session, tmp_path, wave):
    """Round trip: `python -m analysis index` on the Parquet export equals the same command on the CSV."""
    tree = tmp_path / "tree.json"
    result = runner.invoke(args=["export", "index-tree", "--questionnaire", "sipas-2026", "--out", str(tree)])
    assert result.exit_code == 0, result.output
    figures = {}
    for fmt in ("csv", "parquet"):
        done = run_in_process("index", _export(runner, tmp_path, fmt), "--tree", tree, "--weight", "design_weight",
                              "--strata", "stratum", "--cluster", "psu", "--by", "locality_code",
                              "--meanscores", "--format", "json")
        assert done.returncode == 0, done.stderr
        figures[fmt] = json.loads(done.stdout)
    from_csv, from_parquet = figures["csv"], figures["parquet"]
    assert [(r["node"], r["statistic"], r["domain"], r["n"], r["df"], r["note"]) for r in from_parquet] == \
        [(r["node"], r["statistic"], r["domain"], r["n"], r["df"], r["note"]) for r in from_csv]
    for ours, theirs in zip(from_parquet, from_csv, strict=True):
        for key in ("estimate", "se", "ci_low", "ci_high", "deff"):
            assert ours[key] == (None if theirs[key] is None else pytest.approx(theirs[key], rel=SAME))
    shares = [r for r in from_parquet if r["statistic"] == "share" and r["node"] == "tc1"]
    assert {r["domain"]["locality_code"] for r in shares} == {"24001", "24002"}  # codes stay text
    assert all(0 < r["estimate"] < 1 and r["se"] > 0 for r in shares)

    done = run_in_process("estimate", tmp_path / "responses.parquet", "--var", "tc1", "--stat", "mean",
                          "--weight", "design_weight", "--strata", "stratum", "--cluster", "psu", "--format", "json")
    assert done.returncode == 0, done.stderr
    (mean,) = json.loads(done.stdout)
    data = pq.read_table(tmp_path / "responses.parquet", columns=["tc1", "design_weight"]).to_pandas().dropna()
    assert mean["n"] == len(data)  # the weighted mean of the answers given, as svymean(na.rm = TRUE)
    expected = (data["tc1"] * data["design_weight"]).sum() / data["design_weight"].sum()
    assert mean["estimate"] == pytest.approx(expected, rel=SAME)


def test_parquet_columns_are_typed_and_the_codebook_is_in_its_metadata(runner, db_session, tmp_path, wave):
    path = _export(runner, tmp_path, "parquet")
    table = pq.read_table(path)
    schema = table.schema
    assert schema.field("design_weight").type == pa.float64()
    assert schema.field("tc1").type == pa.int32()
    assert schema.field("gender").type == schema.field("other_comments").type == pa.string()  # unanswered here
    assert {schema.field(name).type for name in ("stratum", "psu", "locality_code", "local_date")} == {pa.string()}
    assert table.num_rows == sum(3 + c + d for c in range(2) for d in range(3))
    tc1 = table.column("tc1").to_pylist()
    assert None in tc1 and set(tc1) - {None} <= {1, 2, 3, 4, 5}  # "Không trả lời" is null, not 0
    assert table.column("tt2").null_count == table.num_rows  # asked of nobody here

    metadata = read_metadata(path)
    assert [row["column"] for row in metadata["codebook"]] == schema.names
    tc1_book = next(row for row in metadata["codebook"] if row["column"] == "tc1")
    assert tc1_book["type"] == "likert" and "4 = Hài lòng" in tc1_book["choices"]
    assert tc1_book["index_element"].startswith("access: Tiếp cận dịch vụ")
    tree = metadata["index_tree"]
    assert tree["root"] == "sipas" and tree["item_score"] == "share_satisfied"
    assert next(node for node in tree["nodes"] if node["code"] == "access")["children"] == ["tc1", "tc2", "tc3", "tc4"]
    assert any(line.startswith("R: svydesign(") for line in metadata["notes"])


def test_parquet_needs_an_output_file(runner, db_session, wave):
    result = runner.invoke(args=["export", "responses", "--wave", "2026Q4", "--format", "parquet"])
    assert result.exit_code == 2
    assert "định dạng PARQUET cần tệp ghi ra, hãy thêm --out TỆP" in result.output
