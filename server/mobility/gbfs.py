"""Bike share from GBFS 2.3 or 3.0: the stations, with bikes and free docks, each file checked
against MobilityData's schema for its version (vendored in schemas/gbfs/).

The feed's url is its auto-discovery file (gbfs.json), which names the others (vehicle_types,
when named, tells electric from mechanical bikes). A file that fails its schema refuses the
whole feed: the last good snapshot stays. Stations in station_status but
not in station_information are left out (and counted); stations not installed, not renting or
not returning are kept, marked so.
"""

from __future__ import annotations

from typing import Any

from server.mobility.reading import GetFile, Reading, Refused, load_json, timestamp, validate

VERSIONS = ("2.3", "3.0")
LANGUAGES = ("fr", "en", "nl")  # preferred, for a 2.3 feed published in several
ELECTRIC = ("electric_assist", "electric")  # a bike's propulsion_type with a motor


def read(url: str, get: GetFile) -> Reading:
    """Read the GBFS feed whose gbfs.json is at `url`."""
    discovery = load_json(get(url), "gbfs.json")
    version = discovery.get("version") if isinstance(discovery, dict) else None
    if version not in VERSIONS:
        raise Refused(f"gbfs.json says version {version!r}: TapTrail reads GBFS 2.3 and 3.0")
    validate(discovery, f"gbfs/v{version}/gbfs.json", "gbfs.json")
    files, language = _files(discovery, version)
    for needed in ("system_information", "station_information", "station_status"):
        if needed not in files:
            raise Refused(f"gbfs.json names no {needed}: a docked system needs it")
    documents = {}
    for name in ("system_information", "station_information", "station_status"):
        document = load_json(get(files[name]), f"{name}.json")
        validate(document, f"gbfs/v{version}/{name}.json", f"{name}.json")
        documents[name] = document
    kinds: dict[str, str] = {}
    if "vehicle_types" in files:  # optional: which bikes are electric
        document = load_json(get(files["vehicle_types"]), "vehicle_types.json")
        validate(document, f"gbfs/v{version}/vehicle_types.json", "vehicle_types.json")
        kinds = {
            kind["vehicle_type_id"]: kind["propulsion_type"]
            for kind in document["data"]["vehicle_types"]
        }
    system = documents["system_information"]["data"]
    status = documents["station_status"]
    updated = timestamp(status["last_updated"], "station_status.json last_updated")
    stations, unknown = _stations(documents["station_information"], status, version, language)
    notes = [f"{unknown} stations in station_status are not in station_information"] * bool(unknown)
    strangers = _bike_kinds(stations, status, kinds)
    if strangers:
        notes.append(f"vehicle types not in vehicle_types.json: {', '.join(sorted(strangers))}")
    return Reading(
        stations,
        {
            "version": version,
            "system": _text(system.get("name"), language) or "",
            "updated_at": updated.isoformat(),
            "unknown_stations": unknown,
        },
        ttl=float(status.get("ttl") or 0),
        notes=notes,
    )


def _bike_kinds(
    stations: list[dict[str, Any]], status: dict[str, Any], kinds: dict[str, str]
) -> set[str]:
    """Each station's electric and mechanical bikes, where station_status gives its
    vehicle_types_available and vehicle_types.json says what each type is (else None); the
    type ids that vehicle_types.json does not name."""
    counts = {
        entry["station_id"]: entry.get("vehicle_types_available")
        for entry in status["data"]["stations"]
    }
    strangers: set[str] = set()
    for station in stations:
        available = counts.get(station["id"])
        electric = mechanical = None
        if kinds and available:
            electric = mechanical = 0
            for entry in available:
                propulsion = kinds.get(entry["vehicle_type_id"])
                if propulsion is None:
                    strangers.add(str(entry["vehicle_type_id"])[:40])
                elif propulsion == "human":
                    mechanical += entry["count"]
                elif propulsion in ELECTRIC:
                    electric += entry["count"]
            if electric + mechanical > station["bikes"]:  # the schema bounds no count: unknown
                electric = mechanical = None
        station["electric"], station["mechanical"] = electric, mechanical
    return strangers


def _files(discovery: dict[str, Any], version: str) -> tuple[dict[str, str], str | None]:
    """The files gbfs.json names (by feed name), and the language they are in (2.3)."""
    data = discovery["data"]
    if version == "3.0":
        return {feed["name"]: feed["url"] for feed in data["feeds"]}, None
    language = next((code for code in LANGUAGES if code in data), next(iter(data), None))
    if language is None:
        raise Refused("gbfs.json lists no language")
    return {feed["name"]: feed["url"] for feed in data[language]["feeds"]}, language


def _text(value: Any, language: str | None) -> str | dict[str, str] | None:
    """A 3.0 localized array becomes {language: text}; a 2.3 string stays as it is."""
    if isinstance(value, list):
        return {entry["language"]: entry["text"] for entry in value}
    return value


def _stations(
    information: dict[str, Any], status: dict[str, Any], version: str, language: str | None
) -> tuple[list[dict[str, Any]], int]:
    """Each station's place and name with its status; and how many statuses named no station."""
    places = {station["station_id"]: station for station in information["data"]["stations"]}
    feed_updated = timestamp(status["last_updated"], "station_status.json last_updated")
    counted = "num_vehicles_available" if version == "3.0" else "num_bikes_available"
    stations, unknown = [], 0
    for entry in status["data"]["stations"]:
        place = places.get(entry["station_id"])
        if place is None:
            unknown += 1
            continue
        reported = entry.get("last_reported")
        at = timestamp(reported, "last_reported") if reported is not None else feed_updated
        name = _text(place["name"], language)
        stations.append(
            {
                "id": entry["station_id"],
                "name": name if isinstance(name, dict) else {language or "": name},
                "lat": place["lat"],
                "lon": place["lon"],
                "capacity": place.get("capacity"),
                "bikes": entry[counted],
                "docks": entry.get("num_docks_available"),
                "installed": bool(entry["is_installed"]),
                "renting": bool(entry["is_renting"]),
                "returning": bool(entry["is_returning"]),
                "updated_at": min(at, feed_updated).isoformat(),
            }
        )
    return stations, unknown
