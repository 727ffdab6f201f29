"""QR labels of NTAG 424 DNA stickers: a tap outcome for their scans, counted apart per sticker

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
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
    "replayed",
    "bad sun",
)
NEW_OUTCOMES = (*OLD_OUTCOMES, "qr scan")


def _outcomes(values: tuple[str, ...]) -> str:
    return "outcome IN (" + ", ".join(f"'{value}'" for value in values) + ")"


def upgrade() -> None:
    # The outcome column is a VARCHAR with a CHECK constraint: widen the constraint ("qr scan"
    # is shorter than the longest value, so the column's length stays).
    with op.batch_alter_table("taps", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_taps_outcome"), type_="check")
        batch_op.create_check_constraint(op.f("ck_taps_outcome"), _outcomes(NEW_OUTCOMES))
    with op.batch_alter_table("rollup_sticker_days", schema=None) as batch_op:
        batch_op.add_column(sa.Column("qr_scans", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    op.execute("DELETE FROM taps WHERE outcome = 'qr scan'")
    with op.batch_alter_table("rollup_sticker_days", schema=None) as batch_op:
        batch_op.drop_column("qr_scans")
    with op.batch_alter_table("taps", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_taps_outcome"), type_="check")
        batch_op.create_check_constraint(op.f("ck_taps_outcome"), _outcomes(OLD_OUTCOMES))
