"""Imports: all-day events as dates, events know their calendar, GTFS feeds and stations

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

import datetime as dt

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import server.models.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    feeds = op.create_table(
        "transit_feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("agencies", sa.String(length=500), nullable=True),
        sa.Column("publisher", sa.String(length=200), nullable=True),
        sa.Column("version", sa.String(length=100), nullable=True),
        sa.Column("imported_at", server.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("demo", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transit_feeds")),
        sa.UniqueConstraint("name", name=op.f("uq_transit_feeds_name")),
    )
    # Stops imported before this revision keep their feed: each name becomes a feed, whose
    # agencies are unknown until it is imported again.
    stops = sa.table("transit_stops", sa.column("feed", sa.String), sa.column("demo", sa.Boolean))
    found: dict[str, bool] = {}
    for name, demo in op.get_bind().execute(sa.select(stops.c.feed, stops.c.demo).distinct()):
        found[name] = found.get(name, False) or bool(demo)
    now = dt.datetime.now(dt.UTC)
    if found:
        op.bulk_insert(
            feeds,
            [{"name": name, "imported_at": now, "demo": demo} for name, demo in found.items()],
        )
    with op.batch_alter_table("transit_stops", schema=None) as batch_op:
        batch_op.add_column(sa.Column("parent_station", sa.String(length=80), nullable=True))
        batch_op.add_column(
            sa.Column(
                "lines",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                server_default=sa.text("'[]'"),
                nullable=False,
            )
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_transit_stops_feed_transit_feeds"), "transit_feeds", ["feed"], ["name"]
        )
    # Events imported before keep no calendar: the next import of their calendar claims them by
    # UID and replaces the all-day ones, which were stored as instants, by dates.
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("calendar", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("starts_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("ends_on", sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f("ix_events_calendar"), ["calendar"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_calendar"))
        batch_op.drop_column("ends_on")
        batch_op.drop_column("starts_on")
        batch_op.drop_column("calendar")
    with op.batch_alter_table("transit_stops", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_transit_stops_feed_transit_feeds"), type_="foreignkey"
        )
        batch_op.drop_column("lines")
        batch_op.drop_column("parent_station")
    op.drop_table("transit_feeds")
