"""End staff sessions on the server: a session generation per account.

Revision ID: b7e4c1d9a2f3
Revises: 70aa799c21ca
Create Date: 2026-11-29 23:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e4c1d9a2f3'
down_revision = '70aa799c21ca'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_check_constraint(op.f('ck_user_account_session_generation_non_negative'), 'session_generation >= 0')


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_user_account_session_generation_non_negative'), type_='check')
        batch_op.drop_column('session_generation')
