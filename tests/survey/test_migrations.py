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
