"""Refuse edits to an answered questionnaire version in the database.

Revision ID: c476464ce570
Revises: 70aa799c21ca
Create Date: 2026-11-29 23:45:00.000000

The ORM guard (`survey.models.responses`) explains the refusal to a publisher; this trigger
refuses it for Core `update()`, raw SQL and other database clients too, as the audit log's
triggers do (ef5fd3dd7be9). A version is answered once a response is stored against one of
its waves. The enum columns' CHECK constraints keep their names and values in this
revision, so none of them changes.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c476464ce570'
down_revision = '70aa799c21ca'
branch_labels = None
depends_on = None

MESSAGE = "questionnaire_version has responses and cannot be changed; publish a new version"
ANSWERED = """EXISTS (
    SELECT 1 FROM response JOIN wave ON wave.id = response.wave_id
    WHERE wave.questionnaire_version_id = OLD.id
)"""


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION questionnaire_version_refuse_answered_edit() RETURNS trigger AS $$
            BEGIN
                IF {ANSWERED} THEN
                    RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
                END IF;
                RETURN NEW;
            END;
            $$ LANGUAGE plpgsql
        """)
        op.execute("""
            CREATE TRIGGER questionnaire_version_immutable_once_answered
            BEFORE UPDATE ON questionnaire_version
            FOR EACH ROW EXECUTE FUNCTION questionnaire_version_refuse_answered_edit()
        """)
    else:
        op.execute(f"""
            CREATE TRIGGER questionnaire_version_immutable_once_answered
            BEFORE UPDATE ON questionnaire_version
            WHEN {ANSWERED}
            BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
        """)


def downgrade():
    op.execute("DROP TRIGGER questionnaire_version_immutable_once_answered" + (
        " ON questionnaire_version" if op.get_bind().dialect.name == "postgresql" else ""))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION questionnaire_version_refuse_answered_edit()")
