"""Initial schema: places, listings, offers, agenda, stickers, taps, tokens

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import server.models.types

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("prefix", sa.String(length=12), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.String(length=200), nullable=False),
        sa.Column("created_at", server.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", server.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", server.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_table(
        "counters",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_counters")),
    )
    # Tag ids are signed into codes; they start above 1000 so short test ids never collide.
    counters = sa.table("counters", sa.column("name", sa.String), sa.column("value", sa.Integer))
    op.bulk_insert(counters, [{"name": "tag_id", "value": 1000}])
    op.create_table(
        "territories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column(
            "description",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("demo", sa.Boolean(), nullable=False),
        sa.Column("created_at", server.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_territories")),
    )
    with op.batch_alter_table("territories", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_territories_slug"), ["slug"], unique=True)

    op.create_table(
        "transit_stops",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("feed", sa.String(length=80), nullable=False),
        sa.Column("stop_id", sa.String(length=80), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("location_type", sa.Integer(), nullable=False),
        sa.Column("wheelchair_boarding", sa.Integer(), nullable=True),
        sa.Column("demo", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transit_stops")),
        sa.UniqueConstraint("feed", "stop_id", name="uq_transit_stops_feed_stop"),
    )
    with op.batch_alter_table("transit_stops", schema=None) as batch_op:
        batch_op.create_index("ix_transit_stops_position", ["latitude", "longitude"], unique=False)

    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=255), nullable=False),
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column(
            "description",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("venue", sa.String(length=200), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("starts_at", server.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", server.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("demo", sa.Boolean(), nullable=False),
        sa.Column("created_at", server.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["territory_id"], ["territories.id"], name=op.f("fk_events_territory_id_territories")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        sa.UniqueConstraint("uid", name=op.f("uq_events_uid")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index("ix_events_position", ["latitude", "longitude"], unique=False)
        batch_op.create_index("ix_events_starts_at", ["starts_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_territory_id"), ["territory_id"], unique=False)

    op.create_table(
        "points_of_interest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column(
            "description",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("opening_hours", sa.String(length=500), nullable=True),
        sa.Column("website", sa.String(length=500), nullable=True),
        sa.Column("demo", sa.Boolean(), nullable=False),
        sa.Column("created_at", server.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["territory_id"],
            ["territories.id"],
            name=op.f("fk_points_of_interest_territory_id_territories"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_points_of_interest")),
    )
    with op.batch_alter_table("points_of_interest", schema=None) as batch_op:
        batch_op.create_index(
            "ix_points_of_interest_position", ["latitude", "longitude"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_points_of_interest_slug"), ["slug"], unique=True)
        batch_op.create_index(
            batch_op.f("ix_points_of_interest_territory_id"), ["territory_id"], unique=False
        )

    op.create_table(
        "shops",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column(
            "description",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("address", sa.String(length=200), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("opening_hours", sa.String(length=500), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("website", sa.String(length=500), nullable=True),
        sa.Column("demo", sa.Boolean(), nullable=False),
        sa.Column("created_at", server.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["territory_id"], ["territories.id"], name=op.f("fk_shops_territory_id_territories")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shops")),
    )
    with op.batch_alter_table("shops", schema=None) as batch_op:
        batch_op.create_index("ix_shops_position", ["latitude", "longitude"], unique=False)
        batch_op.create_index(batch_op.f("ix_shops_slug"), ["slug"], unique=True)
        batch_op.create_index(batch_op.f("ix_shops_territory_id"), ["territory_id"], unique=False)

    op.create_table(
        "walks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "description",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("start_latitude", sa.Float(), nullable=False),
        sa.Column("start_longitude", sa.Float(), nullable=False),
        sa.Column("demo", sa.Boolean(), nullable=False),
        sa.Column("created_at", server.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["territory_id"], ["territories.id"], name=op.f("fk_walks_territory_id_territories")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_walks")),
    )
    with op.batch_alter_table("walks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_walks_slug"), ["slug"], unique=True)
        batch_op.create_index("ix_walks_start", ["start_latitude", "start_longitude"], unique=False)
        batch_op.create_index(batch_op.f("ix_walks_territory_id"), ["territory_id"], unique=False)

    op.create_table(
        "places",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
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
            nullable=False,
        ),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("radius_m", sa.Integer(), nullable=False),
        sa.Column("opening_hours", sa.String(length=500), nullable=True),
        sa.Column(
            "description",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("shop_id", sa.Integer(), nullable=True),
        sa.Column("demo", sa.Boolean(), nullable=False),
        sa.Column("created_at", server.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["shop_id"], ["shops.id"], name=op.f("fk_places_shop_id_shops")),
        sa.ForeignKeyConstraint(
            ["territory_id"], ["territories.id"], name=op.f("fk_places_territory_id_territories")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_places")),
    )
    with op.batch_alter_table("places", schema=None) as batch_op:
        batch_op.create_index("ix_places_position", ["latitude", "longitude"], unique=False)
        batch_op.create_index(batch_op.f("ix_places_shop_id"), ["shop_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_places_slug"), ["slug"], unique=True)
        batch_op.create_index(batch_op.f("ix_places_territory_id"), ["territory_id"], unique=False)

    op.create_table(
        "walk_stops",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("walk_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "note",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["walk_id"], ["walks.id"], name=op.f("fk_walk_stops_walk_id_walks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_walk_stops")),
        sa.UniqueConstraint("walk_id", "position", name="uq_walk_stops_walk_position"),
    )
    op.create_table(
        "batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("chip", sa.String(length=16), nullable=False),
        sa.Column("base_url", sa.String(length=500), nullable=False),
        sa.Column("mirror", sa.String(length=8), nullable=True),
        sa.Column("password", sa.Boolean(), nullable=False),
        sa.Column("lock", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("created_at", server.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["place_id"], ["places.id"], name=op.f("fk_batches_place_id_places")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batches")),
    )
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_batches_place_id"), ["place_id"], unique=False)

    op.create_table(
        "offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("deal", "cross", name="offerkind", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column(
            "title",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "conditions",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("hours", sa.String(length=500), nullable=True),
        sa.Column("quota", sa.Integer(), nullable=True),
        sa.Column("partner_shop_id", sa.Integer(), nullable=True),
        sa.Column("trigger_place_id", sa.Integer(), nullable=True),
        sa.Column("demo", sa.Boolean(), nullable=False),
        sa.Column("created_at", server.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_shop_id"], ["shops.id"], name=op.f("fk_offers_partner_shop_id_shops")
        ),
        sa.ForeignKeyConstraint(["shop_id"], ["shops.id"], name=op.f("fk_offers_shop_id_shops")),
        sa.ForeignKeyConstraint(
            ["trigger_place_id"], ["places.id"], name=op.f("fk_offers_trigger_place_id_places")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offers")),
    )
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_offers_partner_shop_id"), ["partner_shop_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_offers_shop_id"), ["shop_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_offers_slug"), ["slug"], unique=True)
        batch_op.create_index(
            batch_op.f("ix_offers_trigger_place_id"), ["trigger_place_id"], unique=False
        )

    op.create_table(
        "redemption_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("visitor_id", sa.String(length=40), nullable=True),
        sa.Column("issued_at", server.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", server.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("redeemed_at", server.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("redeemed_shop_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["offer_id"], ["offers.id"], name=op.f("fk_redemption_codes_offer_id_offers")
        ),
        sa.ForeignKeyConstraint(
            ["redeemed_shop_id"],
            ["shops.id"],
            name=op.f("fk_redemption_codes_redeemed_shop_id_shops"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_redemption_codes")),
        sa.UniqueConstraint("code", name=op.f("uq_redemption_codes_code")),
    )
    with op.batch_alter_table("redemption_codes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_redemption_codes_offer_id"), ["offer_id"], unique=False
        )

    op.create_table(
        "stickers",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "planned",
                "encoded",
                "installed",
                "retired",
                name="stickerstatus",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("chip", sa.String(length=16), nullable=True),
        sa.Column("uid", sa.String(length=14), nullable=True),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.Column("target_url", sa.String(length=500), nullable=True),
        sa.Column("encoded_at", server.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("installed_at", server.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("retired_at", server.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_counter", sa.Integer(), nullable=True),
        sa.Column("last_counter_at", server.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_tap_at", server.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("demo", sa.Boolean(), nullable=False),
        sa.Column("created_at", server.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.id"], name=op.f("fk_stickers_batch_id_batches")
        ),
        sa.ForeignKeyConstraint(
            ["place_id"], ["places.id"], name=op.f("fk_stickers_place_id_places")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stickers")),
        sa.UniqueConstraint("code", name=op.f("uq_stickers_code")),
        sa.UniqueConstraint("uid", name=op.f("uq_stickers_uid")),
    )
    with op.batch_alter_table("stickers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stickers_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_stickers_place_id"), ["place_id"], unique=False)

    op.create_table(
        "taps",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("occurred_at", server.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum(
                "ok",
                "malformed",
                "unknown key",
                "revoked key",
                "bad signature",
                "unknown sticker",
                "retired sticker",
                name="outcome",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("sticker_id", sa.Integer(), nullable=True),
        sa.Column("place_id", sa.Integer(), nullable=True),
        sa.Column("visitor_id", sa.String(length=40), nullable=False),
        sa.Column(
            "visitor_kind",
            sa.Enum(
                "cookie",
                "new",
                "hash",
                name="visitorkind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("human", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=80), nullable=True),
        sa.Column("browser", sa.String(length=60), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("mirror_uid", sa.String(length=14), nullable=True),
        sa.Column("mirror_counter", sa.Integer(), nullable=True),
        sa.Column("mirror_error", sa.String(length=120), nullable=True),
        sa.Column("uid_matches", sa.Boolean(), nullable=True),
        sa.Column("counter_advanced", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(["place_id"], ["places.id"], name=op.f("fk_taps_place_id_places")),
        sa.ForeignKeyConstraint(
            ["sticker_id"], ["stickers.id"], name=op.f("fk_taps_sticker_id_stickers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_taps")),
    )
    with op.batch_alter_table("taps", schema=None) as batch_op:
        batch_op.create_index("ix_taps_occurred_at", ["occurred_at"], unique=False)
        batch_op.create_index("ix_taps_place_at", ["place_id", "occurred_at"], unique=False)
        batch_op.create_index("ix_taps_sticker_at", ["sticker_id", "occurred_at"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("taps", schema=None) as batch_op:
        batch_op.drop_index("ix_taps_sticker_at")
        batch_op.drop_index("ix_taps_place_at")
        batch_op.drop_index("ix_taps_occurred_at")

    op.drop_table("taps")
    with op.batch_alter_table("stickers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stickers_place_id"))
        batch_op.drop_index(batch_op.f("ix_stickers_batch_id"))

    op.drop_table("stickers")
    with op.batch_alter_table("redemption_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_redemption_codes_offer_id"))

    op.drop_table("redemption_codes")
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offers_trigger_place_id"))
        batch_op.drop_index(batch_op.f("ix_offers_slug"))
        batch_op.drop_index(batch_op.f("ix_offers_shop_id"))
        batch_op.drop_index(batch_op.f("ix_offers_partner_shop_id"))

    op.drop_table("offers")
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_batches_place_id"))

    op.drop_table("batches")
    op.drop_table("walk_stops")
    with op.batch_alter_table("places", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_places_territory_id"))
        batch_op.drop_index(batch_op.f("ix_places_slug"))
        batch_op.drop_index(batch_op.f("ix_places_shop_id"))
        batch_op.drop_index("ix_places_position")

    op.drop_table("places")
    with op.batch_alter_table("walks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_walks_territory_id"))
        batch_op.drop_index("ix_walks_start")
        batch_op.drop_index(batch_op.f("ix_walks_slug"))

    op.drop_table("walks")
    with op.batch_alter_table("shops", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shops_territory_id"))
        batch_op.drop_index(batch_op.f("ix_shops_slug"))
        batch_op.drop_index("ix_shops_position")

    op.drop_table("shops")
    with op.batch_alter_table("points_of_interest", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_points_of_interest_territory_id"))
        batch_op.drop_index(batch_op.f("ix_points_of_interest_slug"))
        batch_op.drop_index("ix_points_of_interest_position")

    op.drop_table("points_of_interest")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_territory_id"))
        batch_op.drop_index("ix_events_starts_at")
        batch_op.drop_index("ix_events_position")

    op.drop_table("events")
    with op.batch_alter_table("transit_stops", schema=None) as batch_op:
        batch_op.drop_index("ix_transit_stops_position")

    op.drop_table("transit_stops")
    with op.batch_alter_table("territories", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_territories_slug"))

    op.drop_table("territories")
    op.drop_table("counters")
    op.drop_table("api_tokens")
