"""Analytics rollups: per-day counts the dashboard reads, and indexes for journeys

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

import server.models.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rollup_daily_visitors",
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("visitors", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["territory_id"],
            ["territories.id"],
            name=op.f("fk_rollup_daily_visitors_territory_id_territories"),
        ),
        sa.PrimaryKeyConstraint(
            "territory_id", "day", "place_id", name=op.f("pk_rollup_daily_visitors")
        ),
    )
    op.create_table(
        "rollup_dirty_days",
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["territory_id"],
            ["territories.id"],
            name=op.f("fk_rollup_dirty_days_territory_id_territories"),
        ),
        sa.PrimaryKeyConstraint("territory_id", "day", name=op.f("pk_rollup_dirty_days")),
    )
    op.create_table(
        "rollup_territory_hours",
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("hour", sa.SmallInteger(), nullable=False),
        sa.Column(
            "audience",
            sa.Enum(
                "person",
                "preview",
                "machine",
                name="audience",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("taps", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["territory_id"],
            ["territories.id"],
            name=op.f("fk_rollup_territory_hours_territory_id_territories"),
        ),
        sa.PrimaryKeyConstraint(
            "territory_id", "day", "hour", "audience", name=op.f("pk_rollup_territory_hours")
        ),
    )
    op.create_table(
        "rollup_visitor_returns",
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("previous_day", sa.Date(), nullable=False),
        sa.Column("visitors", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["territory_id"],
            ["territories.id"],
            name=op.f("fk_rollup_visitor_returns_territory_id_territories"),
        ),
        sa.PrimaryKeyConstraint(
            "territory_id",
            "place_id",
            "day",
            "previous_day",
            name=op.f("pk_rollup_visitor_returns"),
        ),
    )
    op.create_table(
        "rollup_flow_months",
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("from_place_id", sa.Integer(), nullable=False),
        sa.Column("to_place_id", sa.Integer(), nullable=False),
        sa.Column("same_day", sa.Integer(), nullable=False),
        sa.Column("week", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["from_place_id"],
            ["places.id"],
            name=op.f("fk_rollup_flow_months_from_place_id_places"),
        ),
        sa.ForeignKeyConstraint(
            ["territory_id"],
            ["territories.id"],
            name=op.f("fk_rollup_flow_months_territory_id_territories"),
        ),
        sa.ForeignKeyConstraint(
            ["to_place_id"], ["places.id"], name=op.f("fk_rollup_flow_months_to_place_id_places")
        ),
        sa.PrimaryKeyConstraint(
            "territory_id",
            "month",
            "from_place_id",
            "to_place_id",
            name=op.f("pk_rollup_flow_months"),
        ),
    )
    op.create_table(
        "rollup_flows",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("from_place_id", sa.Integer(), nullable=False),
        sa.Column("to_place_id", sa.Integer(), nullable=False),
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.Column("same_day", sa.Integer(), nullable=False),
        sa.Column("week", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["from_place_id"], ["places.id"], name=op.f("fk_rollup_flows_from_place_id_places")
        ),
        sa.ForeignKeyConstraint(
            ["territory_id"],
            ["territories.id"],
            name=op.f("fk_rollup_flows_territory_id_territories"),
        ),
        sa.ForeignKeyConstraint(
            ["to_place_id"], ["places.id"], name=op.f("fk_rollup_flows_to_place_id_places")
        ),
        sa.PrimaryKeyConstraint(
            "day", "from_place_id", "to_place_id", name=op.f("pk_rollup_flows")
        ),
    )
    with op.batch_alter_table("rollup_flows", schema=None) as batch_op:
        batch_op.create_index(
            "ix_rollup_flows_territory_day",
            ["territory_id", "day", "from_place_id", "to_place_id", "same_day", "week"],
            unique=False,
        )

    op.create_table(
        "rollup_journey_shops",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.Column("tapped_same_day", sa.Integer(), nullable=False),
        sa.Column("tapped_week", sa.Integer(), nullable=False),
        sa.Column("viewed_same_day", sa.Integer(), nullable=False),
        sa.Column("viewed_week", sa.Integer(), nullable=False),
        sa.Column("redeemed_same_day", sa.Integer(), nullable=False),
        sa.Column("redeemed_week", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["place_id"], ["places.id"], name=op.f("fk_rollup_journey_shops_place_id_places")
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_rollup_journey_shops_shop_id_shops")
        ),
        sa.ForeignKeyConstraint(
            ["territory_id"],
            ["territories.id"],
            name=op.f("fk_rollup_journey_shops_territory_id_territories"),
        ),
        sa.PrimaryKeyConstraint("day", "place_id", "shop_id", name=op.f("pk_rollup_journey_shops")),
    )
    with op.batch_alter_table("rollup_journey_shops", schema=None) as batch_op:
        batch_op.create_index(
            "ix_rollup_journey_shops_territory_day", ["territory_id", "day"], unique=False
        )

    op.create_table(
        "rollup_journeys",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.Column("visitors", sa.Integer(), nullable=False),
        sa.Column("went_same_day", sa.Integer(), nullable=False),
        sa.Column("went_week", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["place_id"], ["places.id"], name=op.f("fk_rollup_journeys_place_id_places")
        ),
        sa.ForeignKeyConstraint(
            ["territory_id"],
            ["territories.id"],
            name=op.f("fk_rollup_journeys_territory_id_territories"),
        ),
        sa.PrimaryKeyConstraint("day", "place_id", name=op.f("pk_rollup_journeys")),
    )
    with op.batch_alter_table("rollup_journeys", schema=None) as batch_op:
        batch_op.create_index(
            "ix_rollup_journeys_territory_day", ["territory_id", "day"], unique=False
        )

    op.create_table(
        "rollup_place_hours",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("hour", sa.SmallInteger(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column(
            "audience",
            sa.Enum(
                "person",
                "preview",
                "machine",
                name="audience",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.Column("taps", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["place_id"], ["places.id"], name=op.f("fk_rollup_place_hours_place_id_places")
        ),
        sa.ForeignKeyConstraint(
            ["territory_id"],
            ["territories.id"],
            name=op.f("fk_rollup_place_hours_territory_id_territories"),
        ),
        sa.PrimaryKeyConstraint(
            "day", "hour", "place_id", "audience", name=op.f("pk_rollup_place_hours")
        ),
    )
    with op.batch_alter_table("rollup_place_hours", schema=None) as batch_op:
        batch_op.create_index("ix_rollup_place_hours_place_day", ["place_id", "day"], unique=False)
        batch_op.create_index(
            "ix_rollup_place_hours_territory_day", ["territory_id", "day"], unique=False
        )

    op.create_table(
        "rollup_visitor_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("visitor_id", sa.String(length=40), nullable=False),
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.Column("taps", sa.Integer(), nullable=False),
        sa.Column("first_at", server.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_at", server.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["place_id"], ["places.id"], name=op.f("fk_rollup_visitor_days_place_id_places")
        ),
        sa.ForeignKeyConstraint(
            ["territory_id"],
            ["territories.id"],
            name=op.f("fk_rollup_visitor_days_territory_id_territories"),
        ),
        sa.PrimaryKeyConstraint(
            "day", "place_id", "visitor_id", name=op.f("pk_rollup_visitor_days")
        ),
    )
    with op.batch_alter_table("rollup_visitor_days", schema=None) as batch_op:
        batch_op.create_index(
            "ix_rollup_visitor_days_territory", ["territory_id", "day", "visitor_id"], unique=False
        )
        batch_op.create_index("ix_rollup_visitor_days_visitor", ["visitor_id", "day"], unique=False)

    op.create_table(
        "rollup_offer_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.Column("views", sa.Integer(), nullable=False),
        sa.Column("codes", sa.Integer(), nullable=False),
        sa.Column("redemptions", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["offer_id"], ["offers.id"], name=op.f("fk_rollup_offer_days_offer_id_offers")
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_rollup_offer_days_shop_id_shops")
        ),
        sa.ForeignKeyConstraint(
            ["territory_id"],
            ["territories.id"],
            name=op.f("fk_rollup_offer_days_territory_id_territories"),
        ),
        sa.PrimaryKeyConstraint("day", "offer_id", name=op.f("pk_rollup_offer_days")),
    )
    with op.batch_alter_table("rollup_offer_days", schema=None) as batch_op:
        batch_op.create_index(
            "ix_rollup_offer_days_territory_day", ["territory_id", "day"], unique=False
        )

    op.create_table(
        "rollup_sticker_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("sticker_id", sa.Integer(), nullable=False),
        sa.Column(
            "audience",
            sa.Enum(
                "person",
                "preview",
                "machine",
                name="audience",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.Column("taps", sa.Integer(), nullable=False),
        sa.Column("suspected", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["place_id"], ["places.id"], name=op.f("fk_rollup_sticker_days_place_id_places")
        ),
        sa.ForeignKeyConstraint(
            ["sticker_id"], ["stickers.id"], name=op.f("fk_rollup_sticker_days_sticker_id_stickers")
        ),
        sa.ForeignKeyConstraint(
            ["territory_id"],
            ["territories.id"],
            name=op.f("fk_rollup_sticker_days_territory_id_territories"),
        ),
        sa.PrimaryKeyConstraint(
            "day", "sticker_id", "audience", name=op.f("pk_rollup_sticker_days")
        ),
    )
    with op.batch_alter_table("rollup_sticker_days", schema=None) as batch_op:
        batch_op.create_index(
            "ix_rollup_sticker_days_territory_day",
            ["territory_id", "day", "place_id", "sticker_id", "audience", "taps", "suspected"],
            unique=False,
        )

    with op.batch_alter_table("offer_views", schema=None) as batch_op:
        batch_op.create_index("ix_offer_views_visitor", ["visitor_id", "occurred_at"], unique=False)

    with op.batch_alter_table("redemption_codes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_redemption_codes_visitor_id"), ["visitor_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("redemption_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_redemption_codes_visitor_id"))

    with op.batch_alter_table("offer_views", schema=None) as batch_op:
        batch_op.drop_index("ix_offer_views_visitor")

    with op.batch_alter_table("rollup_sticker_days", schema=None) as batch_op:
        batch_op.drop_index("ix_rollup_sticker_days_territory_day")

    op.drop_table("rollup_sticker_days")
    with op.batch_alter_table("rollup_offer_days", schema=None) as batch_op:
        batch_op.drop_index("ix_rollup_offer_days_territory_day")

    op.drop_table("rollup_offer_days")
    with op.batch_alter_table("rollup_visitor_days", schema=None) as batch_op:
        batch_op.drop_index("ix_rollup_visitor_days_visitor")
        batch_op.drop_index("ix_rollup_visitor_days_territory")

    op.drop_table("rollup_visitor_days")
    with op.batch_alter_table("rollup_place_hours", schema=None) as batch_op:
        batch_op.drop_index("ix_rollup_place_hours_territory_day")
        batch_op.drop_index("ix_rollup_place_hours_place_day")

    op.drop_table("rollup_place_hours")
    with op.batch_alter_table("rollup_journeys", schema=None) as batch_op:
        batch_op.drop_index("ix_rollup_journeys_territory_day")

    op.drop_table("rollup_journeys")
    with op.batch_alter_table("rollup_journey_shops", schema=None) as batch_op:
        batch_op.drop_index("ix_rollup_journey_shops_territory_day")

    op.drop_table("rollup_journey_shops")
    with op.batch_alter_table("rollup_flows", schema=None) as batch_op:
        batch_op.drop_index("ix_rollup_flows_territory_day")

    op.drop_table("rollup_flows")
    op.drop_table("rollup_flow_months")
    op.drop_table("rollup_visitor_returns")
    op.drop_table("rollup_territory_hours")
    op.drop_table("rollup_dirty_days")
    op.drop_table("rollup_daily_visitors")
