"""End staff sessions on the server; keep province-reviewed digests of comments.

Revision ID: b7e4c1d9a2f3
Revises: b7d41c2e9a10
Create Date: 2026-11-29 23:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b7e4c1d9a2f3'
down_revision = 'b7d41c2e9a10'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_check_constraint(op.f('ck_user_account_session_generation_non_negative'), 'session_generation >= 0')

    op.create_table('comment_digest',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('locality_id', sa.Integer(), nullable=False),
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('comments', sa.Integer(), nullable=False),
    sa.Column('published_by', sa.String(length=80), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('comments >= 5', name=op.f('ck_comment_digest_comments_at_least_five')),
    sa.ForeignKeyConstraint(['locality_id'], ['locality.id'], name=op.f('fk_comment_digest_locality_id_locality')),
    sa.ForeignKeyConstraint(['wave_id'], ['wave.id'], name=op.f('fk_comment_digest_wave_id_wave')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comment_digest')),
    sa.UniqueConstraint('locality_id', 'wave_id', name=op.f('uq_comment_digest_locality_id_wave_id'))
    )


def downgrade():
    op.drop_table('comment_digest')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_user_account_session_generation_non_negative'), type_='check')
        batch_op.drop_column('session_generation')
