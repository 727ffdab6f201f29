"""Pictures of sights and places: staff add them, visitor pages show them

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("photos", schema=None) as batch_op:
        batch_op.add_column(sa.Column("poi_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("place_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_photos_poi_id"), ["poi_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_photos_place_id"), ["place_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_photos_poi_id_points_of_interest"),
            "points_of_interest",
            ["poi_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_photos_place_id_places"), "places", ["place_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("photos", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_photos_place_id_places"), type_="foreignkey")
        batch_op.drop_constraint(
            batch_op.f("fk_photos_poi_id_points_of_interest"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_photos_place_id"))
        batch_op.drop_index(batch_op.f("ix_photos_poi_id"))
        batch_op.drop_column("place_id")
        batch_op.drop_column("poi_id")
