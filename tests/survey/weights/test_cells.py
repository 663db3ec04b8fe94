"""Design weights per cell centre × field, with thin cells collapsed (survey.weights.design)."""

import numpy as np
import pandas as pd
import pytest

from survey.weights.design import CENTRE, POOLED, cell_weights

COUNTS = pd.DataFrame(
    [
        ("A", "f1", 60), ("A", "f2", 10), ("A", "f3", 20),
        ("B", "f1", 12), ("B", "f2", 9),
        ("D", "f1", 50),
    ],
    columns=["centre_code", "field_code", "dossiers"],
)


def _sample(spec):
    centres = [c for c, f, n in spec for _ in range(n)]
    fields = [f for c, f, n in spec for _ in range(n)]
    return pd.Series(centres, dtype=object), pd.Series(fields, dtype=object)


def test_weight_is_dossiers_over_responses_and_thin_fields_pool_then_fall_back_to_the_centre():
    centres, fields = _sample([
        ("A", "f1", 6), ("A", "f2", 2), ("A", "f3", 3),   # f2+f3 pool: 5 responses, 30 dossiers
        ("B", "f1", 6), ("B", "f2", 1),                   # pool of 1 < 5: the centre is one cell
        ("C", "f1", 2),                                   # no dossiers at all
    ])
    result = cell_weights(centres, fields, COUNTS, min_cell=5)
    w = pd.Series(result.weights, index=pd.MultiIndex.from_arrays([centres, fields]))
    assert w.loc[("A", "f1")].unique().tolist() == [60 / 6]
    assert w.loc[("A", "f2")].unique().tolist() == [30 / 5]
    assert w.loc[("A", "f3")].unique().tolist() == [30 / 5]
    assert set(w.loc["B"].unique()) == {21 / 7}
    assert np.isnan(w.loc["C"]).all()
    # every kept centre's weights add up to its dossiers
    assert w.loc["A"].sum() == pytest.approx(90)
    assert w.loc["B"].sum() == pytest.approx(21)
    listed = {(c.centre, c.field, c.to_level, c.n, c.dossiers) for c in result.collapses}
    assert listed == {
        ("A", "f2", POOLED, 2, 10), ("A", "f3", POOLED, 3, 20),
        ("B", "f1", CENTRE, 6, 12), ("B", "f2", CENTRE, 1, 9),
    }
    assert result.uncovered == {"D": 50}


def test_a_field_with_dossiers_and_no_response_sends_its_dossiers_to_the_centre():
    centres, fields = _sample([("A", "f1", 6), ("A", "f3", 7)])  # f2 has 10 dossiers, nobody
    result = cell_weights(centres, fields, COUNTS[COUNTS.centre_code == "A"], min_cell=5)
    assert result.weights == pytest.approx(np.full(13, 90 / 13))
    assert ("A", "f2", CENTRE, 0, 10) in {(c.centre, c.field, c.to_level, c.n, c.dossiers) for c in result.collapses}


def test_min_cell_is_configurable():
    centres, fields = _sample([("A", "f1", 6), ("A", "f2", 2), ("A", "f3", 3)])
    result = cell_weights(centres, fields, COUNTS[COUNTS.centre_code == "A"], min_cell=2)
    assert result.collapses == []
    assert sorted(set(result.weights)) == pytest.approx(sorted({10.0, 5.0, 20 / 3}))
    with pytest.raises(ValueError):
        cell_weights(centres, fields, COUNTS, min_cell=0)
