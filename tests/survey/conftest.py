"""Fixtures shared by the tests of more than one feature package."""

from __future__ import annotations

import pytest


@pytest.fixture
def chart_texts(monkeypatch):
    """Every text drawn on the charts a test renders (titles, axis and tick labels, legends,
    values), as drawn: the citizens' report's and the PAR report's both go through `figure_png`."""
    import matplotlib.text  # loaded by the tests that draw, not by every test's collection

    from survey.reports import charts as report_charts

    texts: list[str] = []
    save = report_charts.figure_png

    def reading(fig):
        fig.canvas.draw()  # tick labels are formatted at draw time
        texts.extend(t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_visible() and t.get_text())
        return save(fig)

    monkeypatch.setattr(report_charts, "figure_png", reading)
    return texts
