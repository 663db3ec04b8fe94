"""What the outputs say about collapsed cells: a short table on stderr and in the report's
`method.weighting.collapses`, every collapsed cell in the XLSX notes only; the field families
are data the province can edit."""

import dataclasses

import openpyxl
import pandas as pd
import pytest

from survey.frame.design import cell_weights
from survey.frame.families import FamiliesError, read_families, shipped_families
from survey.frame.load import WeightingReport, analysis_frame
from survey.models import AdminCount
from survey.models.places import FIELD_SUCCESSORS
from survey.setup.seed import SERVICE_FIELDS
from tests.factories import make_centre, make_field, make_locality, make_response, make_wave

SHORT = 15  # stderr lines of a weighted export, however many cells collapse
TOTAL = 1e-9


def _many_collapses():
    """700 thin cells in 175 centres (one adequate field, four thin ones each), 30 centres not
    represented."""
    fields = [code for code, _ in SERVICE_FIELDS[:5]]  # dat_dai, ho_tich, tu_phap_chung_thuc, …
    centres, answered, counts = [], [], []
    for c in range(175):
        for field in fields:
            n = 40 if field == "ho_tich" else 1
            centres += [f"c{c}"] * n
            answered += [field] * n
            counts.append((f"c{c}", field, 30 if field == "tu_phap_chung_thuc" else 10 * n))
    counts += [(f"u{c}", fields[0], 7) for c in range(30)]
    result = cell_weights(pd.Series(centres, dtype=object), pd.Series(answered, dtype=object),
                          pd.DataFrame(counts, columns=["centre_code", "field_code", "dossiers"]), 5,
                          shipped_families())
    return WeightingReport(weighted=True, quarter="2026Q4", min_cell=5, collapses=result.summary,
                           collapsed_cells=result.collapses, uncovered=result.uncovered,
                           total_dossiers=result.total_dossiers)


def test_the_cli_lines_are_a_table_and_the_notes_list_every_cell():
    report = _many_collapses()
    assert report.collapses.cells == len(report.collapsed_cells) == 700 == len(report.collapses)
    lines = report.lines()
    assert len(lines) <= SHORT
    assert not any(line.startswith("Collapsed: centre") for line in lines)
    assert any(line.startswith("Collapsed 700 thin cells (fewer than 5 responses, or no dossiers) in 175 centres")
               for line in lines)
    assert "Not represented: 30 centres with 210 dossiers and no kept response (u0, u1, u10, u11, u12 and 25 more)." \
        in lines
    detail = report.detail_lines()
    assert len(detail) == 700 + 30
    # the pool's dossiers are mostly civil status and justice (tu_phap 30): it joins ho_tich
    assert "Collapsed: centre c0, field tu_phap_chung_thuc (1 response, 30 dossiers) → joined field ho_tich " \
           "(same family); weight 10.45" in detail


def test_the_summary_is_plain_data_for_report_json():
    """survey/reports/build.py copies `collapses` into method.weighting with its fields."""
    summary = dataclasses.asdict(_many_collapses().collapses)
    assert list(summary) == ["kinds", "cells", "centres", "responses", "responses_reweighted", "weight_moved",
                             "weight_moved_share"]
    assert [row["kind"] for row in summary["kinds"]] == ["centre_fields", "family_field", "largest_field", "centre"]
    assert set(summary["kinds"][0]) == {"kind", "label_vi", "cells", "centres", "responses", "dossiers",
                                        "responses_reweighted", "weight_moved"}
    assert sum(row["cells"] for row in summary["kinds"]) == summary["cells"]
    assert summary["weight_moved"] == pytest.approx(sum(row["weight_moved"] for row in summary["kinds"]))


def test_every_seeded_field_has_a_family():
    families = shipped_families()
    assert {code for code, _ in SERVICE_FIELDS} | set(FIELD_SUCCESSORS) == set(families)
    # a field taken over in 2025 is in the family of its successor
    assert all(families[old] == families[new] for old, new in FIELD_SUCCESSORS.items())


def test_a_malformed_families_file_names_each_bad_row(tmp_path):
    path = tmp_path / "families.csv"
    path.write_text("field_code,family,family_name\ndat_dai,land,Đất\nho_tich,,\ndat_dai,civil,Hộ tịch\n",
                    encoding="utf-8")
    with pytest.raises(FamiliesError) as error:
        read_families(path)
    assert str(error.value).splitlines() == [
        "families.csv row 3: field_code and family must both be filled in",
        "families.csv row 4: field dat_dai is already in row 2; a field belongs to one family, delete one of the rows",
    ]
    path.write_text("field,family\n", encoding="utf-8")
    with pytest.raises(FamiliesError, match="row 1: missing column field_code, family_name"):
        read_families(path)


