"""Live mobility: a GTFS feed's timetable (routes, trips, calendars, stop times) and its time zone

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "transit_routes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("feed", sa.String(length=80), nullable=False),
        sa.Column("route_id", sa.String(length=80), nullable=False),
        sa.Column("label", sa.String(length=40), nullable=False),
        sa.Column("route_type", sa.Integer(), nullable=True),
        sa.Column("color", sa.String(length=6), nullable=True),
        sa.ForeignKeyConstraint(
            ["feed"],
            ["transit_feeds.name"],
            name=op.f("fk_transit_routes_feed_transit_feeds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transit_routes")),
        sa.UniqueConstraint("feed", "route_id", name="uq_transit_routes_feed_route"),
    )
    op.create_table(
        "transit_service_dates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("feed", sa.String(length=80), nullable=False),
        sa.Column("service_id", sa.String(length=80), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("exception_type", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["feed"],
            ["transit_feeds.name"],
            name=op.f("fk_transit_service_dates_feed_transit_feeds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transit_service_dates")),
        sa.UniqueConstraint("feed", "service_id", "date", name="uq_transit_service_dates"),
    )
    with op.batch_alter_table("transit_service_dates", schema=None) as batch_op:
        batch_op.create_index("ix_transit_service_dates_feed_date", ["feed", "date"], unique=False)

    op.create_table(
        "transit_services",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("feed", sa.String(length=80), nullable=False),
        sa.Column("service_id", sa.String(length=80), nullable=False),
        sa.Column("weekdays", sa.String(length=7), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["feed"],
            ["transit_feeds.name"],
            name=op.f("fk_transit_services_feed_transit_feeds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transit_services")),
        sa.UniqueConstraint("feed", "service_id", name="uq_transit_services_feed_service"),
    )
    op.create_table(
        "transit_stop_times",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("feed", sa.String(length=80), nullable=False),
        sa.Column("trip_id", sa.String(length=80), nullable=False),
        sa.Column("stop_id", sa.String(length=80), nullable=False),
        sa.Column("stop_sequence", sa.Integer(), nullable=False),
        sa.Column("departure_seconds", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["feed"],
            ["transit_feeds.name"],
            name=op.f("fk_transit_stop_times_feed_transit_feeds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transit_stop_times")),
    )
    with op.batch_alter_table("transit_stop_times", schema=None) as batch_op:
        batch_op.create_index(
            "ix_transit_stop_times_stop", ["feed", "stop_id", "departure_seconds"], unique=False
        )

    op.create_table(
        "transit_trips",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("feed", sa.String(length=80), nullable=False),
        sa.Column("trip_id", sa.String(length=80), nullable=False),
        sa.Column("route_id", sa.String(length=80), nullable=False),
        sa.Column("service_id", sa.String(length=80), nullable=False),
        sa.Column("headsign", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["feed"],
            ["transit_feeds.name"],
            name=op.f("fk_transit_trips_feed_transit_feeds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transit_trips")),
        sa.UniqueConstraint("feed", "trip_id", name="uq_transit_trips_feed_trip"),
    )
    with op.batch_alter_table("transit_feeds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("timezone", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("transit_feeds", schema=None) as batch_op:
        batch_op.drop_column("timezone")

    op.drop_table("transit_trips")
    with op.batch_alter_table("transit_stop_times", schema=None) as batch_op:
        batch_op.drop_index("ix_transit_stop_times_stop")

    op.drop_table("transit_stop_times")
    op.drop_table("transit_services")
    with op.batch_alter_table("transit_service_dates", schema=None) as batch_op:
        batch_op.drop_index("ix_transit_service_dates_feed_date")

    op.drop_table("transit_service_dates")
    op.drop_table("transit_routes")
