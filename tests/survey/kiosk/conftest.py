"""A centre with an open SIPAS wave, a paired kiosk tablet (a test client holding its cookie),
and complete answers for a submission."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from survey.kiosk.pairing import issue_code
from survey.questionnaire import Item, QuestionnaireDefinition
from tests.factories import SIPAS_FILE, make_centre, make_field, make_wave, shipped_questionnaire


def answer_for(item: Item):
    """A plausible answer of the item's type: 'Hài lòng' on scales, the first choice elsewhere."""
    if item.type == "likert":
        return "4"
    if item.type == "select_many":
        return [item.choices.choices[0].value]
    if item.choices is not None:
        return item.choices.choices[0].value
    if item.type == "integer":
        return item.minimum or 1
    return "Cán bộ nhiệt tình."


def complete_answers(questionnaire: QuestionnaireDefinition) -> dict:
    """An answer to every question the skip logic shows, given the answers before it."""
    answers: dict = {}
    while True:
        shown = {item.code: item for items in questionnaire.visible_by_page(answers).values() for item in items}
        more = {code: answer_for(item) for code, item in shown.items() if code not in answers}
        if not more:
            return {code: value for code, value in answers.items() if code in shown}
        answers.update(more)


@pytest.fixture
def desk(db_session):
    """An open wave of the shipped SIPAS questionnaire and one centre."""
    wave = make_wave(db_session)
    centre = make_centre(db_session)
    make_field(db_session)
    db_session.commit()
    return centre, wave


@pytest.fixture
def tablet(app, desk, db_session):
    """A test client paired with the desk's centre through a one-time code."""
    centre, _ = desk
    code = issue_code(db_session, centre, "admin")
    db_session.commit()
    client = app.test_client()
    response = client.post(f"/k/{centre.code}/pair", data={"code": code})
    assert response.status_code == 303, response.get_data(as_text=True)
    return client


@pytest.fixture
def submission(desk):
    """A complete submission as the tablet sends it."""
    _, wave = desk
    now = dt.datetime.now(dt.timezone.utc)
    return {
        "id": str(uuid.uuid4()), "wave": wave.id, "language": "vi", "assigned": [],
        "started_at": (now - dt.timedelta(minutes=6)).isoformat(), "completed_at": now.isoformat(),
        "answers": complete_answers(shipped_questionnaire(SIPAS_FILE).asked(())),
    }
