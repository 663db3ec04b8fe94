"""Leaders' anonymity: flags instead of days, encrypted drafts, the mix, responses without a day.

`leader_invitation.opened_on`/`completed_on` (days, joinable with the response's day) become
the flags `opened`/`completed`; `leader_response.submitted_on` is dropped; `leader_draft`
keeps an encrypted `box` instead of plaintext answers (existing plaintext drafts are deleted:
they cannot be encrypted without the token the server does not keep); `leader_sealed` holds
submitted sheets until they are released in blocks (survey/leaders/mix.py).

Downgrade restores the columns (days unknown: completed invitations and responses get the
wave's opening day) and drops the mix and the encrypted drafts, whose contents it cannot read.

Revision ID: c3e9a4b7d2f1
Revises: a7d2c5e8f1b4
Create Date: 2026-12-04 17:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c3e9a4b7d2f1'
down_revision = 'a7d2c5e8f1b4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('leader_invitation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('opened', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('completed', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute("UPDATE leader_invitation SET opened = (opened_on IS NOT NULL), "
               "completed = (completed_on IS NOT NULL)")
    with op.batch_alter_table('leader_invitation', schema=None) as batch_op:
        batch_op.drop_column('opened_on')
        batch_op.drop_column('completed_on')
    with op.batch_alter_table('leader_response', schema=None) as batch_op:
        batch_op.drop_column('submitted_on')
    op.execute("DELETE FROM leader_draft")
    with op.batch_alter_table('leader_draft', schema=None) as batch_op:
        batch_op.drop_column('page')
        batch_op.drop_column('answers')
        batch_op.add_column(sa.Column('box', sa.LargeBinary(), nullable=False))
    op.create_table('leader_sealed',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('marker', sa.String(length=64), nullable=False),
    sa.Column('box', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['wave_id'], ['wave.id'], name=op.f('fk_leader_sealed_wave_id_wave')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_leader_sealed')),
    sa.UniqueConstraint('marker', name=op.f('uq_leader_sealed_marker'))
    )
    with op.batch_alter_table('leader_sealed', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_leader_sealed_wave_id'), ['wave_id'], unique=False)


def downgrade():
    with op.batch_alter_table('leader_sealed', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_leader_sealed_wave_id'))
    op.drop_table('leader_sealed')
    op.execute("DELETE FROM leader_draft")
    with op.batch_alter_table('leader_draft', schema=None) as batch_op:
        batch_op.drop_column('box')
        batch_op.add_column(sa.Column('page', sa.Integer(), nullable=False))
        batch_op.add_column(sa.Column('answers', sa.JSON(), nullable=False))
    with op.batch_alter_table('leader_response', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submitted_on', sa.Date(), nullable=True))
    op.execute("UPDATE leader_response SET submitted_on = "
               "(SELECT opens_on FROM wave WHERE wave.id = leader_response.wave_id)")
    with op.batch_alter_table('leader_response', schema=None) as batch_op:
        batch_op.alter_column('submitted_on', existing_type=sa.Date(), nullable=False)
    with op.batch_alter_table('leader_invitation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('opened_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('completed_on', sa.Date(), nullable=True))
    op.execute("UPDATE leader_invitation SET "
               "opened_on = CASE WHEN opened THEN invited_on END, "
               "completed_on = CASE WHEN completed THEN "
               "(SELECT opens_on FROM wave WHERE wave.id = leader_invitation.wave_id) END")
    with op.batch_alter_table('leader_invitation', schema=None) as batch_op:
        batch_op.drop_column('completed')
        batch_op.drop_column('opened')
