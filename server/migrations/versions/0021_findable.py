"""Findable: when each visitor page's content was last edited (updated_at, the sitemap's lastmod)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

from server.models.types import UTCDateTime

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

# The tables of rows that have a visitor page; a row's last edit is unknown before this
# revision, so its creation stands for it.
TABLES = ("territories", "places", "shops", "points_of_interest", "events", "walks", "offers")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("updated_at", UTCDateTime(), nullable=True))
        op.execute(f"UPDATE {table} SET updated_at = created_at")
        with op.batch_alter_table(table) as batch:
            batch.alter_column("updated_at", existing_type=UTCDateTime(), nullable=False)


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("updated_at")
