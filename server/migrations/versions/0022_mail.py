"""Mails to merchants: each account remembers the portal's language it uses (its mails'
language), and a partner shop may refuse a cross-offer naming it

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("language", sa.String(length=2), nullable=True))
    with op.batch_alter_table("offers") as batch:
        batch.add_column(sa.Column("partner_refused_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("offers") as batch:
        batch.drop_column("partner_refused_at")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("language")
