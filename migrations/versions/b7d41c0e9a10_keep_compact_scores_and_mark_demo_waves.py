"""Keep a compact copy of each response's scores and mark demo waves.

Revision ID: b7d41c0e9a10
Revises: 70aa799c21ca
Create Date: 2026-11-29 23:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7d41c0e9a10'
down_revision = '70aa799c21ca'
branch_labels = None
depends_on = None


def upgrade():
    # Responses stored before this revision keep scores NULL; survey.weights reads their
    # scores from the answer table instead, so no backfill is needed.
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scores', sa.Text(), nullable=True))
    with op.batch_alter_table('wave', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_demo', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('wave', schema=None) as batch_op:
        batch_op.drop_column('is_demo')
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.drop_column('scores')
