"""The locality summary is of citizens' waves (issue 25): a leaders' (PAR) wave opened later is
neither its default nor offered in its menu, since a locality's summary is of its citizens' answers."""

from __future__ import annotations

import datetime as dt

from tests.factories import login, make_leader_wave


def test_the_summary_opens_on_the_citizen_wave_when_a_leaders_wave_opened_later(client, commune, db_session):
    leaders = make_leader_wave(db_session, opens_on=dt.date(2026, 6, 1))
    db_session.commit()
    assert leaders.opens_on > commune["wave"].opens_on  # the newer open wave is the leaders'
    assert login(client, commune["officer"]).status_code == 302
    page = client.get("/admin/summary").get_data(as_text=True)
    assert f'<option value="{commune["wave"].code}" selected' in page
    assert f'<option value="{leaders.code}"' not in page
    assert "<strong>4</strong>" in page  # the commune's four citizens' responses
    asked = client.get(f"/admin/summary?wave={leaders.code}").get_data(as_text=True)  # asked for by hand
    assert f'<option value="{commune["wave"].code}" selected' in asked
