"""Assign questionnaire blocks at random, per-wave share; keep demo counts under the demo wave's code.

`response.assigned_blocks` records the blocks (planned subsamples) a respondent was drawn for;
`wave.assigned_share` is a wave's own share for them (NULL: the questionnaire's);
`admin_count.quarter` widens to 20 characters so a demo wave's dossier counts live under its
own code (DEMO-2026Q3), apart from a real quarter's.

Revision ID: a7d2c5e8f1b4
Revises: f4c7a1d2e9b6
Create Date: 2026-12-04 17:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a7d2c5e8f1b4'
down_revision = 'f4c7a1d2e9b6'
branch_labels = None
depends_on = None

SHARE_CHECK = "assigned_share IS NULL OR (assigned_share > 0 AND assigned_share <= 1)"
SHARE_CHECK_NAME = 'ck_wave_assigned_share_in_range'


def upgrade():
    op.add_column('response', sa.Column('assigned_blocks', sa.JSON(), nullable=True))
    if op.get_bind().dialect.name == 'sqlite':
        # A column constraint in the ADD COLUMN itself: a batch rebuild of `wave` would trip the
        # trigger that guards answered questionnaire versions (it names `wave`).
        op.execute(f'ALTER TABLE wave ADD COLUMN assigned_share FLOAT '
                   f'CONSTRAINT {SHARE_CHECK_NAME} CHECK ({SHARE_CHECK})')
    else:
        op.add_column('wave', sa.Column('assigned_share', sa.Float(), nullable=True))
        op.create_check_constraint('assigned_share_in_range', 'wave', SHARE_CHECK)
    with op.batch_alter_table('admin_count') as batch:
        batch.alter_column('quarter', type_=sa.String(20), existing_type=sa.String(10),
                           existing_nullable=False)


def downgrade():
    with op.batch_alter_table('admin_count') as batch:
        batch.alter_column('quarter', type_=sa.String(10), existing_type=sa.String(20),
                           existing_nullable=False)
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite (3.35+) drops a column in place (its own CHECK goes with it); alembic would
        # otherwise rebuild `wave` and trip the trigger.
        op.execute('ALTER TABLE response DROP COLUMN assigned_blocks')
        op.execute('ALTER TABLE wave DROP COLUMN assigned_share')
    else:
        op.drop_constraint('assigned_share_in_range', 'wave', type_='check')
        op.drop_column('wave', 'assigned_share')
        op.drop_column('response', 'assigned_blocks')
