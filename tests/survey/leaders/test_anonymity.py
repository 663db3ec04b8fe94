"""The proof that no leader's answer can be traced to a person, read from the migrated schema.

The database under test is built by `alembic upgrade head` (tests/conftest.py), so these
checks read what production has, on SQLite and, with SURVEY_TEST_DATABASE_URL, PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import DateTime, inspect, select

from survey.extensions import db
from survey.models import LeaderInvitation, LeaderResponse
from tests.survey.leaders.conftest import answer_all

RESPONSE = "leader_response"
INVITATION = "leader_invitation"
ALLOWED_RESPONSE_COLUMNS = {"id", "wave_id", "group_code", "unit_type", "submitted_on", "answers"}
"""Group, unit type, wave, day and answers: everything a stored leader response may carry."""
IDENTIFYING_WORDS = ("invit", "token", "unit_name", "full_name", "name", "phone", "email", "device",
                     "ip", "address", "hash", "session", "user", "time", "_at")


def _schema():
    with db.engine.connect() as connection:
        inspector = inspect(connection)
        return {table: (inspector.get_columns(table), inspector.get_foreign_keys(table))
                for table in inspector.get_table_names()}


def test_a_response_row_holds_only_group_unit_type_wave_day_and_answers(app):
    columns, foreign_keys = _schema()[RESPONSE]
    names = {column["name"] for column in columns}
    assert names == ALLOWED_RESPONSE_COLUMNS
    assert not [n for n in names - {"unit_type"} if any(word in n for word in IDENTIFYING_WORDS)]
    assert [(fk["constrained_columns"], fk["referred_table"]) for fk in foreign_keys] == [(["wave_id"], "wave")]


def test_no_table_links_responses_and_invitations(app):
    schema = _schema()
    for table, (_columns, foreign_keys) in schema.items():
        referred = {fk["referred_table"] for fk in foreign_keys}
        assert RESPONSE not in referred, f"{table} refers to {RESPONSE}"
        assert not ({RESPONSE, INVITATION} <= referred | {table}), table
    invitation_columns = {c["name"] for c in schema[INVITATION][0]}
    assert not [n for n in invitation_columns if "response" in n or "answer" in n]
    draft_columns = {c["name"] for c in schema["leader_draft"][0]}
    assert "response" not in " ".join(draft_columns)


def test_neither_table_keeps_a_time_of_day(app):
    """A completion and a response insert share at most their day, which many leaders share."""
    for table in (RESPONSE, INVITATION, "leader_draft"):
        columns, _ = _schema()[table]
        timestamps = [c["name"] for c in columns if isinstance(c["type"], DateTime)]
        assert timestamps == [], f"{table} keeps a time of day in {timestamps}"


def test_completion_and_response_cannot_be_matched_by_time_or_order(client, db_session, tokens):
    for token in tokens[:5]:
        answer_all(client, token)
    db_session.expire_all()
    completed = [i.completed_on for i in db_session.scalars(select(LeaderInvitation))
                 if i.completed_on is not None]
    responses = db_session.scalars(select(LeaderResponse)).all()
    assert len(completed) == len(responses) == 5
    # five completions and five responses carry the same day and nothing finer
    assert {type(day) for day in completed + [r.submitted_on for r in responses]} == {dt.date}
    assert len(set(completed) | {r.submitted_on for r in responses}) == 1
    # keys are random version-4 UUIDs, so their order says nothing about the order of arrival
    assert all(isinstance(r.id, uuid.UUID) and r.id.version == 4 for r in responses)


def test_transaction_ids_do_not_single_out_the_invitation_of_a_response(client, db_session, tokens):
    """PostgreSQL keeps the writing transaction's id (xmin) on every row version; SQLite keeps none.

    After several submissions, a response's xmin must match no invitation or every invitation
    of the wave, never exactly the one it completed.
    """
    for token in tokens[:3]:
        answer_all(client, token)
    db_session.expire_all()
    if db.engine.dialect.name != "postgresql":
        assert db.engine.dialect.name == "sqlite"  # rows carry no transaction id at all
        return
    from sqlalchemy import text

    invitation_xmin = [row[0] for row in db_session.execute(text("SELECT xmin::text FROM leader_invitation"))]
    for (xmin,) in db_session.execute(text("SELECT xmin::text FROM leader_response")):
        matches = invitation_xmin.count(xmin)
        assert matches in (0, len(invitation_xmin)), (xmin, invitation_xmin)
