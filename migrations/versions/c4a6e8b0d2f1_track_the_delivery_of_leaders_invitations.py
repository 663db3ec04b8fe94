"""Track the delivery of leaders' invitations by e-mail and SMS.

One row per invitee, channel and round (0: the invitation, 1…: reminders), claimed before the
message leaves so that nothing is sent twice (survey/leaders/delivery.py). No link or token is
stored.

Revision ID: c4a6e8b0d2f1
Revises: f2b8d4e6a1c3
Create Date: 2026-12-04 19:50:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c4a6e8b0d2f1'
down_revision = 'f2b8d4e6a1c3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('leader_delivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invitation_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.String(length=300), nullable=True),
    sa.CheckConstraint("channel IN ('email', 'sms')", name=op.f('ck_leader_delivery_channel_known')),
    sa.CheckConstraint("status IN ('queued', 'sending', 'sent', 'failed')", name=op.f('ck_leader_delivery_status_known')),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_leader_delivery_attempts_non_negative')),
    sa.CheckConstraint('round >= 0', name=op.f('ck_leader_delivery_round_non_negative')),
    sa.ForeignKeyConstraint(['invitation_id'], ['leader_invitation.id'],
                            name=op.f('fk_leader_delivery_invitation_id_leader_invitation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_leader_delivery')),
    sa.UniqueConstraint('invitation_id', 'channel', 'round',
                        name=op.f('uq_leader_delivery_invitation_id_channel_round'))
    )
    with op.batch_alter_table('leader_delivery', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_leader_delivery_invitation_id'), ['invitation_id'], unique=False)


def downgrade():
    with op.batch_alter_table('leader_delivery', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_leader_delivery_invitation_id'))
    op.drop_table('leader_delivery')
