"""Add the leaders' survey: invitations, drafts under a token, anonymous responses.

Revision ID: b7d41c2e9a10
Revises: c476464ce570
Create Date: 2026-11-29 23:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b7d41c2e9a10'
down_revision = 'c476464ce570'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('leader_invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('group_code', sa.String(length=40), nullable=False),
    sa.Column('unit', sa.String(length=200), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('email', sa.String(length=200), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('invited_on', sa.Date(), nullable=False),
    sa.Column('opened_on', sa.Date(), nullable=True),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['wave_id'], ['wave.id'], name=op.f('fk_leader_invitation_wave_id_wave')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_leader_invitation')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_leader_invitation_token_hash')),
    sa.UniqueConstraint('wave_id', 'full_name', 'unit', name=op.f('uq_leader_invitation_wave_id_full_name_unit'))
    )
    with op.batch_alter_table('leader_invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_leader_invitation_wave_id'), ['wave_id'], unique=False)

    op.create_table('leader_draft',
    sa.Column('invitation_id', sa.Integer(), nullable=False),
    sa.Column('page', sa.Integer(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['invitation_id'], ['leader_invitation.id'], name=op.f('fk_leader_draft_invitation_id_leader_invitation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('invitation_id', name=op.f('pk_leader_draft'))
    )
    op.create_table('leader_response',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('group_code', sa.String(length=40), nullable=False),
    sa.Column('unit_type', sa.String(length=10), nullable=False),
    sa.Column('submitted_on', sa.Date(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.CheckConstraint("unit_type IN ('so', 'xa', 'hdnd')", name=op.f('ck_leader_response_unit_type_known')),
    sa.ForeignKeyConstraint(['wave_id'], ['wave.id'], name=op.f('fk_leader_response_wave_id_wave')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_leader_response'))
    )
    with op.batch_alter_table('leader_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_leader_response_wave_id'), ['wave_id'], unique=False)


def downgrade():
    with op.batch_alter_table('leader_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_leader_response_wave_id'))
    op.drop_table('leader_response')
    op.drop_table('leader_draft')
    with op.batch_alter_table('leader_invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_leader_invitation_wave_id'))
    op.drop_table('leader_invitation')
