"""The analysis-ready export (weights, strata, PSUs, exclusions) and the index tree file."""

import datetime as dt
import json

import pandas as pd
import pytest
from sqlalchemy import select

from survey.models import AdminCount, Answer, Response, ServiceCentre
from survey.questionnaire import load_questionnaire
from tests.factories import SIPAS_FILE, make_centre, make_field, make_locality, make_response, make_wave

NOON = dt.datetime(2026, 10, 5, 5, 10, tzinfo=dt.timezone.utc)  # 12:10 in Đắk Lắk


@pytest.fixture
def wave(db_session):
    wave = make_wave(db_session, code="2026Q4")
    a = make_centre(db_session, make_locality(db_session, code="24001", name="Xã A"))
    tinh = ServiceCentre(code="tinh", name="Trung tâm tỉnh")
    db_session.add(tinh)
    field = make_field(db_session)
    for centre, n in ((a, 5), (tinh, 6)):
        for _ in range(n):
            make_response(db_session, wave, centre, {"tc1": "4", "tc2": "0"}, field=field, submitted_at=NOON)
    make_response(db_session, wave, a, {"tc1": "1"}, field=field, flags=["burst"], submitted_at=NOON)
    db_session.add_all([AdminCount(centre=a, field=field, quarter="2026Q4", dossiers_resolved=50),
                        AdminCount(centre=tinh, field=field, quarter="2026Q4", dossiers_resolved=12)])
    db_session.commit()
    return wave


def _export(runner, tmp_path, *extra):
    out = tmp_path / "r.csv"
    result = runner.invoke(args=["export", "responses", "--wave", "2026Q4", "--out", str(out), *extra])
    assert result.exit_code == 0, result.output
    return pd.read_csv(out, encoding="utf-8-sig", dtype={"locality_code": str, "stratum": str}), result


def test_weighted_export_has_design_columns_and_leaves_out_bursts(runner, db_session, tmp_path, wave):
    frame, result = _export(runner, tmp_path)
    assert len(frame) == 11 and "burst" not in set(frame["quality_flags"].astype(str))
    assert "Left out: burst 1" in result.stderr and "UNWEIGHTED" not in result.stderr
    by_centre = frame.groupby("centre_code")
    assert by_centre["design_weight"].unique().map(list).to_dict() == {"24001": [10.0], "tinh": [2.0]}
    assert by_centre["stratum"].unique().map(list).to_dict() == {"24001": ["24001"], "tinh": ["tinh"]}
    assert set(frame["psu"]) == {"24001:2026-10-05", "tinh:2026-10-05"}
    assert set(frame["local_date"]) == {"2026-10-05"} and set(frame["time_band"]) == {"11-13"}
    assert not {"submitted_at", "started_at"} & set(frame.columns)
    assert frame["tc2"].isna().all() and (frame["tc1"] == 4).all()


def test_exclusion_choice_and_no_answer_code(runner, db_session, tmp_path, wave):
    frame, _ = _export(runner, tmp_path, "--exclude", "none", "--keep-no-answer", "--psu", "response")
    assert len(frame) == 12 and (frame["psu"] == frame["response_id"]).all()
    assert set(frame.loc[frame.centre_code == "24001", "design_weight"]) == {50 / 6}
    assert (frame["tc2"].dropna() == 0).all() and frame["tc2"].notna().sum() == 11


def test_bad_options_exit_2_with_one_line(runner, db_session, tmp_path, wave):
    result = runner.invoke(args=["export", "responses", "--wave", "2026Q4", "--exclude", "burst,nonsense"])
    assert result.exit_code == 2 and "--exclude: không có cờ “nonsense”" in result.output
    result = runner.invoke(args=["export", "responses", "--wave", "2026Q4", "--trim", "1.01"])
    assert result.exit_code == 2 and "cannot all lie in" in result.output


def test_index_tree_file_is_the_questionnaire_tree(runner, db_session, tmp_path, wave):
    out = tmp_path / "tree.json"
    result = runner.invoke(args=["export", "index-tree", "--questionnaire", "sipas-2026", "--out", str(out)])
    assert result.exit_code == 0, result.output
    tree = json.loads(out.read_text(encoding="utf-8"))
    source = load_questionnaire(SIPAS_FILE).index
    assert set(tree) == {"questionnaire", "version", "item_score", "root", "nodes"}
    assert (tree["questionnaire"], tree["version"], tree["item_score"], tree["root"]) == (
        "sipas-2026", 1, source.item_score, source.root.code)
    assert [n["code"] for n in tree["nodes"]] == [n.code for n in source.nodes]
    first = tree["nodes"][0]
    assert set(first) == {"code", "label", "aggregate", "children", "weights"}
    assert first["children"] == list(source.root.children) and first["weights"] is None
    assert first["label"]["vi"] == source.root.label["vi"]
    result = runner.invoke(args=["export", "index-tree", "--questionnaire", "nope", "--out", str(out)])
    assert result.exit_code == 2 and "không có bảng hỏi đã công bố nope (các bảng hỏi có: sipas-2026)" in result.output


def test_raking_to_margins_from_a_file(runner, db_session, tmp_path, wave):
    for position, response in enumerate(wave_responses(db_session, wave)):
        response.answers.append(Answer(item_code="gender", value="nu" if position % 3 == 0 else "nam"))
    db_session.commit()
    margins = tmp_path / "margins.csv"
    margins.write_text("variable,level,total\ngender,nam,40\ngender,nu,22\n", encoding="utf-8")
    frame, result = _export(runner, tmp_path, "--rake", str(margins))
    assert "Raked to margins: gender." in result.stderr
    totals = frame.groupby("gender")["design_weight"].sum()
    assert totals.to_dict() == {"nam": pytest.approx(40), "nu": pytest.approx(22)}
    margins.write_text("variable,level,total\nsex,nam,40\n", encoding="utf-8")
    result = runner.invoke(args=["export", "responses", "--wave", "2026Q4", "--rake", str(margins)])
    assert result.exit_code == 2 and "biến “sex” không phải câu hỏi của bảng hỏi" in result.output


def wave_responses(db_session, wave):
    return db_session.scalars(select(Response).where(Response.wave_id == wave.id)).all()


def test_the_assigned_block_is_a_0_1_column_after_the_design(runner, db_session, tmp_path, wave):
    """Drawn for the block: 1; not drawn: 0; stored before the draw existed (NULL, the block then
    an optional part offered to all): 1. The codebook says what the column means."""
    responses = db_session.scalars(select(Response).where(Response.wave_id == wave.id)
                                   .order_by(Response.centre_id, Response.id)).all()
    drawn = {}
    for number, response in enumerate(responses):
        response.assigned_blocks = [["policy"], [], None][number % 3]
        drawn[str(response.id)] = [1, 0, 1][number % 3]
    db_session.commit()
    frame, _ = _export(runner, tmp_path, "--exclude", "none")
    columns = list(frame.columns)
    assert columns.index("assigned_policy") == columns.index("quality_flags") + 1
    assert columns.index("assigned_policy") < columns.index("tc1")
    assert frame.set_index("response_id")["assigned_policy"].to_dict() == drawn
    out = tmp_path / "r.xlsx"
    assert runner.invoke(args=["export", "responses", "--wave", "2026Q4", "--format", "xlsx",
                               "--out", str(out), "--exclude", "none"]).exit_code == 0
    codebook = pd.read_excel(out, sheet_name="codebook").set_index("column")
    assert "p_policy_voice, p_policy_results" in codebook.loc["assigned_policy", "question_vi"]
    assert codebook.loc["assigned_policy", "type"] == "0/1"
