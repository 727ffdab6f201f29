"""GTFS-Realtime TripUpdates and service Alerts (protocol buffers, read with MobilityData's
gtfs-realtime-bindings): live delays, cancelled trips and skipped stops, and alerts on lines and
stops. A message that does not decode, or has no header timestamp, is refused whole."""

from __future__ import annotations

import datetime as dt
from typing import Any

from google.protobuf.message import DecodeError
from google.transit import gtfs_realtime_pb2 as rt

from server.mobility.reading import GetFile, Reading, Refused, timestamp

CANCELED = (
    rt.TripDescriptor.ScheduleRelationship.CANCELED,
    rt.TripDescriptor.ScheduleRelationship.DELETED,
)
SKIPPED = rt.TripUpdate.StopTimeUpdate.ScheduleRelationship.SKIPPED
MAX_ENTITIES = 50_000


def read(url: str, get: GetFile) -> Reading:
    """Read the GTFS-RT message at `url` (trip updates, alerts, or both)."""
    message = rt.FeedMessage()
    try:
        message.ParseFromString(get(url))
    except (DecodeError, ValueError) as error:
        raise Refused(f"not a GTFS-Realtime message ({error})") from None
    if not message.header.gtfs_realtime_version:
        raise Refused("not a GTFS-Realtime message: its header has no version")
    if not message.header.timestamp:
        raise Refused("the message's header has no timestamp: its age cannot be told")
    if len(message.entity) > MAX_ENTITIES:
        raise Refused(f"{len(message.entity):,} entities, more than {MAX_ENTITIES:,}")
    stamp = timestamp(message.header.timestamp, "the header's timestamp")
    items: list[dict[str, Any]] = []
    for entity in message.entity:
        if entity.is_deleted:
            continue
        if entity.HasField("trip_update"):
            items.append(_trip(entity.trip_update, stamp))
        if entity.HasField("alert"):
            items.append(_alert(entity.id, entity.alert, stamp))
    return Reading(items, {"updated_at": stamp.isoformat()})


def _trip(update: Any, stamp: dt.datetime) -> dict[str, Any]:
    trip = update.trip
    at = timestamp(update.timestamp, f"trip {trip.trip_id[:40]}") if update.timestamp else stamp
    stops = []
    for stop in update.stop_time_update:
        event = stop.departure if stop.HasField("departure") else stop.arrival
        if event.HasField("time"):  # refused here rather than failing each page that shows it
            timestamp(event.time, f"trip {trip.trip_id[:40]}")
        stops.append(
            {
                "stop_id": stop.stop_id or None,
                "sequence": stop.stop_sequence if stop.HasField("stop_sequence") else None,
                "delay": event.delay if event.HasField("delay") else None,
                "time": event.time if event.HasField("time") else None,
                "skipped": stop.schedule_relationship == SKIPPED,
            }
        )
    return {
        "type": "trip",
        "trip_id": trip.trip_id,
        "route_id": trip.route_id or None,
        "start_date": trip.start_date or None,  # YYYYMMDD, the trip's service day
        "cancelled": trip.schedule_relationship in CANCELED,
        "delay": update.delay if update.HasField("delay") else None,
        "stops": stops,
        "updated_at": min(at, stamp).isoformat(),
    }


def _text(translated: Any) -> dict[str, str]:
    return {entry.language or "": entry.text for entry in translated.translation}


def _alert(key: str, alert: Any, stamp: dt.datetime) -> dict[str, Any]:
    return {
        "type": "alert",
        "id": key,
        "header": _text(alert.header_text),
        "description": _text(alert.description_text),
        "effect": rt.Alert.Effect.Name(alert.effect),
        "routes": sorted({e.route_id for e in alert.informed_entity if e.route_id}),
        "stops": sorted({e.stop_id for e in alert.informed_entity if e.stop_id}),
        "active": [[p.start or None, p.end or None] for p in alert.active_period],
        "updated_at": stamp.isoformat(),
    }
