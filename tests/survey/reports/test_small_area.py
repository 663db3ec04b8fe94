"""The small-area column of the quarterly report (issue 13): model-based estimates for thin
localities, labelled as such, ranked beside the reliable ones, in every renderer; since issue 21
with smoothed (GVF) sampling variances, on the thin communes of a real wave too."""

import io
import json
import math

import numpy as np
import pytest
from openpyxl import load_workbook

from analysis.sae import small_area_estimates, smoothed_variances
from bench.report_frame import make_frame
from survey.reports import small_area
from survey.reports.build import tree_to_node
from survey.reports.charts import render_all
from survey.reports.model import EMPTY, LocalityRow, Stat
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
    """The column is analysis.sae on the direct index with the GVF's variances (ñ = n/(κ·deff)),
    arcsine scale, the same seed, with the previous wave's locality index (arcsine scale) as the
    covariate: every synthetic locality is a commune and the fixture has no dossier counts."""
    rows = _modelled(report)
    p = np.array([row.index.estimate for row in rows])
    gvf = smoothed_variances([row.index.n for row in rows], p, [row.index.se for row in rows],
                             [row.index.deff for row in rows])
    root, _, _ = tree_to_node(sipas_tree)
    before = small_area.previous_locality_index(
        make_frame(6000, N_LOCALITIES, seed=4, shift=-0.3), root, weight="design_weight",
        strata="stratum", cluster="psu", by="locality_code")
    assert report.method["small_area"]["covariates"] == ["hệ số chặn", "chỉ số đợt trước (arcsin √)"]
    X = np.column_stack([np.ones(len(rows)),
                         np.arcsin(np.sqrt([before[row.code] for row in rows]))])
    result = small_area_estimates(p, gvf.variance, X, transform="arcsine",
                                  n_eff=gvf.effective_n, level=report.level,
                                  replicates=small_area.REPLICATES, seed=small_area.SEED,
                                  interval=small_area.INTERVAL)
    got = [row.extra["small_area"] for row in rows]
    assert [g["estimate"] for g in got] == pytest.approx(result.eblup, rel=1e-12)
    assert [g["mse"] for g in got] == pytest.approx(result.mse, rel=1e-12)
    assert [g["ci_low"] for g in got] == pytest.approx(result.ci_low, rel=1e-12)
    assert [g["ci_high"] for g in got] == pytest.approx(result.ci_high, rel=1e-12)
    assert [g["sampling_variance"] for g in got] == pytest.approx(gvf.variance, rel=1e-12)
    method = report.method["small_area"]
    assert method["interval"] == "bootstrap" and method["sampling_variance"] == "gvf"
    assert method["gvf"]["deff"] == pytest.approx(gvf.deff) and method["gvf"]["deff"] >= 1
    assert method["note"].startswith(small_area.NOTE_VI) and "ψ = p̃(1 − p̃)·κ·deff ÷ n" in method["note"]


def test_the_empty_commune_gets_the_synthetic_estimate(report):
    """The fixture's last locality has no responses: x'β̂ with its interval, not ranked, not in
    the direct column (``small_area`` stays for localities with a direct index)."""
    empty = [row for row in report.localities if row.kind in ("xa", "phuong") and row.index.n == 0]
    assert empty
    for row in empty:
        s = row.extra["small_area_synthetic"]
        assert "small_area" not in row.extra and "combined_rank" not in row.extra
        assert 0 <= s["ci_low"] <= s["estimate"] <= s["ci_high"] <= 1 and s["synthetic"]
    assert report.method["small_area"]["synthetic_areas"] == len(empty)


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
    rows = list(sheet.iter_rows(values_only=True))
    header = next(r for r in rows if r[0] == "Địa phương")  # below the banner lines
    row = next(r for r in rows if r[1] == thin["code"])
    assert row[header.index("Ước lượng khu vực nhỏ")] == pytest.approx(
        thin["extra"]["small_area"]["estimate"])
    assert row[header.index("Dựa trên mô hình")] == "Có"


def _row(code, n, estimate, se=None, deff=None, kind="xa", reliable=False):
    if n == 0:
        return LocalityRow(code, code, kind, EMPTY, False, ("no_responses",))
    return LocalityRow(code, code, kind, Stat(estimate, se, None, None, n, deff, None), reliable,
                       () if reliable else ("thin",))


