"""The portal: accounts, login failures, audit log, review queue, photos, offer views

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import server.models.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("occurred_at", server.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.create_index("ix_login_failures_key_at", ["key", "occurred_at"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column(
            "role",
            sa.Enum(
                "administrator",
                "staff",
                "shop_owner",
                "analyst",
                name="role",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("session_epoch", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("demo", sa.Boolean(), nullable=False),
        sa.Column("created_at", server.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", server.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "password_changed_at", server.models.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", server.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("target_type", sa.String(length=30), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column("summary", sa.String(length=200), nullable=False),
        sa.Column(
            "changes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_audit_log_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_at", ["at"], unique=False)
        batch_op.create_index("ix_audit_log_target", ["target_type", "target_id"], unique=False)

    op.create_table(
        "invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", server.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", server.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", server.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_invitations_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_invitations_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invitations_token_hash")),
    )
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invitations_user_id"), ["user_id"], unique=False)

    op.create_table(
        "pending_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "approved",
                "rejected",
                name="changestatus",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("submitted_at", server.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", server.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"], ["users.id"], name=op.f("fk_pending_changes_reviewed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_pending_changes_shop_id_shops")
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"], ["users.id"], name=op.f("fk_pending_changes_submitted_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_changes")),
    )
    with op.batch_alter_table("pending_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pending_changes_shop_id"), ["shop_id"], unique=False)
        batch_op.create_index("ix_pending_changes_status", ["status", "submitted_at"], unique=False)

    op.create_table(
        "shop_owners",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("created_at", server.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_shop_owners_shop_id_shops")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_shop_owners_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shop_owners")),
        sa.UniqueConstraint("user_id", "shop_id", name="uq_shop_owners_user_shop"),
    )
    with op.batch_alter_table("shop_owners", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shop_owners_shop_id"), ["shop_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_shop_owners_user_id"), ["user_id"], unique=False)

    op.create_table(
        "offer_views",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", server.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("visitor_id", sa.String(length=40), nullable=True),
        sa.Column("place_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["offer_id"], ["offers.id"], name=op.f("fk_offer_views_offer_id_offers")
        ),
        sa.ForeignKeyConstraint(
            ["place_id"], ["places.id"], name=op.f("fk_offer_views_place_id_places")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offer_views")),
    )
    with op.batch_alter_table("offer_views", schema=None) as batch_op:
        batch_op.create_index("ix_offer_views_offer_at", ["offer_id", "occurred_at"], unique=False)

    op.create_table(
        "photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=True),
        sa.Column("sticker_id", sa.Integer(), nullable=True),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("live", sa.Boolean(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", server.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["shop_id"], ["shops.id"], name=op.f("fk_photos_shop_id_shops")),
        sa.ForeignKeyConstraint(
            ["sticker_id"], ["stickers.id"], name=op.f("fk_photos_sticker_id_stickers")
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_photos_uploaded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_photos")),
        sa.UniqueConstraint("name", name=op.f("uq_photos_name")),
    )
    with op.batch_alter_table("photos", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_photos_shop_id"), ["shop_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_photos_sticker_id"), ["sticker_id"], unique=False)

    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("partner_agreed_at", server.models.types.UTCDateTime(timezone=True))
        )

    # Cross-offers imported before agreements existed were set up by administrators: agreed.
    offers = sa.table(
        "offers",
        sa.column("partner_shop_id", sa.Integer),
        sa.column("created_at", server.models.types.UTCDateTime()),
        sa.column("partner_agreed_at", server.models.types.UTCDateTime()),
    )
    op.execute(
        offers.update()
        .where(offers.c.partner_shop_id.is_not(None))
        .values(partner_agreed_at=offers.c.created_at)
    )

    with op.batch_alter_table("redemption_codes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("redeemed_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_redemption_codes_redeemed_by_id_users"),
            "users",
            ["redeemed_by_id"],
            ["id"],
        )

    with op.batch_alter_table("territories", schema=None) as batch_op:
        # Existing territories keep publishing changes at once.
        batch_op.add_column(
            sa.Column("review_changes", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("territories", schema=None) as batch_op:
        batch_op.drop_column("review_changes")

    with op.batch_alter_table("redemption_codes", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_redemption_codes_redeemed_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_column("redeemed_by_id")

    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.drop_column("partner_agreed_at")

    with op.batch_alter_table("photos", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_photos_sticker_id"))
        batch_op.drop_index(batch_op.f("ix_photos_shop_id"))

    op.drop_table("photos")
    with op.batch_alter_table("offer_views", schema=None) as batch_op:
        batch_op.drop_index("ix_offer_views_offer_at")

    op.drop_table("offer_views")
    with op.batch_alter_table("shop_owners", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shop_owners_user_id"))
        batch_op.drop_index(batch_op.f("ix_shop_owners_shop_id"))

    op.drop_table("shop_owners")
    with op.batch_alter_table("pending_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_pending_changes_status")
        batch_op.drop_index(batch_op.f("ix_pending_changes_shop_id"))

    op.drop_table("pending_changes")
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invitations_user_id"))

    op.drop_table("invitations")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_target")
        batch_op.drop_index("ix_audit_log_at")

    op.drop_table("audit_log")
    op.drop_table("users")
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_login_failures_key_at")

    op.drop_table("login_failures")
