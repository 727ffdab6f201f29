"""Privacy: a tap of a visitor who objected carries no visitor id (visitor kind "objected");
a shop whose keeper's account was erased is unpublished

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

KINDS_BEFORE = ("cookie", "new", "hash")
KINDS = (*KINDS_BEFORE, "objected")


def _kinds(kinds: tuple[str, ...]) -> str:
    return "visitor_kind IN (" + ", ".join(f"'{kind}'" for kind in kinds) + ")"


def upgrade() -> None:
    with op.batch_alter_table("taps", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_taps_visitorkind"), type_="check")
        batch_op.alter_column("visitor_id", existing_type=sa.String(length=40), nullable=True)
        batch_op.alter_column(
            "visitor_kind",
            existing_type=sa.String(length=6),
            type_=sa.String(length=8),
            existing_nullable=False,
        )
        batch_op.create_check_constraint(op.f("ck_taps_visitorkind"), sa.text(_kinds(KINDS)))
    with op.batch_alter_table("shops", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("published", sa.Boolean(), server_default=sa.true(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("shops", schema=None) as batch_op:
        batch_op.drop_column("published")
    # Taps of visitors who objected cannot go back to a schema that needs an id: they are
    # deleted (their counts stay in the rollups).
    op.execute("DELETE FROM taps WHERE visitor_id IS NULL")
    with op.batch_alter_table("taps", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_taps_visitorkind"), type_="check")
        batch_op.alter_column("visitor_id", existing_type=sa.String(length=40), nullable=False)
        batch_op.alter_column(
            "visitor_kind",
            existing_type=sa.String(length=8),
            type_=sa.String(length=6),
            existing_nullable=False,
        )
        batch_op.create_check_constraint(op.f("ck_taps_visitorkind"), sa.text(_kinds(KINDS_BEFORE)))
