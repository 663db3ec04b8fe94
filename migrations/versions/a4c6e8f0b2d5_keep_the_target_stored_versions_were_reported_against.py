"""Keep the target every stored satisfaction version was reported against: 86%.

Revision ID: a4c6e8f0b2d5
Revises: 5f7fb7db84aa
Create Date: 2026-12-04 23:10:00

Until a questionnaire file could declare its target (`index.target`), every report of a
share-satisfied index compared it with the province's 86%. A version stored before then has no
target in its definition and would now be reported with none, so a deployed SIPAS wave would
lose its target line and its distance to 86% on the next build. This writes that 86% into
every such version's definition, as `target: 0.86` in a file would, and its checksum anew
(the same canonical JSON as `QuestionnaireDefinition.checksum`), so publishing the current
SIPAS file, which declares 0.86, finds the version it already has. Indexes scored by points or
by mean score never had a target and are left alone.

The definition of an answered version is otherwise immutable (the trigger of 5f7fb7db84aa):
the target is no part of any question, so the trigger is lifted for this one statement per
version and put back. Downgrade takes `target` out of every definition again (the code before
this revision refused an unknown key), with the checksums.
"""
import hashlib
import json

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a4c6e8f0b2d5'
down_revision = '5f7fb7db84aa'
branch_labels = None
depends_on = None

TARGET = 0.86
TRIGGER = "questionnaire_version_immutable_once_answered"
versions = sa.table("questionnaire_version", sa.column("id", sa.Integer()),
                    sa.column("questionnaire_id", sa.Integer()), sa.column("checksum", sa.String()),
                    sa.column("definition", sa.JSON()))


def _checksum(definition: dict) -> str:
    canonical = json.dumps(definition, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _rewrite(change) -> None:
    """Apply `change` (definition → new definition, or None to keep it) to every version, with
    the immutability trigger lifted meanwhile."""
    connection = op.get_bind()
    rows = connection.execute(sa.select(versions.c.id, versions.c.questionnaire_id, versions.c.checksum,
                                        versions.c.definition)).all()
    taken = {(row.questionnaire_id, row.checksum) for row in rows}
    updates = []
    for row in rows:
        definition = change(row.definition)
        if definition is None:
            continue
        checksum = _checksum(definition)
        if (row.questionnaire_id, checksum) in taken:  # the same definition is stored already
            continue
        taken.add((row.questionnaire_id, checksum))
        updates.append({"version_id": row.id, "definition": definition, "checksum": checksum})
    if not updates:
        return
    postgres = connection.dialect.name == "postgresql"
    if postgres:
        op.execute(f"ALTER TABLE questionnaire_version DISABLE TRIGGER {TRIGGER}")
    else:
        trigger_sql = connection.execute(sa.text(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :name"), {"name": TRIGGER}).scalar()
        if trigger_sql:
            op.execute(f"DROP TRIGGER {TRIGGER}")
    connection.execute(versions.update().where(versions.c.id == sa.bindparam("version_id"))
                       .values(definition=sa.bindparam("definition"), checksum=sa.bindparam("checksum")),
                       updates)
    if postgres:
        op.execute(f"ALTER TABLE questionnaire_version ENABLE TRIGGER {TRIGGER}")
    elif trigger_sql:
        op.execute(trigger_sql)


def _with_target(definition: dict) -> dict | None:
    index = definition.get("index")
    if not index or "target" in index or index.get("item_score", "share_satisfied") != "share_satisfied":
        return None
    return {**definition, "index": {**index, "target": TARGET}}


def _without_target(definition: dict) -> dict | None:
    index = definition.get("index")
    if not index or "target" not in index:
        return None
    return {**definition, "index": {key: value for key, value in index.items() if key != "target"}}


def upgrade():
    _rewrite(_with_target)


def downgrade():
    _rewrite(_without_target)
