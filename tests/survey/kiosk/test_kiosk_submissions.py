"""Questionnaires sent by a paired tablet: stored once, as desk responses, and checked as the form checks them.

The attacker is a tablet (or a script holding its cookie) that resends, tampers with or mangles
a submission: each id is stored once, every bad field gets a 4xx naming it, never a 500.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import func, select

from survey.enums import Channel
from survey.models import Answer, Response
from survey.questionnaire.relevance import parse
from tests.factories import SIPAS_FILE, shipped_questionnaire


def _post(tablet, centre, payload):
    return tablet.post(f"/k/{centre.code}/submissions", json=payload)


def test_a_submission_is_stored_as_a_desk_response_with_its_completion_time(tablet, desk, submission, db_session):
    centre, wave = desk
    answer = _post(tablet, centre, submission)
    assert answer.status_code == 201
    assert answer.get_json() == {"id": submission["id"], "status": "stored"}
    response = db_session.get(Response, uuid.UUID(submission["id"]))
    assert response.channel == Channel.DESK and response.centre_id == centre.id and response.wave_id == wave.id
    completed = dt.datetime.fromisoformat(submission["completed_at"])
    assert response.submitted_at == completed.replace(second=0, microsecond=0)  # kept to the minute
    assert response.duration_seconds == 6 * 60
    assert response.device_hash is None  # one tablet answers for many citizens: no repeat-device flag
    stored = dict(db_session.execute(select(Answer.item_code, Answer.value)
                                     .where(Answer.response_id == response.id)).all())
    expected = {code: " ".join(v) if isinstance(v, list) else str(v) for code, v in submission["answers"].items()}
    assert stored == expected


def test_a_resent_submission_is_stored_once(tablet, desk, submission, db_session):
    centre, _ = desk
    assert _post(tablet, centre, submission).status_code == 201
    again = _post(tablet, centre, submission)
    assert again.status_code == 200
    assert again.get_json()["status"] == "duplicate"
    assert db_session.scalar(select(func.count()).select_from(Response)) == 1


def test_answers_the_skip_logic_hides_are_not_stored(tablet, desk, submission, db_session):
    """A hidden question's answer sent by a tampered tablet is dropped, as the citizen form drops it."""
    centre, _ = desk
    questionnaire = shipped_questionnaire(SIPAS_FILE)
    gate = next(s for p in questionnaire.pages for s in p.sections if s.relevant is not None)
    gate_item = gate.relevant.references[0]
    closing = next(c.value for c in questionnaire.items_by_code[gate_item].choices.choices
                   if not gate.relevant.evaluate({gate_item: c.value}))
    submission["answers"][gate_item] = closing
    for item in gate.items:
        submission["answers"][item.code] = "4"
    assert _post(tablet, centre, submission).status_code == 201
    codes = set(db_session.scalars(select(Answer.item_code)))
    assert codes.isdisjoint(item.code for item in gate.items)
    assert gate_item in codes


def _broken(submission: dict, change) -> dict:
    payload = {**submission, "answers": dict(submission["answers"])}
    change(payload)
    return payload


def _likert_code() -> str:
    return shipped_questionnaire(SIPAS_FILE).likert_items[0].code


BAD = {
    "no id": (lambda p: p.pop("id"), "id"),
    "id not a uuid": (lambda p: p.update(id="abc"), "id"),
    "unknown wave": (lambda p: p.update(wave=99999), "wave"),
    "wave as text": (lambda p: p.update(wave="1"), "wave"),
    "wave beyond an INTEGER": (lambda p: p.update(wave=2**40), "wave"),
    "unknown language": (lambda p: p.update(language="xx"), "language"),
    "unknown block": (lambda p: p.update(assigned=["nope"]), "assigned"),
    "naive time": (lambda p: p.update(started_at="2026-07-01T08:00:00"), "started_at"),
    "time not text": (lambda p: p.update(completed_at=12), "completed_at"),
    "time before year 1 in UTC": (lambda p: p.update(started_at="0001-01-01T00:00:00+01:00"), "started_at"),
    "time after year 9999 in UTC": (lambda p: p.update(completed_at="9999-12-31T23:59:59-01:00"), "completed_at"),
    "finished before starting": (lambda p: p.update(started_at=p["completed_at"], completed_at=p["started_at"]),
                                 "completed_at"),
    "finished in the future": (lambda p: p.update(
        completed_at=(dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)).isoformat()), "completed_at"),
    "answers not an object": (lambda p: p.update(answers=[1, 2]), "answers"),
    "unknown question": (lambda p: p["answers"].update(zz_unknown="1"), "answers.zz_unknown"),
    "value off the scale": (lambda p: p["answers"].update({_likert_code(): "9"}), f"answers.{_likert_code()}"),
    "scale value as a list": (lambda p: p["answers"].update({_likert_code(): ["4"]}), f"answers.{_likert_code()}"),
    "required answer missing": (lambda p: p["answers"].pop(_likert_code()), f"answers.{_likert_code()}"),
}


@pytest.mark.parametrize("case", BAD)
def test_a_bad_field_gets_a_clear_error_naming_it(tablet, desk, submission, db_session, case):
    centre, _ = desk
    change, field = BAD[case]
    answer = _post(tablet, centre, _broken(submission, change))
    assert answer.status_code == 400, answer.get_data(as_text=True)
    assert answer.get_json()["field"] == field
    assert answer.get_json()["error"]
    assert db_session.scalar(select(func.count()).select_from(Response)) == 0


