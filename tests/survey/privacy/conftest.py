"""A locality whose desk received a few responses before today: identifiable ones, if shown."""

from __future__ import annotations

import datetime as dt

import pytest

from survey.questionnaire import load_questionnaire
from tests.factories import SIPAS_FILE, make_centre, make_field, make_locality, make_response, make_user, make_wave

# A free-text comment that would name the clerk and the citizen, were it ever shown.
MARKER = "DAU-VET-7Q3 chị Hoa quầy số 3 đòi thêm tiền"
SCORED_ITEMS = load_questionnaire(SIPAS_FILE).index.items_under(load_questionnaire(SIPAS_FILE).index.root.code)
DEMOGRAPHICS = {"gender": "nu", "age_band": "18-25", "ethnicity": "jrai"}


def answers(score: str = "4") -> dict[str, str]:
    """Every index item scored `score`, demographics and the marked comment."""
    return {**{code: score for code in SCORED_ITEMS}, **DEMOGRAPHICS, "other_comments": MARKER}


def sent_days_ago(response, days: int, hour: int = 9, minute: int = 17):
    """Move a response's times back to `days` ago at hh:mm, Vietnamese time (UTC+7)."""
    day = dt.datetime.now(dt.timezone.utc).date() - dt.timedelta(days=days)
    submitted = dt.datetime(day.year, day.month, day.day, hour - 7, minute, tzinfo=dt.timezone.utc)
    response.submitted_at = submitted
    response.started_at = submitted - dt.timedelta(minutes=4)
    return response


@pytest.fixture
def commune(db_session):
    """Locality 24001 with one centre, an officer, and 4 responses sent two days ago (a 4-response cell)."""
    locality = make_locality(db_session, code="24001", name="Xã Ea Tu")
    centre = make_centre(db_session, locality)
    field = make_field(db_session)
    wave = make_wave(db_session)
    officer = make_user(db_session, "canbo-eatu", "officer", locality)
    responses = [
        sent_days_ago(make_response(db_session, wave, centre, answers(score), field=field,
                                    flags=["speeder"] if i == 0 else []), 2, minute=10 + i)
        for i, score in enumerate(["5", "4", "2", "1"])
    ]
    db_session.commit()
    return {"locality": locality, "centre": centre, "field": field, "wave": wave, "officer": officer,
            "responses": responses}


@pytest.fixture
def add_response(db_session, commune):
    """Add one more response to the commune's centre, `days` ago (0: today)."""

    def add(days: int = 2, score: str = "3", flags: list[str] | None = None):
        response = make_response(db_session, commune["wave"], commune["centre"], answers(score),
                                 field=commune["field"], flags=flags)
        if days:
            sent_days_ago(response, days)
        db_session.commit()
        commune["responses"].append(response)
        return response

    return add
