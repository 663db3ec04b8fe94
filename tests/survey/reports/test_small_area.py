"""The small-area column of the quarterly report (issue 13): model-based estimates for thin
localities, labelled as such, ranked beside the reliable ones, in every renderer."""

import io

import numpy as np
import pytest
from openpyxl import load_workbook

from analysis.sae import small_area_estimates
from bench.report_frame import make_frame
from survey.reports import small_area
from survey.reports.build import tree_to_node
from survey.reports.charts import render_all
from survey.reports.render import to_html, to_xlsx
from tests.survey.reports.conftest import N_LOCALITIES


def _modelled(report):
    return [row for row in report.localities if "small_area" in row.extra]


def test_every_locality_with_a_direct_index_is_modelled(report):
    """Communes and wards with responses get an estimate; empty ones and the provincial centre not."""
    modelled = {row.code for row in _modelled(report)}
    expected = {row.code for row in report.localities
                if row.kind in ("xa", "phuong") and row.index.estimate is not None}
    assert modelled == expected and len(modelled) >= small_area.MIN_AREAS
    assert report.method["small_area"]["areas"] == len(modelled)


def test_estimates_are_analysis_sae_on_the_direct_index(report, sipas_tree):
    """The column is analysis.sae on (index, SE², ñ = p(1−p)/SE²), arcsine scale, the same seed,
    with the previous wave's locality index (arcsine scale) as the covariate: every synthetic
    locality is a commune and the fixture has no dossier counts."""
    rows = _modelled(report)
    p = np.array([row.index.estimate for row in rows])
    se = np.array([row.index.se for row in rows])
    root, _, _ = tree_to_node(sipas_tree)
    before = small_area.previous_locality_index(
        make_frame(6000, N_LOCALITIES, seed=4, shift=-0.3), root, weight="design_weight",
        strata="stratum", cluster="psu", by="locality_code")
    assert report.method["small_area"]["covariates"] == ["hệ số chặn", "chỉ số đợt trước (arcsin √)"]
    X = np.column_stack([np.ones(len(rows)),
                         np.arcsin(np.sqrt([before[row.code] for row in rows]))])
    result = small_area_estimates(p, se ** 2, X, transform="arcsine",
                                  n_eff=p * (1 - p) / se ** 2, level=report.level,
                                  replicates=small_area.REPLICATES, seed=small_area.SEED,
                                  interval=small_area.INTERVAL)
    got = [row.extra["small_area"] for row in rows]
    assert [g["estimate"] for g in got] == pytest.approx(result.eblup, rel=1e-12)
    assert [g["mse"] for g in got] == pytest.approx(result.mse, rel=1e-12)
    assert [g["ci_low"] for g in got] == pytest.approx(result.ci_low, rel=1e-12)
    assert [g["ci_high"] for g in got] == pytest.approx(result.ci_high, rel=1e-12)
    assert report.method["small_area"]["interval"] == "bootstrap"


def test_thin_localities_are_model_based_and_ranked_beside_reliable_ones(report):
    """Thin localities: labelled model-based, inside their interval, given a place in the
    combined ranking; reliable ones keep the order of their direct index."""
    thin = [row for row in _modelled(report) if not row.reliable]
    assert thin
    for row in thin:
        s = row.extra["small_area"]
        assert s["model_based"] and s["ci_low"] <= s["estimate"] <= s["ci_high"]
        assert row.rank is None and row.extra["combined_rank"] >= 1
    ranked = sorted((r for r in report.localities if "combined_rank" in r.extra),
                    key=lambda r: r.extra["combined_rank"])
    headline = [r.index.estimate if r.reliable else r.extra["small_area"]["estimate"] for r in ranked]
    assert headline == sorted(headline, reverse=True)
    reliable = [r for r in ranked if r.reliable]
    assert [r.rank for r in reliable] == sorted(r.rank for r in reliable)


@pytest.mark.slow
def test_renderers_show_the_column_the_plot_and_the_note(app, report):
    """HTML: column, model-based label, plot and appendix; XLSX: the same columns; JSON: extra."""
    document = report.as_dict()
    charts = render_all(report)
    assert "small_area" in charts
    with app.test_request_context():
        html = to_html(document, charts)
    assert "Ước lượng khu vực nhỏ" in html and "(mô hình)" in html
    assert small_area.NOTE_VI in html and "Fay–Herriot" in html
    thin = next(row for row in document["localities"]
                if row.get("extra", {}).get("small_area", {}).get("model_based"))
    sheet = load_workbook(io.BytesIO(to_xlsx(document, charts)))["Địa phương"]
    header = [cell.value for cell in next(sheet.iter_rows(min_row=2, max_row=2))]
    row = next(r for r in sheet.iter_rows(min_row=3, values_only=True) if r[1] == thin["code"])
    assert row[header.index("Ước lượng khu vực nhỏ")] == pytest.approx(
        thin["extra"]["small_area"]["estimate"])
    assert row[header.index("Dựa trên mô hình")] == "Có"
