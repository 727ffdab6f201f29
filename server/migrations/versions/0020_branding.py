"""Branding: a territory's own service name, operator, logo, colours and links (empty: the
deployment's TAPTRAIL_BRAND_* settings)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("territories", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "brand",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("territories", schema=None) as batch_op:
        batch_op.drop_column("brand")
