"""Car parks and their free spaces: the Lille metropolis's `disponibilite-parkings` dataset (JSON)
and DATEX II (a ParkingStatusPublication, with the ParkingTablePublication that names and places
its car parks), so another city's operator can plug theirs in.

A file that is not what it must be (wrong types, negative counts) is refused whole and the last
good snapshot stays; a car park with no position, or a status for a car park the table does not
know, is left out and counted. `dispo` is the count shown: `aff`, the road sign's text, does not
always agree with it.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from typing import Any
from zoneinfo import ZoneInfo

from server.mobility.reading import GetFile, Reading, Refused, load_json, timestamp, validate

LILLE_ZONE = ZoneInfo("Europe/Paris")  # datemaj without an offset is the metropolis's time
OPEN_STATES = {"OUVERT": True, "LIBRE": True, "COMPLET": True, "FERME": False, "FERMÉ": False}


def read_lille(url: str, get: GetFile) -> Reading:
    """Read a disponibilite-parkings export (its records, or an API page of them)."""
    document = load_json(get(url), "disponibilite-parkings")
    records = _records(document)
    parks, notes = [], []
    for number, record in enumerate(records, 1):
        label = f"record {number}"
        validate(record, "lille-parkings.json", label)
        position = _position(record)
        if position is None:
            notes.append(f"{record['id']}: no position, left out")
            continue
        parks.append(
            {
                "id": record["id"],
                "name": {"fr": record["libelle"]},
                "address": ", ".join(p for p in (record.get("adresse"), record.get("ville")) if p),
                "lat": position[0],
                "lon": position[1],
                "free": record["dispo"],
                "capacity": record["max"],
                "open": OPEN_STATES.get((record.get("etat") or "").strip().upper()),
                "updated_at": _lille_time(record["datemaj"], label).isoformat(),
            }
        )
    return Reading(parks, notes=notes)


def _records(document: Any) -> list[Any]:
    """The records of an export (a list), an API v2 page (results) or a v1 one (records)."""
    if isinstance(document, list):
        return document
    if isinstance(document, dict) and isinstance(document.get("results"), list):
        return document["results"]
    if isinstance(document, dict) and isinstance(document.get("records"), list):
        return [
            {**(entry.get("fields") or {}), "geometry": entry.get("geometry")}
            if isinstance(entry, dict)
            else entry
            for entry in document["records"]
        ]
    raise Refused("disponibilite-parkings: expected a list of records (the JSON export)")


def _position(record: dict[str, Any]) -> tuple[float, float] | None:
    """(latitude, longitude) from geometry (GeoJSON or {lon, lat}) or geo_point_2d."""
    for key in ("geometry", "geo_point_2d", "geo_point"):
        value = record.get(key)
        try:
            if isinstance(value, dict) and "coordinates" in value:
                lon, lat = value["coordinates"][:2]
            elif isinstance(value, dict):
                lat, lon = value["lat"], value["lon"]
            elif isinstance(value, list):
                lat, lon = value[:2]
            else:
                continue
            lat, lon = float(lat), float(lon)
        except (KeyError, TypeError, ValueError):
            continue
        if -90 <= lat <= 90 and -180 <= lon <= 180:
            return lat, lon
    return None


def _lille_time(value: str, label: str) -> dt.datetime:
    """datemaj: ISO 8601 (with or without offset) or dd/mm/yyyy HH:MM:SS, in Lille's time."""
    for pattern in ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M"):
        try:
            return (
                dt.datetime.strptime(value, pattern).replace(tzinfo=LILLE_ZONE).astimezone(dt.UTC)
            )
        except ValueError:
            pass
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise Refused(f"{label}: datemaj {value[:40]!r} is not a time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LILLE_ZONE)
    return moment.astimezone(dt.UTC)


# DATEX II (versions 2.3 and 3.x name the same elements; namespaces differ and are ignored).


def read_datex(url: str, table_url: str | None, get: GetFile) -> Reading:
    """Read a ParkingStatusPublication with the ParkingTablePublication naming its car parks."""
    if table_url is None:
        raise Refused("a DATEX II feed needs table_url, its ParkingTablePublication")
    table = _table(_xml(get(table_url), "ParkingTablePublication"))
    status = _xml(get(url), "ParkingStatusPublication")
    published = _first(status, "publicationTime")
    parks, unknown = [], 0
    for record in _all(status, "parkingRecordStatus"):
        reference = _first_element(record, "parkingRecordReference")
        known = table.get(reference.get("id", "")) if reference is not None else None
        if known is None:
            unknown += 1
            continue
        vacant = _count(_first(record, "parkingNumberOfVacantSpaces"), "vacant spaces")
        occupied = _count(_first(record, "parkingNumberOfOccupiedSpaces"), "occupied spaces")
        if vacant is None and occupied is not None and known["capacity"] is not None:
            vacant = max(known["capacity"] - occupied, 0)
        site = (_first(record, "parkingSiteStatus") or "").strip()
        opening = (_first(record, "parkingSiteOpeningStatus") or "").strip()
        when = _first(record, "parkingStatusOriginTime") or published
        if when is None:
            raise Refused(f"the status of {known['id']} has no time")
        is_open = {"open": True, "closed": False}.get(opening)
        if site in ("closed", "closedAbnormal"):
            is_open = False
        parks.append(
            {
                **known,
                "free": vacant,
                "open": is_open,
                "updated_at": timestamp(when.strip(), "parkingStatusOriginTime").isoformat(),
            }
        )
    notes = [f"{unknown} statuses name car parks the table does not list"] * bool(unknown)
    return Reading(parks, notes=notes)


def _table(root: ET.Element) -> dict[str, dict[str, Any]]:
    """Each car park of a ParkingTablePublication: name, position, capacity."""
    parks = {}
    for record in _all(root, "parkingRecord"):
        key = record.get("id")
        latitude, longitude = _first(record, "latitude"), _first(record, "longitude")
        if not key or latitude is None or longitude is None:
            continue
        try:
            lat, lon = float(latitude), float(longitude)
        except ValueError:
            raise Refused(f"ParkingTablePublication: {key} has no usable position") from None
        names = {}
        name = _first_element(record, "parkingName")
        if name is not None:
            for value in _all(name, "value"):
                names[value.get("lang", "")] = (value.text or "").strip()
        parks[key] = {
            "id": key,
            "name": names or {"": key},
            "address": "",
            "lat": lat,
            "lon": lon,
            "capacity": _count(_first(record, "parkingNumberOfSpaces"), "spaces"),
        }
    return parks


class _NoDoctype(ET.TreeBuilder):
    """Refuses a document type as the parser meets it, before any entity it declares.

    Asked of the parser, not of the bytes: a UTF-16 document, or one whose DOCTYPE follows a
    long comment, says `<!ENTITY` in no form that a byte search finds.
    """

    def __init__(self, label: str) -> None:
        super().__init__()
        self.label = label

    def doctype(self, name: str, pubid: str | None, system: str | None) -> None:
        raise Refused(f"{self.label}: a document type or entity declaration is not accepted")


def _xml(body: bytes, label: str) -> ET.Element:
    parser = ET.XMLParser(target=_NoDoctype(label))
    try:
        parser.feed(body)
        root: ET.Element = parser.close()
    except ET.ParseError as error:
        raise Refused(f"{label} is not XML ({error})") from None
    return root


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _all(root: ET.Element, name: str) -> list[ET.Element]:
    return [element for element in root.iter() if _local(element.tag) == name]


def _first_element(root: ET.Element, name: str) -> ET.Element | None:
    return next((element for element in root.iter() if _local(element.tag) == name), None)


def _first(root: ET.Element, name: str) -> str | None:
    element = _first_element(root, name)
    return element.text if element is not None else None


def _count(text: str | None, label: str) -> int | None:
    if text is None:
        return None
    try:
        value = int(text.strip())
    except ValueError:
        raise Refused(f"DATEX II: {label} {text.strip()[:20]!r} is not a whole number") from None
    if value < 0:
        raise Refused(f"DATEX II: {label} is negative ({value})")
    return value
