"""Drop the partial index on the opinion answers: the report reads response.opinions now.

The index served the report's scan of the answer table for the two opinion items; since
e8b3f5a2c9d4 the report reads the compact copy on each response, and the index was only a
cost on every stored answer row.

Revision ID: f4c7a1d2e9b6
Revises: e8b3f5a2c9d4
Create Date: 2026-11-30 03:50:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f4c7a1d2e9b6'
down_revision = 'e8b3f5a2c9d4'
branch_labels = None
depends_on = None

# Frozen copy of the index's filter as c4e2a9d1f7b3 created it.
OPINION_ITEMS_SQL = "item_code IN ('harassment', 'informal_payment')"


def upgrade():
    op.drop_index('ix_answer_opinion_items', table_name='answer')


def downgrade():
    op.create_index('ix_answer_opinion_items', 'answer', ['item_code', 'response_id', 'value'],
                    unique=False, sqlite_where=sa.text(OPINION_ITEMS_SQL),
                    postgresql_where=sa.text(OPINION_ITEMS_SQL))
