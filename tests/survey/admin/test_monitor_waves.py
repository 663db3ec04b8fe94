"""The monitor follows the citizens' waves only: its targets come from the desks' dossier
counts, so the leaders' (PAR) wave is neither opened by default nor offered in its choice."""

from __future__ import annotations

import datetime as dt
import re

from survey.admin.monitor import current_wave
from survey.enums import QuestionnaireKind
from tests.factories import make_centre, make_leader_wave, make_locality, make_response, make_wave


def _offered(html: str) -> list[str]:
    """The wave codes in the monitor's wave choice."""
    choice = html.split('<select id="wave" name="wave">')[1].split("</select>")[0]
    return re.findall(r'<option value="([^"]+)"', choice)


def _selected(html: str) -> str:
    return re.search(r'<option value="([^"]+)" selected>', html).group(1)


def _waves(db_session):
    """A citizens' wave and a later leaders' wave, both open today, with one citizen response."""
    citizens = make_wave(db_session, code="2026Q3", opens_on=dt.date(2026, 1, 1))
    leaders = make_leader_wave(db_session, code="PAR-2026Q4", opens_on=dt.date(2026, 6, 1))
    centre = make_centre(db_session, make_locality(db_session, "24001", "Xã Hòa Phú"))
    make_response(db_session, citizens, centre, {"tc1": "4"})
    db_session.commit()
    return citizens, leaders


def test_the_monitor_opens_on_the_citizens_wave_and_never_offers_the_leaders(client, db_session, auth):
    _waves(db_session)
    auth("admin")
    html = client.get("/admin/monitor").get_data(as_text=True)
    assert _offered(html) == ["2026Q3"]
    assert _selected(html) == "2026Q3"
    assert "Đợt 2026Q3" in html and "PAR-2026Q4" not in html
    assert "Toàn tỉnh: 1 / " in html


def test_asking_for_the_leaders_wave_by_code_shows_the_citizens_wave(client, db_session, auth):
    _waves(db_session)
    auth("admin")
    html = client.get("/admin/monitor?wave=PAR-2026Q4").get_data(as_text=True)
    assert _selected(html) == "2026Q3"
    assert "PAR-2026Q4" not in html


def test_with_only_a_leaders_wave_the_monitor_shows_no_wave(client, db_session, auth):
    make_leader_wave(db_session, code="PAR-2026Q4")
    db_session.commit()
    auth("admin")
    response = client.get("/admin/monitor")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _offered(html) == [] and "PAR-2026Q4" not in html


def test_the_current_wave_of_a_kind_skips_the_other_kind(db_session):
    citizens, leaders = _waves(db_session)
    today = dt.date(2026, 7, 1)
    assert current_wave(db_session, today, QuestionnaireKind.CITIZEN) == citizens
    assert current_wave(db_session, today, QuestionnaireKind.LEADER) == leaders
