"""`flask demo responses`: synthetic responses in bulk, stored as the web form stores them."""

import numpy as np
import pytest
from sqlalchemy import func, select

from survey.admin.targets import centre_targets
from survey.frame.compact import likert_codes_of
from survey.frame.load import analysis_frame
from survey.models import AdminCount, Answer, Response, ServiceCentre, ServiceField, Wave
from survey.quarters import previous_quarter, wave_quarter
from survey.questionnaire import from_dict
from survey.respond.quality import BURST_MAX, BURST_WINDOW
from tests.factories import make_centre, make_response, make_wave


def _seed(runner):
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output


@pytest.mark.slow
def test_demo_wave_is_filled_like_the_form_fills_it(runner, db_session):
    _seed(runner)
    result = runner.invoke(args=["demo", "responses", "--wave", "DEMO-2025Q2", "--count", "3000", "--seed", "7",
                                 "--with-counts"])
    assert result.exit_code == 0, result.output
    wave = db_session.scalar(select(Wave).where(Wave.code == "DEMO-2025Q2"))
    assert wave.is_demo and "Đã tạo đợt mô phỏng DEMO-2025Q2: 3000 phiếu" in result.output
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
    counted = select(func.count()).select_from(AdminCount)
    assert db_session.scalar(counted.where(AdminCount.quarter == "DEMO-2025Q2")) > 0
    assert db_session.scalar(counted.where(AdminCount.quarter == "2025Q2")) == 0  # a real quarter's key
    assert db_session.scalar(select(func.count()).select_from(Answer)) > 20 * 3000


def test_a_real_wave_is_refused_with_or_without_responses(runner, db_session):
    answered = make_wave(db_session, code="2026Q3")
    make_response(db_session, answered, make_centre(db_session), {"tc1": "4"})
    empty = make_wave(db_session, code="2026Q4")  # the seeded, open wave before anyone answers
    misnamed = make_wave(db_session, code="DEMO-2026Q2")  # a real wave an older form let through
    db_session.commit()
    for wave, holds in ((answered, "đã có 1 phiếu"), (empty, "chưa có phiếu nào"), (misnamed, "chưa có phiếu nào")):
        result = runner.invoke(args=["demo", "responses", "--wave", wave.code, "--count", "10", "--with-counts"])
        assert result.exit_code == 2, result.output
        assert f"đợt {wave.code} là đợt khảo sát thật ({holds})" in result.output
        db_session.refresh(wave)
        assert not wave.is_demo and wave.status == "open"
    assert "ví dụ DEMO-2026Q4" in result.output or "DEMO-" in result.output
    assert db_session.scalar(select(func.count()).select_from(Response)) == 1
    assert db_session.scalar(select(func.count()).select_from(AdminCount)) == 0


def test_a_new_demo_wave_needs_a_demo_code(runner, db_session):
    for code in ("2026Q1", "demo-1", "DEMO-2026", "DEMO-2026Q5"):
        result = runner.invoke(args=["demo", "responses", "--wave", code, "--count", "10"])
        assert result.exit_code == 2 and "một đợt mô phỏng mới cần mã dạng DEMO-2026Q4" in result.output, code
        assert f"“{code}”" in result.output
    result = runner.invoke(args=["demo", "responses", "--wave", "DEMO-2026Q1", "--count", "0"])
    assert result.exit_code == 2 and "--count: 0 không nằm trong khoảng 1 đến 5.000.000" in result.output
    assert db_session.scalar(select(func.count()).select_from(Wave)) == 0


def test_demo_counts_never_touch_a_real_quarter_nor_its_targets(runner, db_session, app):
    _seed(runner)
    real = db_session.scalar(select(Wave).where(Wave.is_demo.is_(False)))
    previous = previous_quarter(real)
    centre = db_session.scalar(select(ServiceCentre).order_by(ServiceCentre.id))
    field = db_session.scalar(select(ServiceField).order_by(ServiceField.id))
    real_counts = [AdminCount(centre_id=centre.id, field_id=field.id, quarter=quarter, dossiers_resolved=40)
                   for quarter in (previous, wave_quarter(real))]
    db_session.add_all(real_counts)
    db_session.commit()
    before = centre_targets(db_session, real, [centre.id], 0.05, 7)
    for code in (f"DEMO-{previous}", f"DEMO-{wave_quarter(real)}"):
        result = runner.invoke(args=["demo", "responses", "--wave", code, "--count", "200", "--with-counts"])
        assert result.exit_code == 0, result.output
        demo = db_session.scalar(select(Wave).where(Wave.code == code))
        assert demo.is_demo and demo.status == "closed" and wave_quarter(demo) == code
        assert db_session.scalar(select(func.count()).select_from(AdminCount).where(AdminCount.quarter == code)) > 0
    kept = db_session.execute(select(AdminCount.quarter, AdminCount.dossiers_resolved)
                              .where(AdminCount.quarter.in_([previous, wave_quarter(real)]))).all()
    assert sorted(kept) == sorted((count.quarter, 40) for count in real_counts)
    assert centre_targets(db_session, real, [centre.id], 0.05, 7) == before
    assert db_session.scalar(select(Wave).where(Wave.code == real.code)).is_demo is False


