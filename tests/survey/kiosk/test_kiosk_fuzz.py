"""Hypothesis fuzzing of a paired tablet's submissions: any JSON in any field gets a 4xx or a
store, never a 5xx, and a refused submission stores nothing.

The attacker holds a paired tablet's cookie (a stolen tablet, a script) and sends whatever JSON
it likes. CI runs SURVEY_FUZZ_EXAMPLES examples (default 30); set it to thousands for a longer run.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from survey.models import Response

EXAMPLES = int(os.environ.get("SURVEY_FUZZ_EXAMPLES", "30"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=os.environ.get("CI") == "true",
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
ACCEPTED = {200, 201}
REFUSED = {400, 409, 413, 415}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | st.floats(allow_nan=False)
    | st.text(max_size=30) | st.sampled_from(["4", "co", "2026-07-01T08:00:00Z", "0001-01-01T00:00:00+01:00", "\x00",
                                               "0" * 40]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
FIELDS = ["id", "wave", "language", "assigned", "started_at", "completed_at", "answers"]


@FUZZ
@given(field=st.sampled_from(FIELDS), value=json_values, answer_code=st.text(max_size=12), answer=json_values)
def test_any_json_in_any_field_never_fails_with_a_5xx(app, tablet, desk, submission, db_session, field, value,
                                                     answer_code, answer):
    centre, _ = desk
    app.config["RATE_LIMIT_KIOSK"] = "100000 per minute"  # the flood limit has its own test
    before = db_session.scalar(select(func.count()).select_from(Response))
    code = next(iter(submission["answers"])) if answer_code == "" else answer_code
    payload = {**submission, field: value, "answers": {**submission["answers"], code: answer}}
    reply = tablet.post(f"/k/{centre.code}/submissions", json=payload)
    assert reply.status_code in ACCEPTED | REFUSED, reply.get_data(as_text=True)
    db_session.expire_all()
    stored = db_session.scalar(select(func.count()).select_from(Response))
    assert stored == before + (1 if reply.status_code == 201 else 0)
    if reply.status_code in REFUSED:
        assert reply.get_json()["error"]
