"""Keep recordings of questions and options (spoken questions, issue 26).

Revision ID: d8b0c2e4f6a3
Revises: e1f3a5c7b9d0
Create Date: 2026-12-04 19:50:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd8b0c2e4f6a3'
down_revision = 'e1f3a5c7b9d0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'recording',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('questionnaire_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('content_type', sa.String(length=40), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('seconds', sa.Float(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('size > 0', name=op.f('ck_recording_size_positive')),
        sa.CheckConstraint('length(sha256) = 64', name=op.f('ck_recording_sha256_length')),
        sa.ForeignKeyConstraint(['questionnaire_id'], ['questionnaire.id'],
                                name=op.f('fk_recording_questionnaire_id_questionnaire')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_recording')),
        sa.UniqueConstraint('questionnaire_id', 'name', name=op.f('uq_recording_questionnaire_id_name')),
    )
    with op.batch_alter_table('recording', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recording_sha256'), ['sha256'], unique=False)


def downgrade():
    with op.batch_alter_table('recording', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recording_sha256'))
    op.drop_table('recording')