def test_every_list_of_waves_marks_a_demo_wave(runner, client, auth, db_session):
    _seed(runner)
    assert runner.invoke(args=["demo", "responses", "--wave", "DEMO-2026Q1", "--count", "20"]).exit_code == 0
    auth("admin")
    waves = client.get("/admin/waves").get_data(as_text=True)
    assert 'DEMO-2026Q1 <strong class="demo-tag">DỮ LIỆU MÔ PHỎNG</strong>' in waves
    monitor = client.get("/admin/monitor").get_data(as_text=True)
    assert "DEMO-2026Q1 (dữ liệu mô phỏng)</option>" in monitor
    reports = client.get("/admin/reports/").get_data(as_text=True)
    assert 'DEMO-2026Q1 <strong class="demo-tag">DỮ LIỆU MÔ PHỎNG</strong>' in reports
    demo = db_session.scalar(select(Wave).where(Wave.code == "DEMO-2026Q1"))
    real = db_session.scalar(select(Wave).where(Wave.is_demo.is_(False)))
    real.status = "closed"  # no open wave: the monitor falls back to the latest real wave, not a demo
    db_session.commit()
    assert runner.invoke(args=["demo", "responses", "--wave", "DEMO-2031Q1", "--count", "5"]).exit_code == 0
    monitor = client.get("/admin/monitor").get_data(as_text=True)
    assert f'<option value="{real.code}" selected>' in monitor
    opened = client.post(f"/admin/waves/{demo.id}/open")
    assert opened.status_code == 302
    db_session.refresh(demo)
    assert demo.status == "closed"  # a demo wave never takes a citizen's answer



@pytest.mark.slow
def test_a_demo_wave_looks_like_a_real_quarter(runner, db_session):
    """Shares near a published SIPAS quarter, the block drawn at its share, thin communes on a
    few desk-days, questions that are not required sometimes left blank (seeded: the same
    numbers on every run)."""
    _seed(runner)
    result = runner.invoke(args=["demo", "responses", "--wave", "DEMO-2026Q3", "--count", "4000", "--seed", "3"])
    assert result.exit_code == 0, result.output
    wave = db_session.scalar(select(Wave).where(Wave.code == "DEMO-2026Q3"))
    frame, _ = analysis_frame(db_session, wave, exclude=(), opinions=True)
    questionnaire = from_dict(wave.questionnaire_version.definition)
    (block,) = questionnaire.blocks
    in_block = [item.code for page in block.pages for item in questionnaire.pages[questionnaire.page_index(page)].items]
    likert = list(likert_codes_of(wave.questionnaire_version.definition))
    service = [code for code in likert if code not in in_block]
    block_items = [code for code in likert if code in in_block]

    def satisfied(codes):
        scores = frame[codes].to_numpy()
        return np.nanmean(np.where(np.isnan(scores), np.nan, scores >= 4))

    assert 0.75 < satisfied(service) < 0.86 and 0.72 < satisfied(block_items) < 0.86
    for opinion in ("_said_harassment", "_said_informal_payment"):
        assert 0.01 < frame[opinion].mean() < 0.06  # a few per cent, as published; NaN (blank) left out
        assert 0.8 < frame[opinion].notna().mean() < 0.98  # not required: some leave it blank
    drawn = frame[f"assigned_{block.code}"].to_numpy()
    assert set(np.unique(drawn)) == {0, 1} and abs(drawn.mean() - block.share) < 0.04
    answered_block = frame[block_items].notna().any(axis=1).to_numpy()
    assert not answered_block[drawn == 0].any()  # never asked, never answered
    assert 0.85 < answered_block[drawn == 1].mean() < 0.97  # the drawn answer it, mostly
    communes = frame.groupby("locality_code").agg(n=("response_id", "size"), days=("local_date", "nunique"))
    thin = communes[communes["n"] <= 5]
    assert len(thin) >= 0.15 * len(communes)  # many communes stay thin
    assert thin["days"].max() <= 3 and (thin["days"] > 1).any()  # on a few desk-days each
    assert communes["days"].max() > 20  # a busy centre answers on most weeks
    stored = db_session.scalars(select(Response.assigned_blocks).where(Response.wave_id == wave.id)).all()
    assert sorted({tuple(blocks) for blocks in stored}) == [(), (block.code,)]
