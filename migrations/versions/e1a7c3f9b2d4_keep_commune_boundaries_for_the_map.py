"""Keep the communes' boundaries for the report's map.

`locality_boundary` holds one row per commune: its GeoJSON MultiPolygon coordinates (WGS 84),
imported with `flask report geometry import`. Downgrade drops the table; the file can be
imported again after an upgrade.

Revision ID: e1a7c3f9b2d4
Revises: c3e9a4b7d2f1
Create Date: 2026-12-04 18:10:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e1a7c3f9b2d4'
down_revision = 'c3e9a4b7d2f1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('locality_boundary',
    sa.Column('locality_id', sa.Integer(), nullable=False),
    sa.Column('polygons', sa.JSON(), nullable=False),
    sa.Column('vertices', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('vertices > 0', name=op.f('ck_locality_boundary_vertices_positive')),
    sa.ForeignKeyConstraint(['locality_id'], ['locality.id'], name=op.f('fk_locality_boundary_locality_id_locality')),
    sa.PrimaryKeyConstraint('locality_id', name=op.f('pk_locality_boundary'))
    )


def downgrade():
    op.drop_table('locality_boundary')