@pytest.mark.parametrize("body", [b"", b"[]", b"null", b"{", b"\xff\xfe", b'{"id": "\\u0000"}', b"[" * 100000])
def test_a_body_that_is_not_a_json_object_gets_400(tablet, desk, body):
    centre, _ = desk
    answer = tablet.post(f"/k/{centre.code}/submissions", data=body, content_type="application/json")
    assert answer.status_code == 400
    assert "đối tượng JSON" in answer.get_json()["error"]


def test_a_form_post_is_refused(tablet, desk):
    centre, _ = desk
    answer = tablet.post(f"/k/{centre.code}/submissions", data={"id": "x"})
    assert answer.status_code == 415


def test_a_body_too_large_gets_413(tablet, desk, submission):
    centre, _ = desk
    submission["answers"]["padding"] = "x" * (300 * 1024)
    assert _post(tablet, centre, submission).status_code == 413


def test_a_questionnaire_completed_while_the_wave_was_open_is_kept_after_it_closes(
        tablet, desk, submission, db_session):
    """A tablet offline on the wave's last day sends its queue the next morning."""
    centre, wave = desk
    yesterday = dt.date.today() - dt.timedelta(days=1)
    wave.closes_on = yesterday
    db_session.commit()
    late = _broken(submission, lambda p: p.update(completed_at=(dt.datetime.now(dt.timezone.utc)).isoformat()))
    assert _post(tablet, centre, late).status_code == 409
    on_time = dt.datetime.combine(yesterday, dt.time(10, 0), dt.timezone(dt.timedelta(hours=7)))
    kept = _broken(submission, lambda p: p.update(started_at=(on_time - dt.timedelta(minutes=5)).isoformat(),
                                                  completed_at=on_time.isoformat()))
    assert _post(tablet, centre, kept).status_code == 201


def test_the_leaders_wave_is_not_a_kiosk_wave(tablet, desk, submission, db_session):
    from tests.factories import make_leader_wave

    centre, _ = desk
    leaders = make_leader_wave(db_session)
    db_session.commit()
    answer = _post(tablet, centre, _broken(submission, lambda p: p.update(wave=leaders.id)))
    assert answer.status_code == 400 and answer.get_json()["field"] == "wave"


def test_skip_logic_ships_as_the_parsed_tree(tablet, desk):
    """The tablet evaluates the server's own parse of each expression, not a second parser."""
    centre, _ = desk
    definition = tablet.get(f"/k/{centre.code}/questionnaire.json").get_json()
    questionnaire = shipped_questionnaire(SIPAS_FILE)
    sections = {s.code: s for p in questionnaire.pages for s in p.sections}
    shipped = [(section["relevant"], sections[section["code"]].relevant.source)
               for page in definition["pages"] for section in page["sections"] if section["relevant"]]
    assert shipped
    for tree, source in shipped:
        assert tree == _lists(parse(source).tree)


def _lists(node):
    return [_lists(part) for part in node] if isinstance(node, tuple) else node


def test_a_flood_from_one_tablet_is_slowed_not_stored(app, tablet, desk, submission, db_session):
    """A copied device key sends faster than any desk: past the limit, 429 in JSON and nothing stored."""
    centre, _ = desk
    app.config["RATE_LIMIT_KIOSK"] = "2 per minute"
    for _ in range(2):
        assert _post(tablet, centre, {**submission, "id": str(uuid.uuid4())}).status_code == 201
    refused = _post(tablet, centre, {**submission, "id": str(uuid.uuid4())})
    assert refused.status_code == 429
    assert "giữ" in refused.get_json()["error"]
    assert db_session.scalar(select(func.count()).select_from(Response)) == 2


def test_a_days_queue_sent_at_once_is_not_a_burst(tablet, desk, submission, db_session):
    """Six questionnaires finished an hour apart, sent together after an outage (latest first,
    as a queue may send them), are six calm desk responses, not staff filling in forms."""
    centre, _ = desk
    finished = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)
    for hours in range(6):
        done = finished - dt.timedelta(hours=hours)
        payload = {**submission, "id": str(uuid.uuid4()), "completed_at": done.isoformat(),
                   "started_at": (done - dt.timedelta(minutes=6)).isoformat()}
        assert _post(tablet, centre, payload).status_code == 201
    flags = db_session.scalars(select(Response.quality_flags)).all()
    assert len(flags) == 6
    assert not any("burst" in stored for stored in flags)


def test_a_queue_still_arrives_after_its_centre_is_deactivated(tablet, desk, submission, db_session):
    centre, _ = desk
    centre.active = False
    db_session.commit()
    assert tablet.get(f"/k/{centre.code}").status_code == 404  # no new questionnaire there
    assert _post(tablet, centre, submission).status_code == 201


def test_a_locked_database_answers_503_and_the_tablet_keeps_the_questionnaire(tablet, desk, submission, db_session,
                                                                             monkeypatch):
    from sqlalchemy.exc import OperationalError

    from survey.kiosk import views

    def locked(*args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    centre, _ = desk
    monkeypatch.setattr(views, "store_response", locked)
    answer = _post(tablet, centre, submission)
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "30"
    assert "giữ" in answer.get_json()["error"]
