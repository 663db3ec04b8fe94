"""Count leaders' sheets as answers of a questionnaire version in the database's guard.

Revision ID: 5f7fb7db84aa
Revises: c9e1a3b5d7f2
Create Date: 2026-12-04 22:30:00

The trigger of c476464ce570 refused an UPDATE of a questionnaire version only once a citizen's
response was stored against one of its waves, so a version answered only by leaders could still
be changed under their answers. A version is now answered, as the ORM guard says
(`survey.models.responses.version_is_answered`), by a citizen's response, a leader's released
response (`leader_response`) or a leader's sheet waiting in the mix (`leader_sealed`, released
later against the same version). Drafts count for neither. The message is unchanged. Downgrade
puts back the citizens-only condition.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '5f7fb7db84aa'
down_revision = 'c9e1a3b5d7f2'
branch_labels = None
depends_on = None

MESSAGE = "questionnaire_version has responses and cannot be changed; publish a new version"
TRIGGER = "questionnaire_version_immutable_once_answered"
FUNCTION = "questionnaire_version_refuse_answered_edit"
CITIZENS = ("response",)
EVERYONE = ("response", "leader_response", "leader_sealed")


def _answered(tables: tuple[str, ...]) -> str:
    """SQL true when a row of any of `tables` belongs to a wave of the version being updated."""
    waves = "SELECT wave.id FROM wave WHERE wave.questionnaire_version_id = OLD.id"
    return " OR ".join(f"EXISTS (SELECT 1 FROM {table} WHERE {table}.wave_id IN ({waves}))"
                       for table in tables)


def _refuse_when_answered_by(tables: tuple[str, ...]) -> None:
    if op.get_bind().dialect.name == "postgresql":
        # The trigger calls the function by name, so replacing the function is enough.
        op.execute(f"""
            CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger AS $$
            BEGIN
                IF {_answered(tables)} THEN
                    RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
                END IF;
                RETURN NEW;
            END;
            $$ LANGUAGE plpgsql
        """)
    else:
        op.execute(f"DROP TRIGGER {TRIGGER}")
        op.execute(f"""
            CREATE TRIGGER {TRIGGER}
            BEFORE UPDATE ON questionnaire_version
            WHEN {_answered(tables)}
            BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
        """)


def upgrade():
    _refuse_when_answered_by(EVERYONE)


def downgrade():
    _refuse_when_answered_by(CITIZENS)
