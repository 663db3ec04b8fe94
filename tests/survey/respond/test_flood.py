"""Issue 23's flood, played small: strangers cannot spend a limit that a citizen needs.

The attacker (anyone on the internet) opens the desk's QR once per address, then posts the
form state it got over and over with a new `sv_device` cookie each time, from several
addresses, until every limit it can reach refuses it. Then a citizen at the same desk, on
another address, opens the questionnaire and sends it. bench/flood.py plays the full-size
attack against gunicorn with Redis (docs/benchmarks.md, "Citizen flood").
"""

from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import func, select

from survey.models import Response
from survey.respond.limits import network_of
from tests.survey.respond.conftest import STATE, Citizen

ATTACKERS = ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"]
CITIZEN_ADDRESS = "127.0.0.9"


def _client(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client




def _flood(app, code: str, posts_per_address: int) -> list[int]:
    """What the attacker gets: one state per address, posted with a new device cookie each time."""
    statuses = []
    for address in ATTACKERS:
        attacker = _client(app, address)
        state = STATE.search(attacker.get(f"/q/{code}").get_data(as_text=True)).group(1)
        for number in range(posts_per_address):
            attacker.set_cookie("sv_device", f"{address}-{number}")
            statuses.append(attacker.post("/s", data={"state": state, "action": "next"}).status_code)
    return statuses


def _stored(db_session) -> int:
    return db_session.scalar(select(func.count()).select_from(Response))


def test_a_flood_at_a_desk_leaves_its_next_citizen_untouched(app, desk, db_session):
    app.config.update(RATE_LIMIT_QUESTIONNAIRE="20 per hour", RATE_LIMIT_ADDRESS="40 per hour")
    code = desk[1].code
    statuses = _flood(app, code, posts_per_address=60)
    assert statuses.count(429) == len(statuses) - 20 * len(ATTACKERS)  # each state's own 20, then refused

    citizen = Citizen(_client(app, CITIZEN_ADDRESS)).open(f"/q/{code}")
    assert citizen.status == 200
    citizen.finish()
    assert citizen.status == 303 and "/cam-on" in citizen.location
    assert _stored(db_session) == 1


def test_the_same_flood_against_counters_in_redis_as_in_production(worker, desk, shared_counters):
    """Two workers sharing Redis counters: the flood's addresses are refused across both, the
    citizen on another address is not."""
    url, prefix, store = shared_counters
    code = desk[1].code
    config = {"RATELIMIT_STORAGE_URI": url, "RATELIMIT_KEY_PREFIX": prefix,
              "RATE_LIMIT_QUESTIONNAIRE": "20 per hour", "RATE_LIMIT_ADDRESS": "40 per hour"}
    first, second = worker(**config), worker(**config)
    with first.app_context():
        statuses = _flood(first, code, posts_per_address=30)
    with second.app_context():
        statuses += _flood(second, code, posts_per_address=15)  # the same addresses, the other worker
        citizen = Citizen(_client(second, CITIZEN_ADDRESS)).open(f"/q/{code}").finish()
    counters = store.keys(f"*{prefix}*")
    assert counters, "the counters should live in Redis"
    # Per address: 20 of the first state's 30 posts (its own limit), then 10 of the second
    # state's 15 on the other worker (the address's 40 spent across both; apart, it would be 15).
    assert statuses.count(200) == 30 * len(ATTACKERS) and statuses.count(429) == 15 * len(ATTACKERS)
    assert citizen.status == 303


def test_minting_states_is_bounded_per_address_not_per_desk(app, desk):
    app.config.update(RATE_LIMIT_START="5 per hour")
    code = desk[1].code
    attacker = _client(app, ATTACKERS[0])
    opened = []
    for number in range(8):
        attacker.set_cookie("sv_device", f"fresh-{number}")
        opened.append(attacker.get(f"/q/{code}").status_code)
    assert opened == [200] * 5 + [429] * 3

    citizen = Citizen(_client(app, CITIZEN_ADDRESS)).open(f"/q/{code}")
    assert citizen.status == 200 and re.search('name="state"', citizen.html)


def test_the_address_limit_bounds_a_script_that_mints_a_state_for_every_post(app, desk):
    app.config.update(RATE_LIMIT_ADDRESS="6 per hour")
    code = desk[1].code
    attacker = _client(app, ATTACKERS[0])
    statuses = []
    for number in range(8):
        attacker.set_cookie("sv_device", f"fresh-{number}")
        attacker.delete_cookie("sv_resume")
        statuses.append(Citizen(attacker).open(f"/q/{code}").post("next").status)
    assert statuses == [200] * 6 + [429] * 2
    assert Citizen(_client(app, CITIZEN_ADDRESS)).open(f"/q/{code}").post("next").status == 200


def test_ipv6_clients_count_by_their_64_and_ipv4_mapped_ones_as_ipv4():
    assert network_of("2001:db8:1:2::1") == network_of("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert network_of("2001:db8:1:3::1") != network_of("2001:db8:1:2::1")
    assert network_of("::ffff:203.0.113.7") == network_of("203.0.113.7") == "203.0.113.7"
    assert network_of(None) == network_of("not an address") == "unknown"


def test_a_script_hopping_addresses_inside_one_ipv6_64_shares_one_allowance(app, desk):
    app.config.update(RATE_LIMIT_START="3 per hour")
    code = desk[1].code
    opened = [_client(app, f"2001:db8:1:2::{number + 1:x}").get(f"/q/{code}").status_code for number in range(4)]
    assert opened == [200, 200, 200, 429]
    assert _client(app, "2001:db8:1:3::1").get(f"/q/{code}").status_code == 200


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_questionnaire_over_its_own_limit_gets_a_polite_page(app, desk, language):
    app.config.update(RATE_LIMIT_QUESTIONNAIRE="2 per minute")
    citizen = Citizen(_client(app, CITIZEN_ADDRESS)).open(f"/q/{desk[1].code}?lang={language}")
    citizen.post("next").post("next").post("next")
    assert citizen.status == 429
    assert 1 <= int(citizen.headers["Retry-After"]) <= 61
    polite = "Ông/Bà đã gửi quá nhiều yêu cầu" if language == "vi" else "Too many requests"
    assert polite in citizen.html


def test_a_burst_of_completed_responses_is_stored_flagged_and_alerted_once(app, desk, db_session, caplog):
    app.config.update(ALERT_CENTRE_RESPONSES="2 per hour")
    code = desk[1].code
    with caplog.at_level(logging.WARNING, logger="survey.respond.limits"):
        outcomes = [Citizen(_client(app, f"127.0.1.{n}")).open(f"/q/{code}").finish().status for n in range(7)]
    assert outcomes == [303] * 7  # never refused
    assert _stored(db_session) == 7
    alerts = [r.getMessage() for r in caplog.records if r.getMessage().startswith("ALERT")]
    assert len(alerts) == 1 and f"centre {code}" in alerts[0]
    flags = db_session.scalars(select(Response.quality_flags)).all()
    assert sum("burst" in f for f in flags) == 2  # the sixth and seventh within 5 minutes


def test_junk_that_never_completes_raises_no_alert(app, desk, caplog):
    app.config.update(ALERT_CENTRE_RESPONSES="2 per hour")
    with caplog.at_level(logging.WARNING, logger="survey.respond.limits"):
        _flood(app, desk[1].code, posts_per_address=10)
    assert not [r for r in caplog.records if r.getMessage().startswith("ALERT")]
