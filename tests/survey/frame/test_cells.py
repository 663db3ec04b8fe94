"""Design weights per cell centre × field, thin cells collapsed to the nearest adequate cell
(survey.frame.design): pooled thin fields, then an adequate field of the same family, then
the centre's largest adequate field, and the whole centre only when no field is adequate."""

import numpy as np
import pandas as pd
import pytest

from survey.frame.design import CENTRE, FAMILY, LARGEST, POOLED, cell_weights

TOTAL = 1e-9  # a centre's weights add up to its dossiers up to float summation
FAMILIES = {"dat_dai": "land", "xay_dung": "land", "moi_truong": "land", "ho_tich": "civil", "tu_phap": "civil",
            "kinh_doanh": "business"}


def _sample(spec):
    centres = [c for c, f, n in spec for _ in range(n)]
    fields = [f for c, f, n in spec for _ in range(n)]
    return pd.Series(centres, dtype=object), pd.Series(fields, dtype=object)


def _counts(spec):
    return pd.DataFrame(spec, columns=["centre_code", "field_code", "dossiers"])


def _weights(result, centres, fields):
    return pd.Series(result.weights, index=pd.MultiIndex.from_arrays([centres, fields]))


def _values(w, key):
    return set(np.atleast_1d(w.loc[key]))


def _listed(result):
    return {(c.centre, c.field, c.to_level, c.n, c.dossiers, c.into) for c in result.collapses}


def test_one_thin_field_joins_a_similar_field_and_the_rest_of_the_centre_keeps_its_own_weights():
    """The finding of issue 25: one thin field used to make a centre of 252 responses one cell."""
    centres, fields = _sample([("A", "dat_dai", 120), ("A", "ho_tich", 100), ("A", "xay_dung", 30),
                               ("A", "tu_phap", 2)])
    counts = _counts([("A", "dat_dai", 2400), ("A", "ho_tich", 1000), ("A", "xay_dung", 900), ("A", "tu_phap", 80)])
    result = cell_weights(centres, fields, counts, min_cell=5, families=FAMILIES)
    w = _weights(result, centres, fields)
    assert _values(w, ("A", "dat_dai")) == {2400 / 120}
    assert _values(w, ("A", "xay_dung")) == {900 / 30}
    # tu_phap (civil) joins ho_tich (civil), not the larger dat_dai
    assert _values(w, ("A", "ho_tich")) == _values(w, ("A", "tu_phap")) == {1080 / 102}
    assert _listed(result) == {("A", "tu_phap", FAMILY, 2, 80, "ho_tich")}
    assert result.summary.kinds[3].kind == CENTRE and result.summary.kinds[3].cells == 0
    assert w.sum() == pytest.approx(4380, rel=TOTAL)


def test_the_hierarchy_is_tried_in_order():
    centres, fields = _sample([
        # pooled: the thin fields together reach 5 responses with dossiers
        ("P", "dat_dai", 40), ("P", "ho_tich", 3), ("P", "kinh_doanh", 2),
        # the pool (1 response) joins the adequate field of its family, dat_dai, not the larger ho_tich
        ("F", "dat_dai", 8), ("F", "ho_tich", 50), ("F", "tu_phap", 30), ("F", "moi_truong", 1),
        # no adequate field of the family (business): the largest adequate field, ho_tich
        ("L", "dat_dai", 10), ("L", "ho_tich", 20), ("L", "kinh_doanh", 3),
        # no adequate field at all: the whole centre is one cell
        ("C", "dat_dai", 2), ("C", "ho_tich", 1),
    ])
    counts = _counts([
        ("P", "dat_dai", 400), ("P", "ho_tich", 30), ("P", "kinh_doanh", 20),
        ("F", "dat_dai", 80), ("F", "ho_tich", 500), ("F", "tu_phap", 300), ("F", "moi_truong", 40),
        ("L", "dat_dai", 100), ("L", "ho_tich", 200), ("L", "kinh_doanh", 60),
        ("C", "dat_dai", 20), ("C", "ho_tich", 10),
    ])
    result = cell_weights(centres, fields, counts, min_cell=5, families=FAMILIES)
    assert _listed(result) == {
        ("P", "ho_tich", POOLED, 3, 30, None), ("P", "kinh_doanh", POOLED, 2, 20, None),
        ("F", "moi_truong", FAMILY, 1, 40, "dat_dai"),
        ("L", "kinh_doanh", LARGEST, 3, 60, "ho_tich"),
        ("C", "dat_dai", CENTRE, 2, 20, None), ("C", "ho_tich", CENTRE, 1, 10, None),
    }
    w = _weights(result, centres, fields)
    assert _values(w, ("P", "ho_tich")) == _values(w, ("P", "kinh_doanh")) == {50 / 5}
    assert _values(w, ("P", "dat_dai")) == {400 / 40}
    assert _values(w, ("F", "dat_dai")) == _values(w, ("F", "moi_truong")) == {120 / 9}
    assert _values(w, ("F", "ho_tich")) == {10.0} and _values(w, ("F", "tu_phap")) == {10.0}
    assert _values(w, ("L", "kinh_doanh")) == _values(w, ("L", "ho_tich")) == {260 / 23}
    assert _values(w, "C") == {30 / 3}
    table = {row.kind: (row.cells, row.centres, row.responses, row.dossiers, row.responses_reweighted)
             for row in result.summary.kinds}
    assert list(table) == [POOLED, FAMILY, LARGEST, CENTRE]
    assert table == {POOLED: (2, 1, 5, 50, 5), FAMILY: (1, 1, 1, 40, 9), LARGEST: (1, 1, 3, 60, 23),
                     CENTRE: (2, 1, 3, 30, 3)}


