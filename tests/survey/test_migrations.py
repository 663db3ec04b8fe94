"""Migrations are the schema: they match the models and every revision downgrades."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from survey.extensions import db

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
