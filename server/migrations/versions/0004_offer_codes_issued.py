"""Offers count the codes they issued, so a conditional UPDATE can hold the quota exactly

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("codes_issued", sa.Integer(), server_default="0", nullable=False)
        )
    # Codes are never deleted (the purge only strips their visitor id): counting them is exact.
    offers = sa.table("offers", sa.column("id", sa.Integer), sa.column("codes_issued", sa.Integer))
    codes = sa.table("redemption_codes", sa.column("offer_id", sa.Integer))
    issued = (
        sa.select(sa.func.count())
        .select_from(codes)
        .where(codes.c.offer_id == offers.c.id)
        .scalar_subquery()
    )
    op.execute(offers.update().values(codes_issued=issued))


def downgrade() -> None:
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.drop_column("codes_issued")