@pytest.fixture
def weighted_wave(db_session):
    """Centre 24001: ho_tich adequate, dat_dai thin; 24002: one thin field; 24003: nobody."""
    a, b, c = (make_centre(db_session, make_locality(db_session, code=code, name=f"Xã {code}"))
               for code in ("24001", "24002", "24003"))
    ho_tich, dat_dai = make_field(db_session, "ho_tich"), make_field(db_session, "dat_dai", "Đất đai")
    wave = make_wave(db_session, code="2026Q4")
    for centre, field, n in ((a, ho_tich, 6), (a, dat_dai, 1), (b, ho_tich, 2)):
        for _ in range(n):
            make_response(db_session, wave, centre, {"tc1": "4"}, field=field)
    db_session.add_all([AdminCount(centre_id=centre.id, field_id=field.id, quarter="2026Q4", dossiers_resolved=d)
                        for centre, field, d in ((a, ho_tich, 60), (a, dat_dai, 24), (b, ho_tich, 20),
                                                 (c, ho_tich, 9))])
    db_session.commit()
    return wave


def test_the_export_prints_the_table_and_writes_the_list_to_the_notes(runner, db_session, weighted_wave, tmp_path):
    out = tmp_path / "q4.xlsx"
    result = runner.invoke(args=["export", "responses", "--wave", "2026Q4", "--format", "xlsx", "--out", str(out)])
    assert result.exit_code == 0, result.output
    stderr = result.stderr.splitlines()
    assert len(stderr) <= SHORT and not any(line.startswith("Collapsed: centre") for line in stderr)
    # 24001: dat_dai's 1 response carries 84 / 7 = 12 of its 24 dossiers, ho_tich's the other 12
    assert "Collapsed 2 thin cells (fewer than 5 responses, or no dossiers) in 2 centres: 3 responses; " \
           "12 of the weight (11.5%) now carried by another cell's responses." in stderr
    assert "  whole centre one cell (no adequate field): 1 cell in 1 centre, 2 responses (2 reweighted), " \
           "0 weight moved." in stderr
    notes = [row[0] for row in openpyxl.load_workbook(out)["notes"].iter_rows(values_only=True)]
    assert "Collapsed: centre 24001, field dat_dai (1 response, 24 dossiers) → joined field ho_tich " \
           "(the centre's largest adequate field); weight 12" in notes
    assert "Collapsed: centre 24002, field ho_tich (2 responses, 20 dossiers) → whole centre one cell " \
           "(no adequate field); weight 10" in notes
    assert "Not represented: centre 24003 has 9 dossiers but no kept response." in notes


def test_each_centres_weights_add_up_to_its_dossiers(db_session, weighted_wave):
    frame, report = analysis_frame(db_session, weighted_wave)
    totals = frame.groupby("centre_code")["design_weight"].sum()
    assert totals.to_dict() == pytest.approx({"24001": 84, "24002": 20}, rel=TOTAL)
    assert report.total_weight == pytest.approx(104, rel=TOTAL) and report.uncovered == {"24003": 9}
    # 24001 is one cell of 84 dossiers and 7 responses: 12 each
    assert set(frame.loc[frame.centre_code == "24001", "design_weight"]) == {12.0}
    assert report.collapses.weight_moved == pytest.approx(24 - 1 * 12)


def test_day_one_of_a_real_quarter_is_short_too():
    """Day 1: last quarter's counts for 102 centres × 10 fields, one to three answers at 12
    centres. Every answered centre is one cell; the other 90 are not represented."""
    fields = [code for code, _ in SERVICE_FIELDS]
    counts = pd.DataFrame([(f"c{c}", field, 40) for c in range(102) for field in fields],
                          columns=["centre_code", "field_code", "dossiers"])
    answered = [(f"c{c}", fields[c % 10]) for c in range(12) for _ in range(1 + c % 3)]
    result = cell_weights(pd.Series([c for c, _ in answered], dtype=object),
                          pd.Series([f for _, f in answered], dtype=object), counts, 5, shipped_families())
    kinds = {row.kind: row.cells for row in result.summary.kinds}
    assert kinds == {"centre_fields": 0, "family_field": 0, "largest_field": 0, "centre": 120}
    # the answered field's responses carry the dossiers of the nine unanswered fields
    assert result.summary.weight_moved == pytest.approx(12 * 9 * 40)
    report = WeightingReport(weighted=True, quarter="2026Q4", min_cell=5, collapses=result.summary,
                             collapsed_cells=result.collapses, uncovered=result.uncovered,
                             total_dossiers=result.total_dossiers)
    assert len(report.lines()) <= SHORT and len(report.detail_lines()) == 120 + 90
    unweighted = WeightingReport(weighted=False, quarter="2026Q4", min_cell=5)
    assert not unweighted.collapses and not any("ollapsed" in line for line in unweighted.lines())
