"""The live monitor shows the index so far for an open wave."""

import datetime as dt

from sqlalchemy import select

from analysis import Design, index_nodes
from survey.frame.load import analysis_frame
from survey.models import UserRole, Wave, WaveStatus
from survey.questionnaire import from_dict
from survey.reports.build import tree_to_node
from survey.reports.wording import percent


def test_monitor_shows_the_index_so_far(app, runner, client, auth, db_session):
    for args in (["seed"], ["demo", "responses", "--wave", "DEMO-2026Q4", "--count", "300", "--seed", "5"]):
        assert runner.invoke(args=args).exit_code == 0
    wave = db_session.scalar(select(Wave).where(Wave.code == "DEMO-2026Q4"))
    today = dt.date.today()
    wave.status = WaveStatus.OPEN
    wave.opens_on, wave.closes_on = today - dt.timedelta(days=5), today + dt.timedelta(days=5)
    db_session.commit()
    frame, _ = analysis_frame(db_session, wave)
    root, _, _ = tree_to_node(from_dict(wave.questionnaire_version.definition).index)
    design = Design.from_frame(frame, weight="design_weight", strata="stratum", cluster="psu")
    expected = next(r for r in index_nodes(design, root) if r.statistic == "index")
    auth(UserRole.ADMIN)
    page = client.get(f"/admin/monitor?wave={wave.code}").get_data(as_text=True)
    assert "Chỉ số hài lòng về sự phục vụ hành chính (SIPAS) tạm tính (DỮ LIỆU MÔ PHỎNG)" in page
    assert f"{percent(expected.estimate)} (KTC 95% {percent(expected.ci_low)}–{percent(expected.ci_high)})" in page
