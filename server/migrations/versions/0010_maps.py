"""Street maps: one imported OpenStreetMap extract per territory

Revision ID: 0010
Revises: 0006
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

import server.models.types

revision = "0010"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "street_maps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("imported_at", server.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("areas", sa.Integer(), nullable=False),
        sa.Column("graph_nodes", sa.Integer(), nullable=False),
        sa.Column("graph_edges", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["territory_id"],
            ["territories.id"],
            name=op.f("fk_street_maps_territory_id_territories"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_street_maps")),
        sa.UniqueConstraint("territory_id", name=op.f("uq_street_maps_territory_id")),
    )


def downgrade() -> None:
    op.drop_table("street_maps")
