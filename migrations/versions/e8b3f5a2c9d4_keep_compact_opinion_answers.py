"""Keep a compact copy of each response's opinion answers.

Revision ID: e8b3f5a2c9d4
Revises: c4e2a9d1f7b3
Create Date: 2026-11-30 02:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e8b3f5a2c9d4'
down_revision = 'c4e2a9d1f7b3'
branch_labels = None
depends_on = None

# Frozen copies of survey.weights.scores.OPINION_ITEMS and NONE_VALUE as of this revision.
OPINION_ITEMS = ('harassment', 'informal_payment')
NONE_VALUE = 'khong_gap'


def _character(item: str) -> str:
    """SQL for one item's character: "1" occurrence, "0" "Không gặp", "." no answer."""
    return (
        "COALESCE((SELECT CASE WHEN a.value IS NULL THEN '.' "
        f"WHEN a.value = '{NONE_VALUE}' THEN '0' ELSE '1' END FROM answer a "
        f"WHERE a.response_id = response.id AND a.item_code = '{item}'), '.')"
    )


def upgrade():
    # Plain ADD COLUMN (see d3a9f0c61b25 for why not a batch rebuild on SQLite).
    op.add_column('response', sa.Column('opinions', sa.Text(), nullable=True))
    # Backfill every stored response from its answer rows: one lookup per response and item in
    # the unique (response_id, item_code) index, the same SQL on SQLite and PostgreSQL.
    op.execute(f"UPDATE response SET opinions = {' || '.join(_character(i) for i in OPINION_ITEMS)}")


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE response DROP COLUMN opinions')
    else:
        op.drop_column('response', 'opinions')
