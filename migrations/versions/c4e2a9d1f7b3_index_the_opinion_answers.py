"""Index the opinion answers the quarterly report reads.

Revision ID: c4e2a9d1f7b3
Revises: d3a9f0c61b25
Create Date: 2026-11-30 00:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c4e2a9d1f7b3'
down_revision = 'd3a9f0c61b25'
branch_labels = None
depends_on = None

OPINION_ITEMS_SQL = "item_code IN ('harassment', 'informal_payment')"


def upgrade():
    op.create_index('ix_answer_opinion_items', 'answer', ['item_code', 'response_id', 'value'],
                    unique=False, sqlite_where=sa.text(OPINION_ITEMS_SQL),
                    postgresql_where=sa.text(OPINION_ITEMS_SQL))


def downgrade():
    op.drop_index('ix_answer_opinion_items', table_name='answer')
