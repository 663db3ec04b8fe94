"""Answers survive an expired CSRF token or a lost session; limits answer politely."""

import time

from itsdangerous.timed import TimestampSigner
from sqlalchemy import func, select

from survey.models import Response
from survey.respond.state import load_state
from tests.survey.respond.conftest import Citizen

# The shared-counter test's Redis (a database index of its own); CI starts the server (.ci/run).


def test_expired_csrf_token_rerenders_with_answers_and_a_fresh_token(app, citizen, desk, db_session, monkeypatch):
    app.config.update(WTF_CSRF_ENABLED=True, WTF_CSRF_TIME_LIMIT=1)
    _, centre, _ = desk
    citizen.open(f"/q/{centre.code}")
    old_token = citizen.csrf
    assert old_token
    # Two seconds later, by the signer's clock (whole seconds) rather than by waiting.
    later = int(time.time()) + 2
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda signer: later)
    citizen.post("next", {"tc1": "5"})
    assert citizen.status == 200
    assert "Phiên làm việc đã hết hạn" in citizen.html
    state = load_state(citizen.state)
    assert state.page == 0 and state.answers["tc1"] == "5"
    assert citizen.csrf and citizen.csrf != old_token

    app.config["WTF_CSRF_TIME_LIMIT"] = 3600
    citizen.post("next")
    assert load_state(citizen.state).page == 1
    assert "Phiên làm việc đã hết hạn" not in citizen.html


def test_lost_session_cookie_keeps_answers(app, citizen, desk, client):
    app.config.update(WTF_CSRF_ENABLED=True)
    _, centre, _ = desk
    citizen.open(f"/q/{centre.code}")
    citizen.post("next", {"tc1": "3"})
    client.delete_cookie("session")
    citizen.post("next", {"tt1": "2"})
    assert "Phiên làm việc đã hết hạn" in citizen.html
    state = load_state(citizen.state)
    assert (state.page, state.answers["tc1"], state.answers["tt1"]) == (1, "3", "2")
    citizen.post("next")
    assert load_state(citizen.state).page == 2


def test_questionnaire_rate_limit_shows_a_polite_page(app, citizen, desk, db_session):
    app.config["RATE_LIMIT_QUESTIONNAIRE"] = "2 per minute"
    _, centre, _ = desk
    citizen.open(f"/q/{centre.code}")
    citizen.post("next").post("next").post("next")
    assert citizen.status == 429
    assert 1 <= int(citizen.headers["Retry-After"]) <= 61  # the rest of the minute's window, rounded up
    assert "Ông/Bà đã gửi quá nhiều yêu cầu" in citizen.html
    assert db_session.scalar(select(func.count()).select_from(Response)) == 0


def test_the_address_limit_is_not_reset_by_a_new_device_cookie(app, client, desk):
    app.config["RATE_LIMIT_ADDRESS"] = "3 per minute"  # a script dropping its cookies stays within its address
    _, centre, _ = desk
    statuses = []
    for number in range(4):
        client.set_cookie("sv_device", f"device-{number}")
        client.delete_cookie("sv_resume")  # another phone has no unfinished form here
        statuses.append(Citizen(client).open(f"/q/{centre.code}").post("next").status)
    assert statuses == [200, 200, 200, 429]


def test_address_rate_limit_is_shared_through_redis(worker, desk, shared_counters):
    """Several gunicorn workers share counters through Redis (SURVEY_RATELIMIT_STORAGE)."""
    url, prefix, store = shared_counters
    code = desk[1].code  # read in this app's context: the fixtures' session follows current_app
    shared = worker(RATELIMIT_STORAGE_URI=url, RATELIMIT_KEY_PREFIX=prefix,
                    RATE_LIMIT_ADDRESS="3 per minute")
    statuses = []
    for number in range(4):
        with shared.app_context():
            worker_client = shared.test_client()
            worker_client.set_cookie("sv_device", f"device-{number}")  # a new device each time
            statuses.append(Citizen(worker_client).open(f"/q/{code}").post("next").status)
    counters = store.keys(f"*{prefix}*")
    assert statuses == [200, 200, 200, 429]
    assert counters, "the counters should live in Redis, not in the worker's memory"


def test_an_unreachable_redis_does_not_turn_citizens_away(worker, desk):
    """With the counter store down, limits fall back to memory and the form still works."""

    code = desk[1].code  # read in this app's context: the fixtures' session follows current_app
    down = worker(RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")
    with down.app_context():
        citizen = Citizen(down.test_client()).open(f"/q/{code}").post("next", {"tc1": "4"})
    assert citizen.status == 200
