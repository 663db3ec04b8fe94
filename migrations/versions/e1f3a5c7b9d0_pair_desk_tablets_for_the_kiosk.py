"""Pair desk tablets with a centre for the offline kiosk.

Revision ID: e1f3a5c7b9d0
Revises: c4a6e8b0d2f1
Create Date: 2026-12-04 19:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e1f3a5c7b9d0'
down_revision = 'c4a6e8b0d2f1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('kiosk_device',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=True),
    sa.Column('code_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('key_hash', sa.String(length=64), nullable=True),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('paired_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('code_hash IS NOT NULL OR key_hash IS NOT NULL', name=op.f('ck_kiosk_device_code_or_key')),
    sa.ForeignKeyConstraint(['centre_id'], ['service_centre.id'], name=op.f('fk_kiosk_device_centre_id_service_centre')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kiosk_device')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_kiosk_device_code_hash')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_kiosk_device_key_hash'))
    )
    with op.batch_alter_table('kiosk_device', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kiosk_device_centre_id'), ['centre_id'], unique=False)


def downgrade():
    with op.batch_alter_table('kiosk_device', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kiosk_device_centre_id'))
    op.drop_table('kiosk_device')
