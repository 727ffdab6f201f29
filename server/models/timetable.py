"""A GTFS feed's timetable: routes, trips, service calendars and stop times, for the next
departures from a stop. Times are seconds after the service day's "noon minus 12 h" in the
feed's time zone (GTFS), so they may pass 24:00:00 and stay right across clock changes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base
from server.models.types import intpk

FEED = "transit_feeds.name"


class TransitRoute(Base):
    """A line (routes.txt)."""

    __tablename__ = "transit_routes"
    __table_args__ = (UniqueConstraint("feed", "route_id", name="uq_transit_routes_feed_route"),)

    id: Mapped[intpk]
    feed: Mapped[str] = mapped_column(ForeignKey(FEED, ondelete="CASCADE"))
    route_id: Mapped[str] = mapped_column(String(80))
    label: Mapped[str] = mapped_column(String(40))  # short name, else long name, else id
    route_type: Mapped[int | None]
    color: Mapped[str | None] = mapped_column(String(6))


class TransitTrip(Base):
    """One run of a line on the days of its service (trips.txt)."""

    __tablename__ = "transit_trips"
    __table_args__ = (UniqueConstraint("feed", "trip_id", name="uq_transit_trips_feed_trip"),)

    id: Mapped[intpk]
    feed: Mapped[str] = mapped_column(ForeignKey(FEED, ondelete="CASCADE"))
    trip_id: Mapped[str] = mapped_column(String(80))
    route_id: Mapped[str] = mapped_column(String(80))
    service_id: Mapped[str] = mapped_column(String(80))
    headsign: Mapped[str | None] = mapped_column(String(200))


class TransitService(Base):
    """The weekdays and dates a service runs (calendar.txt)."""

    __tablename__ = "transit_services"
    __table_args__ = (
        UniqueConstraint("feed", "service_id", name="uq_transit_services_feed_service"),
    )

    id: Mapped[intpk]
    feed: Mapped[str] = mapped_column(ForeignKey(FEED, ondelete="CASCADE"))
    service_id: Mapped[str] = mapped_column(String(80))
    weekdays: Mapped[str] = mapped_column(String(7))  # "1111100": Monday to Sunday
    start_date: Mapped[dt.date]
    end_date: Mapped[dt.date]


class TransitServiceDate(Base):
    """A date a service runs although its calendar says not (1), or does not run (2)."""

    __tablename__ = "transit_service_dates"
    __table_args__ = (
        UniqueConstraint("feed", "service_id", "date", name="uq_transit_service_dates"),
        Index("ix_transit_service_dates_feed_date", "feed", "date"),
    )

    id: Mapped[intpk]
    feed: Mapped[str] = mapped_column(ForeignKey(FEED, ondelete="CASCADE"))
    service_id: Mapped[str] = mapped_column(String(80))
    date: Mapped[dt.date]
    exception_type: Mapped[int]


class TransitStopTime(Base):
    """A trip's call at a stop (stop_times.txt): when it leaves, in seconds of its service day."""

    __tablename__ = "transit_stop_times"
    __table_args__ = (Index("ix_transit_stop_times_stop", "feed", "stop_id", "departure_seconds"),)

    id: Mapped[intpk]
    feed: Mapped[str] = mapped_column(ForeignKey(FEED, ondelete="CASCADE"))
    trip_id: Mapped[str] = mapped_column(String(80))
    stop_id: Mapped[str] = mapped_column(String(80))
    stop_sequence: Mapped[int]
    departure_seconds: Mapped[int]