def _day_one_wave(seed=21, with_design=True):
    """A real quarter's first week: 30 communes of n 1–10 (SE and deff None where n < 2 or one
    desk-day), four where every answer agrees (SE 0), eight larger ones, two with no response."""
    rng = np.random.default_rng(seed)
    rows = []
    for k in range(30):
        n = int(rng.integers(1, 11))
        p = float(np.clip(rng.normal(0.75, 0.15), 0.05, 0.95)) if k >= 4 else 1.0
        if k < 4 or n < 2 or k % 3 == 0 or not with_design:   # 1 response, 1 desk-day, or all agree
            se, deff = (0.0, 0.0) if k < 4 and n >= 2 and with_design else (None, None)
        else:
            deff = float(rng.uniform(0.8, 2.0))
            se = math.sqrt(0.5 * p * (1 - p) * deff / n)
        rows.append(_row(f"T{k:02d}", n, p, se, deff, kind="phuong" if k % 4 == 0 else "xa"))
    for k in range(8):
        n = int(rng.integers(30, 120))
        p = float(rng.uniform(0.55, 0.9))
        deff = float(rng.uniform(1.1, 1.8)) if with_design else None
        se = math.sqrt(0.5 * p * (1 - p) * deff / n) if with_design else None
        rows.append(_row(f"B{k:02d}", n, p, se, deff, reliable=True))
    rows += [_row("E00", 0, None), _row("E01", 0, None, kind="phuong")]
    return rows


@pytest.mark.parametrize("with_design", [True, False], ids=["some-deff", "no-deff-at-all"])
def test_a_real_wave_gives_every_commune_an_estimate_inside_zero_one(with_design):
    """Every commune with n ≥ 1 gets an EBLUP, an MSE and an interval inside [0, 1], none NaN,
    whether or not its SE and deff exist; the method record is strict JSON."""
    rows = _day_one_wave(with_design=with_design)
    method = small_area.add_small_area(rows, [], 0.95)
    with_answers = [row for row in rows if row.index.n >= 1]
    assert method["areas"] == len(with_answers) and method["synthetic_areas"] == 2
    for row in with_answers:
        s = row.extra["small_area"]
        values = [s["estimate"], s["ci_low"], s["ci_high"], s["mse"], s["sampling_variance"]]
        assert all(math.isfinite(v) for v in values), row.code
        assert 0 <= s["ci_low"] <= s["estimate"] <= s["ci_high"] <= 1, row.code
        assert s["mse"] > 0 and s["sampling_variance"] > 0
    for row in rows[-2:]:
        s = row.extra["small_area_synthetic"]
        assert 0 <= s["ci_low"] <= s["estimate"] <= s["ci_high"] <= 1
    json.dumps([row.as_dict() for row in rows] + [method], allow_nan=False)
    if not with_design:
        assert method["gvf"]["deff_areas"] == 0 and method["gvf"]["deff"] == 1.5
        assert "giá trị mặc định" in method["note"]


def test_agreeing_thin_communes_are_not_trusted_most():
    """A commune whose few answers all agree (SE 0) gets ψ from its n like any other, and is
    shrunk at least as much as a larger commune: it no longer has ψ = 0 and the most weight."""
    rows = _day_one_wave()
    small_area.add_small_area(rows, [], 0.95)
    agreeing = [row for row in rows[:4] if row.index.n >= 2]
    assert agreeing
    by_n = {}
    for row in rows:
        if row.index.n >= 1:
            by_n.setdefault(row.index.n, set()).add(row.extra["small_area"]["sampling_variance"])
    assert all(len(variances) == 1 for variances in by_n.values())   # ψ depends on n alone
    largest = max(rows[:-2], key=lambda row: row.index.n)
    for row in agreeing:
        s = row.extra["small_area"]
        assert s["sampling_variance"] > largest.extra["small_area"]["sampling_variance"]
        assert s["shrinkage"] < largest.extra["small_area"]["shrinkage"]


def test_with_no_covariate_but_the_intercept_empty_communes_of_a_seen_kind_get_the_mean():
    """Day one: every commune answered is a xã, no previous wave, no counts; X is the intercept
    alone. An empty xã gets the model's mean with its interval; an empty phường gets nothing
    (the model has seen no phường), and the method record counts it."""
    sizes = [1, 2, 3, 3, 5, 8, 2, 1, 4, 6, 3, 2]
    shares = [1.0, 0.5, 1.0, 0.67, 0.8, 0.75, 1.0, 0.0, 0.5, 0.83, 0.67, 1.0]
    rows = [_row(f"X{k:02d}", n, p) for k, (n, p) in enumerate(zip(sizes, shares, strict=True))]
    rows += [_row("E00", 0, None), _row("E01", 0, None, kind="phuong")]
    method = small_area.add_small_area(rows, [], 0.95)
    assert method["covariates"] == ["hệ số chặn"] and method["gvf"]["deff_areas"] == 0
    assert (method["synthetic_areas"], method["unmodelled_areas"]) == (1, 1)
    s = rows[-2].extra["small_area_synthetic"]
    assert 0 <= s["ci_low"] <= s["estimate"] <= s["ci_high"] <= 1
    assert "small_area_synthetic" not in rows[-1].extra
    json.dumps(method, allow_nan=False)