def test_weight_moved_is_the_dossiers_another_cells_responses_now_carry():
    centres, fields = _sample([("A", "dat_dai", 8), ("A", "xay_dung", 2)])
    counts = _counts([("A", "dat_dai", 40), ("A", "xay_dung", 60)])
    result = cell_weights(centres, fields, counts, min_cell=5, families=FAMILIES)
    # one cell of 10 responses and 100 dossiers: xay_dung's 2 responses carry 20 of its 60
    # dossiers, dat_dai's 8 carry 80 (40 their own, 40 moved from xay_dung)
    summary = result.summary
    assert summary.weight_moved == pytest.approx(40) and summary.weight_moved_share == pytest.approx(0.4)
    assert (summary.cells, summary.centres, summary.responses, summary.responses_reweighted) == (1, 1, 2, 10)
    assert len(summary) == 1


def test_every_centres_weights_add_up_to_its_dossiers():
    """Random quarters of many small centres: collapsing never loses or creates weight."""
    rng = np.random.default_rng(20261204)
    fields = list(FAMILIES) + ["khac"]
    spec, counts = [], []
    for c in range(300):
        for field in fields:
            n = int(rng.choice([0, 0, 1, 2, 4, 5, 9, 30]))
            dossiers = int(rng.choice([0, 3, 20, 200])) if rng.random() < 0.9 else 0
            if n:
                spec.append((f"c{c}", field, n))
            counts.append((f"c{c}", field, dossiers))
    spec.append(("c0", None, 3))  # responses without a field
    centres, field_codes = _sample(spec)
    table = _counts(counts)
    result = cell_weights(centres, field_codes, table, min_cell=5, families=FAMILIES)
    totals = pd.Series(result.weights).groupby(centres.to_numpy()).sum(min_count=1)
    dossiers = table.groupby("centre_code")["dossiers"].sum().reindex(totals.index)
    weighted = totals.notna()
    assert weighted.sum() > 250  # most centres have dossiers; the others are left out (NaN)
    assert np.allclose(totals[weighted], dossiers[weighted], rtol=TOTAL, atol=0)
    assert (dossiers[~weighted] == 0).all()
    assert (result.weights[~np.isnan(result.weights)] > 0).all()
    kinds = {row.kind: row.cells for row in result.summary.kinds}
    assert all(kinds.values()) and sum(kinds.values()) == result.summary.cells == len(result.collapses)


def test_a_field_with_dossiers_and_no_response_joins_an_adequate_field():
    centres, fields = _sample([("A", "f1", 6), ("A", "f3", 7)])  # f2 has 10 dossiers, nobody
    counts = _counts([("A", "f1", 60), ("A", "f2", 10), ("A", "f3", 20)])
    result = cell_weights(centres, fields, counts, min_cell=5)
    w = _weights(result, centres, fields)
    # no families: f2 is a family of its own and joins the largest adequate field, f3
    assert _values(w, ("A", "f1")) == {10.0} and _values(w, ("A", "f3")) == {30 / 7}
    assert _listed(result) == {("A", "f2", LARGEST, 0, 10, "f3")}


def test_responses_in_a_field_without_dossiers_are_a_thin_cell_not_left_out():
    centres, fields = _sample([("A", "f1", 6), ("A", "f2", 7)])  # f2: responses, no dossiers
    result = cell_weights(centres, fields, _counts([("A", "f1", 65), ("A", "f2", 0)]), min_cell=5)
    assert result.weights == pytest.approx(np.full(13, 5.0))
    assert _listed(result) == {("A", "f2", LARGEST, 7, 0, "f1")}


def test_centres_without_dossiers_or_responses_are_reported_not_collapsed():
    centres, fields = _sample([("A", "f1", 6), ("C", "f1", 2)])
    counts = _counts([("A", "f1", 60), ("A", "f2", 0), ("D", "f1", 50)])  # a zero count is no cell
    result = cell_weights(centres, fields, counts, min_cell=5)
    w = _weights(result, centres, fields)
    assert _values(w, "A") == {10.0} and np.isnan(w.loc["C"]).all()
    assert result.collapses == [] and result.summary.cells == 0
    assert result.uncovered == {"D": 50}


def test_min_cell_is_configurable():
    centres, fields = _sample([("A", "f1", 6), ("A", "f2", 2), ("A", "f3", 3)])
    counts = _counts([("A", "f1", 60), ("A", "f2", 10), ("A", "f3", 20)])
    result = cell_weights(centres, fields, counts, min_cell=2)
    assert result.collapses == []
    assert sorted(set(result.weights)) == pytest.approx(sorted({10.0, 5.0, 20 / 3}))
    with pytest.raises(ValueError):
        cell_weights(centres, fields, counts, min_cell=0)
