"""Migrations are the schema: they match the models and every revision downgrades."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select

from survey.extensions import db
from survey.models import Response

# Downgrading drops every table: no test transaction may hold them meanwhile.
pytestmark = pytest.mark.commits


def _schema_diff():
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_models_match_migrations(app):
    assert _schema_diff() == []


def test_every_revision_downgrades_and_upgrades_again(app):
    db.session.remove()
    downgrade(revision="base")
    with db.engine.connect() as connection:
        assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
    upgrade()
    with db.engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
    assert {t.name for t in db.metadata.sorted_tables} <= tables
    assert _schema_diff() == []


def test_compact_opinions_are_backfilled_from_the_answer_rows(app):
    """Responses stored before e8b3f5a2c9d4 get `opinions` from their answer rows on upgrade."""
    from tests.factories import make_centre, make_response, make_wave

    centre = make_centre(db.session)
    wave = make_wave(db.session)
    cases = {"01": {"harassment": "khong_gap", "informal_payment": "vai_lan"},
             "1.": {"harassment": "nhieu_lan"},
             "..": {"tc1": "4"}}
    ids = {make_response(db.session, wave, centre, answers).id: text for text, answers in cases.items()}
    db.session.commit()
    db.session.remove()
    downgrade(revision="c4e2a9d1f7b3")
    upgrade()
    rows = dict(db.session.execute(select(Response.id, Response.opinions).where(Response.id.in_(ids))).all())
    assert rows == ids


def test_leaders_answers_move_into_answer_rows_and_back(app):
    """Leaders' responses stored as JSON before c9e1a3b5d7f2 become answer rows of no citizen's
    response on upgrade, kept as the citizens' store keeps each item type (a select_many's
    options joined by spaces, a likert answer with its score), and go back to the same JSON on
    downgrade; citizens' answer rows are left as they were. The shipped PAR questionnaire has
    graded and text items only, so a second leaders' version declares the other two types."""
    import uuid

    import sqlalchemy as sa

    from survey.enums import QuestionnaireKind
    from survey.models import Answer, Questionnaire, QuestionnaireVersion
    from tests.factories import make_centre, make_leader_wave, make_response, make_wave

    par = make_leader_wave(db.session)
    other = make_wave(db.session, QuestionnaireVersion(
        questionnaire=Questionnaire(code="leaders-other", title="Khác", kind=QuestionnaireKind.LEADER),
        number=1, checksum="0" * 64, definition={"pages": [{"code": "p", "sections": [{"code": "s", "items": [
            {"code": "channels", "type": "select_many"}, {"code": "overall", "type": "likert"}]}]}]}),
        code="OTHER-2026")
    citizen = make_response(db.session, make_wave(db.session), make_centre(db.session), {"tc1": "4"})
    db.session.commit()
    par_id, other_id, citizen_id = par.id, other.id, citizen.id
    citizen_rows = _rows(select(Answer.item_code, Answer.value, Answer.score).where(Answer.response_id == citizen_id))
    db.session.remove()
    downgrade(revision="d8b0c2e4f6a3")
    sheets = {uuid.uuid4(): (par_id, {"th1": "a", "th2": "e", "other_comments": "Cần rõ quy trình"}),
              uuid.uuid4(): (par_id, {"th1": "c"}),
              uuid.uuid4(): (other_id, {"overall": "5", "channels": ["zalo", "web"]})}
    table = sa.table("leader_response", sa.column("id", sa.Uuid()), sa.column("wave_id", sa.Integer()),
                     sa.column("group_code", sa.String()), sa.column("unit_type", sa.String()),
                     sa.column("answers", sa.JSON()))
    with db.engine.begin() as connection:
        connection.execute(table.insert(), [{"id": key, "wave_id": wave_id, "group_code": "lanh_dao_so",
                                             "unit_type": "so", "answers": answers}
                                            for key, (wave_id, answers) in sheets.items()])
    upgrade()
    stored = _rows(select(Answer.leader_response_id, Answer.item_code, Answer.value, Answer.score)
                   .where(Answer.response_id.is_(None)))
    assert stored == sorted([(key, code, value, None) for key, (wave_id, answers) in sheets.items()
                             if wave_id == par_id for code, value in answers.items()]
                            + [(key, "overall", "5", 5) for key, (wave_id, _) in sheets.items() if wave_id == other_id]
                            + [(key, "channels", "zalo web", None) for key, (wave_id, _) in sheets.items()
                               if wave_id == other_id])
    assert _rows(select(Answer.item_code, Answer.value, Answer.score)
                 .where(Answer.response_id == citizen_id)) == citizen_rows
    db.session.remove()
    downgrade(revision="d8b0c2e4f6a3")
    with db.engine.connect() as connection:
        back = dict(connection.execute(sa.select(table.c.id, table.c.answers)).all())
        citizens_back = sorted(connection.execute(sa.text(
            "SELECT item_code, value, score FROM answer")).all())
    upgrade()
    assert back == {key: answers for key, (_, answers) in sheets.items()}
    assert [tuple(row) for row in citizens_back] == citizen_rows


def _rows(query) -> list[tuple]:
    with db.engine.connect() as connection:
        return sorted(tuple(row) for row in connection.execute(query))


def test_versions_stored_before_targets_keep_the_86_percent_they_were_reported_against(app):
    """A share-satisfied version stored before a file could declare its target (before
    a4c6e8f0b2d5) gets the 0.86 every report of it used, with the checksum the definition now has, so
    the current SIPAS file (which declares 0.86) is the same version; a points-scored version
    is left alone, an answered version is rewritten despite the immutability trigger, and the
    downgrade takes the target out again."""
    from survey.models import QuestionnaireVersion
    from survey.questionnaire import check_questionnaire, from_dict
    from tests.factories import SIPAS_FILE, make_centre, make_leader_wave, make_response, make_wave

    sipas = make_wave(db.session)
    make_response(db.session, sipas, make_centre(db.session), {"tc1": "4"})  # answered: the trigger guards it
    par = make_leader_wave(db.session)
    db.session.commit()
    sipas_version, par_version = sipas.questionnaire_version_id, par.questionnaire_version_id
    par_before = _rows(select(QuestionnaireVersion.definition, QuestionnaireVersion.checksum)
                       .where(QuestionnaireVersion.id == par_version))
    db.session.remove()
    downgrade(revision="5f7fb7db84aa")  # as stored before: no target anywhere
    stored = dict(_rows(select(QuestionnaireVersion.id, QuestionnaireVersion.definition)))
    assert "target" not in stored[sipas_version]["index"]
    upgrade()

    definition, checksum = _rows(select(QuestionnaireVersion.definition, QuestionnaireVersion.checksum)
                                 .where(QuestionnaireVersion.id == sipas_version))[0]
    assert definition["index"]["target"] == 0.86
    assert from_dict(definition).checksum == checksum == check_questionnaire(SIPAS_FILE)[0].checksum
    assert from_dict(definition).index.target == 0.86
    assert _rows(select(QuestionnaireVersion.definition, QuestionnaireVersion.checksum)
                 .where(QuestionnaireVersion.id == par_version)) == par_before

    downgrade(revision="5f7fb7db84aa")
    definition, checksum = _rows(select(QuestionnaireVersion.definition, QuestionnaireVersion.checksum)
                                 .where(QuestionnaireVersion.id == sipas_version))[0]
    upgrade()
    assert "target" not in definition["index"]
    assert checksum != check_questionnaire(SIPAS_FILE)[0].checksum
