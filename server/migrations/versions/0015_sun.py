"""NTAG 424 DNA SUN taps: the last accepted read counter per sticker, two new tap outcomes

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

OLD_OUTCOMES = (
    "ok",
    "malformed",
    "unknown key",
    "revoked key",
    "bad signature",
    "unknown sticker",
    "retired sticker",
)
NEW_OUTCOMES = (*OLD_OUTCOMES, "replayed", "bad sun")


def _outcomes(values: tuple[str, ...]) -> str:
    return "outcome IN (" + ", ".join(f"'{value}'" for value in values) + ")"


def upgrade() -> None:
    with op.batch_alter_table("stickers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sun_counter", sa.Integer(), nullable=True))
    # The outcome column is a VARCHAR with a CHECK constraint: widen the constraint.
    with op.batch_alter_table("taps", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_taps_outcome"), type_="check")
        batch_op.create_check_constraint(op.f("ck_taps_outcome"), _outcomes(NEW_OUTCOMES))


def downgrade() -> None:
    op.execute("DELETE FROM taps WHERE outcome IN ('replayed', 'bad sun')")
    with op.batch_alter_table("taps", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_taps_outcome"), type_="check")
        batch_op.create_check_constraint(op.f("ck_taps_outcome"), _outcomes(OLD_OUTCOMES))
    with op.batch_alter_table("stickers", schema=None) as batch_op:
        batch_op.drop_column("sun_counter")
