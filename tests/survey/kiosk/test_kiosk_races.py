"""A tablet that resends while its first send is still being stored: one row, both answered "stored".

A tablet whose connection drops after the server stored a questionnaire, but before the answer
came back, sends the same id again; on a slow line both sends can be in flight at once. Both
requests are held just after the "already stored?" check until both have passed it, and the
database's primary key decides, as for the citizen form's double tap.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from survey.kiosk.pairing import DEVICE_COOKIE
from survey.models import Answer, Response
from tests.factories import checks_meet_before_storing

pytestmark = pytest.mark.commits

BARRIER_TIMEOUT = 20


def _send(app, key, centre_code, payload, results, index):
    client = app.test_client()
    client.set_cookie(DEVICE_COOKIE, key, path="/k")
    try:
        reply = client.post(f"/k/{centre_code}/submissions", json=payload)
        results[index] = (reply.status_code, reply.get_json())
    except Exception as exc:  # under TESTING a 500 propagates as the exception itself
        results[index] = (500, repr(exc))


def test_two_sends_of_one_submission_in_flight_store_one_row(app, tablet, desk, submission, db_session,
                                                            monkeypatch):
    centre, _ = desk
    key = tablet.get_cookie(DEVICE_COOKIE, path="/k").value
    checks_meet_before_storing(monkeypatch, timeout=BARRIER_TIMEOUT)
    results = [None, None]
    sends = [threading.Thread(target=_send, args=(app, key, centre.code, submission, results, i)) for i in range(2)]
    for send in sends:
        send.start()
    for send in sends:
        send.join(BARRIER_TIMEOUT * 2)
    assert sorted(status for status, _ in results) == [200, 201], results
    assert {body["id"] for _, body in results} == {submission["id"]}
    db_session.expire_all()
    assert db_session.scalar(select(func.count()).select_from(Response)) == 1
    stored = db_session.scalar(select(Response))
    assert db_session.scalar(select(func.count()).select_from(Answer)) == len(stored.answers) > 0
