"""Offers with a checked condition (taps, passports, daily and per-visitor limits), loyalty
cards, and the shop funnel rollups

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import server.models.types

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "loyalty_wallets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visitor_id", sa.String(length=40), nullable=False),
        sa.Column("recovery_hash", sa.String(length=64), nullable=False),
        sa.Column("consented_at", server.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("notice", sa.String(length=20), nullable=False),
        sa.Column("created_at", server.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loyalty_wallets")),
        sa.UniqueConstraint("recovery_hash", name=op.f("uq_loyalty_wallets_recovery_hash")),
        sa.UniqueConstraint("visitor_id", name=op.f("uq_loyalty_wallets_visitor_id")),
    )
    op.create_table(
        "loyalty_cards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column(
            "reward",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("stamps_needed", sa.Integer(), nullable=False),
        sa.Column("reward_days", sa.Integer(), nullable=False),
        sa.Column("min_interval_minutes", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("demo", sa.Boolean(), nullable=False),
        sa.Column("created_at", server.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_loyalty_cards_shop_id_shops")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loyalty_cards")),
    )
    with op.batch_alter_table("loyalty_cards", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_loyalty_cards_shop_id"), ["shop_id"], unique=False)

    op.create_table(
        "rollup_shop_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.Column("window_taps", sa.Integer(), nullable=False),
        sa.Column("offer_views", sa.Integer(), nullable=False),
        sa.Column("codes_issued", sa.Integer(), nullable=False),
        sa.Column("codes_used", sa.Integer(), nullable=False),
        sa.Column("stamps", sa.Integer(), nullable=False),
        sa.Column("rewards", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_rollup_shop_days_shop_id_shops")
        ),
        sa.ForeignKeyConstraint(
            ["territory_id"],
            ["territories.id"],
            name=op.f("fk_rollup_shop_days_territory_id_territories"),
        ),
        sa.PrimaryKeyConstraint("day", "shop_id", name=op.f("pk_rollup_shop_days")),
    )
    with op.batch_alter_table("rollup_shop_days", schema=None) as batch_op:
        batch_op.create_index(
            "ix_rollup_shop_days_territory_day", ["territory_id", "day"], unique=False
        )

    op.create_table(
        "loyalty_holdings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("wallet_id", sa.Integer(), nullable=False),
        sa.Column("card_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("stamps", sa.Integer(), nullable=False),
        sa.Column("last_stamp_at", server.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("full_at", server.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("rewards", sa.Integer(), nullable=False),
        sa.Column("joined_at", server.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["card_id"],
            ["loyalty_cards.id"],
            name=op.f("fk_loyalty_holdings_card_id_loyalty_cards"),
        ),
        sa.ForeignKeyConstraint(
            ["wallet_id"],
            ["loyalty_wallets.id"],
            name=op.f("fk_loyalty_holdings_wallet_id_loyalty_wallets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loyalty_holdings")),
        sa.UniqueConstraint("code", name=op.f("uq_loyalty_holdings_code")),
        sa.UniqueConstraint("wallet_id", "card_id", name=op.f("uq_loyalty_holdings_wallet_id")),
    )
    with op.batch_alter_table("loyalty_holdings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_loyalty_holdings_card_id"), ["card_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_loyalty_holdings_wallet_id"), ["wallet_id"], unique=False
        )

    op.create_table(
        "rollup_shop_origins",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.Column("code_users_same_day", sa.Integer(), nullable=False),
        sa.Column("code_users_week", sa.Integer(), nullable=False),
        sa.Column("holders_same_day", sa.Integer(), nullable=False),
        sa.Column("holders_week", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["place_id"], ["places.id"], name=op.f("fk_rollup_shop_origins_place_id_places")
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_rollup_shop_origins_shop_id_shops")
        ),
        sa.ForeignKeyConstraint(
            ["territory_id"],
            ["territories.id"],
            name=op.f("fk_rollup_shop_origins_territory_id_territories"),
        ),
        sa.PrimaryKeyConstraint("day", "shop_id", "place_id", name=op.f("pk_rollup_shop_origins")),
    )
    with op.batch_alter_table("rollup_shop_origins", schema=None) as batch_op:
        batch_op.create_index(
            "ix_rollup_shop_origins_territory_day", ["territory_id", "day"], unique=False
        )

    op.create_table(
        "loyalty_stamps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("card_id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("holding_id", sa.Integer(), nullable=True),
        sa.Column("visitor_id", sa.String(length=40), nullable=True),
        sa.Column(
            "kind",
            sa.Enum("stamp", "reward", name="stampkind", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("at", server.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["by_id"], ["users.id"], name=op.f("fk_loyalty_stamps_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["card_id"], ["loyalty_cards.id"], name=op.f("fk_loyalty_stamps_card_id_loyalty_cards")
        ),
        sa.ForeignKeyConstraint(
            ["holding_id"],
            ["loyalty_holdings.id"],
            name=op.f("fk_loyalty_stamps_holding_id_loyalty_holdings"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_loyalty_stamps_shop_id_shops")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loyalty_stamps")),
    )
    with op.batch_alter_table("loyalty_stamps", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_loyalty_stamps_holding_id"), ["holding_id"], unique=False
        )
        batch_op.create_index("ix_loyalty_stamps_shop_at", ["shop_id", "at"], unique=False)

    op.create_table(
        "offer_day_codes",
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("issued", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.ForeignKeyConstraint(
            ["offer_id"], ["offers.id"], name=op.f("fk_offer_day_codes_offer_id_offers")
        ),
        sa.PrimaryKeyConstraint("offer_id", "day", name=op.f("pk_offer_day_codes")),
    )
    op.create_table(
        "passports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("issued_at", server.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", server.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", server.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("redemption_code_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["issued_by_id"], ["users.id"], name=op.f("fk_passports_issued_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["offer_id"], ["offers.id"], name=op.f("fk_passports_offer_id_offers")
        ),
        sa.ForeignKeyConstraint(
            ["redemption_code_id"],
            ["redemption_codes.id"],
            name=op.f("fk_passports_redemption_code_id_redemption_codes"),
        ),
        sa.ForeignKeyConstraint(["shop_id"], ["shops.id"], name=op.f("fk_passports_shop_id_shops")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_passports")),
        sa.UniqueConstraint("code", name=op.f("uq_passports_code")),
    )
    with op.batch_alter_table("passports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_passports_offer_id"), ["offer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_passports_shop_id"), ["shop_id"], unique=False)

    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "condition",
                sa.Enum(
                    "none",
                    "tap place",
                    "tap kind",
                    "passport",
                    name="offercondition",
                    native_enum=False,
                    create_constraint=True,
                ),
                server_default="none",
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column(
                "trigger_kind",
                sa.Enum(
                    "museum",
                    "venue",
                    "market",
                    "square",
                    "station",
                    "village",
                    "shop",
                    name="placekind",
                    native_enum=False,
                    create_constraint=True,
                ),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("per_visitor", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("daily_quota", sa.Integer(), nullable=True))

    with op.batch_alter_table("rollup_offer_days", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("passports", sa.Integer(), server_default="0", nullable=False)
        )

    # Cross-offers written before conditions existed keep their meaning: a trigger place asks
    # for a tap there today, a partner shop for a passport from its till.
    offers = sa.table(
        "offers",
        sa.column("kind", sa.String),
        sa.column("condition", sa.String),
        sa.column("trigger_place_id", sa.Integer),
        sa.column("partner_shop_id", sa.Integer),
    )
    cross = offers.c.kind == "cross"
    op.execute(
        offers.update()
        .where(cross, offers.c.trigger_place_id.is_not(None))
        .values(condition="tap place")
    )
    op.execute(
        offers.update()
        .where(cross, offers.c.partner_shop_id.is_not(None))
        .values(condition="passport")
    )


def downgrade() -> None:
    with op.batch_alter_table("rollup_offer_days", schema=None) as batch_op:
        batch_op.drop_column("passports")

    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.drop_column("daily_quota")
        batch_op.drop_column("per_visitor")
        batch_op.drop_column("trigger_kind")
        batch_op.drop_column("condition")

    with op.batch_alter_table("passports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_passports_shop_id"))
        batch_op.drop_index(batch_op.f("ix_passports_offer_id"))

    op.drop_table("passports")
    op.drop_table("offer_day_codes")
    with op.batch_alter_table("loyalty_stamps", schema=None) as batch_op:
        batch_op.drop_index("ix_loyalty_stamps_shop_at")
        batch_op.drop_index(batch_op.f("ix_loyalty_stamps_holding_id"))

    op.drop_table("loyalty_stamps")
    with op.batch_alter_table("rollup_shop_origins", schema=None) as batch_op:
        batch_op.drop_index("ix_rollup_shop_origins_territory_day")

    op.drop_table("rollup_shop_origins")
    with op.batch_alter_table("loyalty_holdings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_loyalty_holdings_wallet_id"))
        batch_op.drop_index(batch_op.f("ix_loyalty_holdings_card_id"))

    op.drop_table("loyalty_holdings")
    with op.batch_alter_table("rollup_shop_days", schema=None) as batch_op:
        batch_op.drop_index("ix_rollup_shop_days_territory_day")

    op.drop_table("rollup_shop_days")
    with op.batch_alter_table("loyalty_cards", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_loyalty_cards_shop_id"))

    op.drop_table("loyalty_cards")
    op.drop_table("loyalty_wallets")
