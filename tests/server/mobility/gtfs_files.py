"""A small GTFS feed in the real format (a zip of CSV files) and GTFS-RT messages, for tests."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

from google.transit import gtfs_realtime_pb2 as rt

STOP = ("PISC", "Roubaix Musée La Piscine", 50.69240, 3.16800)


def write_feed(
    path: Path, trips: list[tuple[str, str, str, str]], calendar_dates: str = ""
) -> Path:
    """A zip with one stop and one line; `trips` are (trip_id, service_id, headsign, time)."""
    stop_id, name, lat, lon = STOP
    files = {
        "agency.txt": "agency_id,agency_name,agency_url,agency_timezone\n"
        "ILV,Ilévia,https://www.ilevia.fr,Europe/Paris\n",
        "stops.txt": f"stop_id,stop_name,stop_lat,stop_lon\n{stop_id},{name},{lat},{lon}\n",
        "routes.txt": "route_id,route_short_name,route_long_name,route_type\n"
        "L25,25,Roubaix - Tourcoing,3\n",
        "trips.txt": "route_id,service_id,trip_id,trip_headsign\n"
        + "".join(f"L25,{service},{trip},{headsign}\n" for trip, service, headsign, _ in trips),
        "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
        + "".join(f"{trip},{time},{time},{stop_id},3\n" for trip, _, _, time in trips),
        "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,"
        "start_date,end_date\nWEEK,1,1,1,1,1,1,1,20260101,20271231\n",
        "calendar_dates.txt": "service_id,date,exception_type\n" + calendar_dates,
    }
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return path


def trip_updates(
    at: dt.datetime,
    *,
    cancelled: tuple[str, ...] = (),
    delays: dict[str, int] | None = None,
    alert: str | None = None,
    service_day: dt.date | None = None,
    active: tuple[dt.datetime, dt.datetime] | None = None,
) -> bytes:
    """A GTFS-RT FeedMessage: trips cancelled, trips delayed (seconds), perhaps an alert (in
    force from and to the `active` moments, when given)."""
    message = rt.FeedMessage()
    message.header.gtfs_realtime_version = "2.0"
    message.header.timestamp = int(at.timestamp())
    for trip in cancelled:
        entity = message.entity.add(id=f"c-{trip}")
        entity.trip_update.trip.trip_id = trip
        entity.trip_update.trip.schedule_relationship = rt.TripDescriptor.CANCELED
        if service_day:
            entity.trip_update.trip.start_date = f"{service_day:%Y%m%d}"
    for trip, delay in (delays or {}).items():
        entity = message.entity.add(id=f"d-{trip}")
        entity.trip_update.trip.trip_id = trip
        update = entity.trip_update.stop_time_update.add(stop_sequence=1)
        update.departure.delay = delay
    if alert:
        entity = message.entity.add(id="alert-1")
        entity.alert.header_text.translation.add(text=alert, language="fr")
        entity.alert.informed_entity.add(route_id="L25")
        entity.alert.effect = rt.Alert.DETOUR
        if active:
            entity.alert.active_period.add(
                start=int(active[0].timestamp()), end=int(active[1].timestamp())
            )
    return message.SerializeToString()
