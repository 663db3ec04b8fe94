"""Keep a compact copy of each response's scores and mark demo waves.

Revision ID: d3a9f0c61b25
Revises: b7e4c1d9a2f3
Create Date: 2026-11-29 23:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd3a9f0c61b25'
down_revision = 'b7e4c1d9a2f3'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN, not a batch table rebuild: on SQLite a rebuild of `wave` trips the
    # trigger that guards answered questionnaire versions (it names `wave`).
    # Responses stored before this revision keep scores NULL; survey.weights reads their
    # scores from the answer table instead, so no backfill is needed.
    op.add_column('response', sa.Column('scores', sa.Text(), nullable=True))
    op.add_column('wave', sa.Column('is_demo', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    # SQLite (3.35+) drops a column in place; alembic would otherwise rebuild the table.
    for table, column in (('wave', 'is_demo'), ('response', 'scores')):
        if op.get_bind().dialect.name == 'sqlite':
            op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')
        else:
            op.drop_column(table, column)
