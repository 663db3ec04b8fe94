"""`flask demo responses`: synthetic responses in bulk, stored as the web form stores them."""

import numpy as np
import pytest
from sqlalchemy import func, select

from survey.models import AdminCount, Answer, Response, Wave
from survey.respond.quality import BURST_MAX, BURST_WINDOW
from survey.weights import analysis_frame
from survey.weights.scores import likert_codes_of
from tests.factories import make_centre, make_response, make_wave


def _seed(runner):
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output


@pytest.mark.slow
def test_demo_wave_is_filled_like_the_form_fills_it(runner, db_session):
    _seed(runner)
    result = runner.invoke(args=["demo", "responses", "--wave", "2025Q2", "--count", "3000", "--seed", "7",
                                 "--with-counts"])
    assert result.exit_code == 0, result.output
    wave = db_session.scalar(select(Wave).where(Wave.code == "2025Q2"))
    assert wave.is_demo and "Made demo wave 2025Q2: 3000 responses" in result.output
    stored = db_session.scalars(select(Response).where(Response.wave_id == wave.id)).all()
    assert len(stored) == 3000
    # the compact scores say what the answer table says
    codes = likert_codes_of(wave.questionnaire_version.definition)
    frame, report = analysis_frame(db_session, wave, exclude=())
    by_id = frame.set_index("response_id")
    for response in stored[:50]:
        scores = {a.item_code: a.score for a in response.answers if a.score is not None}
        row = by_id.loc[str(response.id), list(codes)]
        assert {c: int(v) for c, v in row.items() if not np.isnan(v)} == scores
    # localities differ and items correlate
    assert frame.groupby("stratum")["tc1"].mean().std() > 0.1
    assert frame[["tc1", "cc1"]].corr().iloc[0, 1] > 0.2
    # flags by the quality rules: a burst has more than BURST_MAX responses of its centre in the window
    assert report.weighted and {"speeder", "outside_hours"} <= set(report.flag_counts)
    bursts = [r for r in stored if "burst" in r.quality_flags]
    for response in bursts[:5]:
        recent = [r for r in stored if r.centre_id == response.centre_id
                  and response.submitted_at - BURST_WINDOW <= r.submitted_at <= response.submitted_at]
        assert len(recent) > BURST_MAX
    assert db_session.scalar(select(func.count()).select_from(AdminCount).where(AdminCount.quarter == "2025Q2")) > 0
    assert db_session.scalar(select(func.count()).select_from(Answer)) > 20 * 3000


def test_a_wave_with_real_responses_is_refused(runner, db_session):
    wave = make_wave(db_session, code="2026Q3")
    make_response(db_session, wave, make_centre(db_session), {"tc1": "4"})
    db_session.commit()
    result = runner.invoke(args=["demo", "responses", "--wave", "2026Q3", "--count", "10"])
    assert result.exit_code == 2
    assert "wave 2026Q3 is a real wave with 1 responses" in result.output
    result = runner.invoke(args=["demo", "responses", "--wave", "demo-1", "--count", "10"])
    assert result.exit_code == 2 and "needs a quarter code such as 2026Q4" in result.output
    result = runner.invoke(args=["demo", "responses", "--wave", "2026Q1", "--count", "0"])
    assert result.exit_code == 2 and "--count: 0 is not between 1" in result.output
