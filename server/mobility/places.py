"""Static car park facts from the French "lieux de stationnement" schema (BNLS, a CSV as
schema.data.gouv.fr etalab/schema-stationnement describes it): capacity, address, free or paid,
spaces for disabled people (PMR), joined to a live car park feed's figures.

A car park of the live feed gets the row with its id, else the nearest row within JOIN_M (the
two datasets are kept by different people and their ids do not always agree). The file is
checked as the schema says (its required columns, whole numbers, booleans, positions); a file
that is not such a CSV refuses the feed whole, as any other bad file: the last good data stays.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from server.mobility.reading import Refused
from server.services.geo import distance_m

REQUIRED = ("id", "nom", "insee", "type_usagers", "gratuit", "nb_places", "Xlong", "Ylat")
TRUE = {"true", "1", "oui", "yes", "vrai", "t"}
FALSE = {"false", "0", "non", "no", "faux", "f"}
JOIN_M = 60.0  # a live car park and a static row this close are the same car park
MAX_ROWS = 50_000  # the national file holds about 3,000 car parks
MAX_DIGITS = 6  # the largest car park in France has a few thousand spaces


def read_places(body: bytes) -> list[dict[str, Any]]:
    """The rows of a BNLS CSV: id, name, address, capacity, free, pmr, lat, lon; Refused if the
    file is not one (the message names the row and column)."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Refused("lieux de stationnement: the CSV is not UTF-8") from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    missing = [name for name in REQUIRED if name not in (reader.fieldnames or [])]
    if missing:
        raise Refused(
            f"lieux de stationnement: no column {', '.join(missing)} "
            "(expected the etalab/schema-stationnement CSV)"
        )
    rows = []
    try:
        for number, row in enumerate(reader, start=2):
            if number > MAX_ROWS:
                raise Refused(f"lieux de stationnement: more than {MAX_ROWS} rows")
            rows.append(_row(row, f"lieux de stationnement, line {number}"))
    except csv.Error as error:
        raise Refused(f"lieux de stationnement: not a CSV ({error})") from None
    return rows


def _row(row: dict[str, Any], label: str) -> dict[str, Any]:
    if None in row:  # more cells than columns
        raise Refused(f"{label}: more cells than the header has columns")
    if None in row.values():  # fewer cells than columns
        raise Refused(f"{label}: fewer cells than the header has columns")
    if not (row.get("id") or "").strip():
        raise Refused(f"{label}: id is empty")
    lat, lon = _number(row, "Ylat", label), _number(row, "Xlong", label)
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise Refused(f"{label}: Ylat and Xlong must be a latitude and a longitude")
    return {
        "id": row["id"].strip(),
        "name": (row.get("nom") or "").strip(),
        "address": (row.get("adresse") or "").strip(),
        "capacity": _count(row, "nb_places", label),
        "free_of_charge": _boolean(row, "gratuit", label),
        "pmr": _count(row, "nb_pmr", label),
        "lat": lat,
        "lon": lon,
    }


def _number(row: dict[str, Any], column: str, label: str) -> float | None:
    value = (row.get(column) or "").strip().replace(",", ".")
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise Refused(f"{label}: {column} {value[:20]!r} is not a number") from None


def _count(row: dict[str, Any], column: str, label: str) -> int | None:
    value = (row.get(column) or "").strip()
    if not value:
        return None
    # ASCII digits only: str.isdigit() also passes "1²" (int() then fails: not a Refused) and
    # a 5,000-digit cell (past int()'s digit limit).
    if not (value.isascii() and value.isdigit() and len(value) <= MAX_DIGITS):
        raise Refused(f"{label}: {column} {value[:20]!r} is not a whole number of spaces")
    return int(value)


def _boolean(row: dict[str, Any], column: str, label: str) -> bool | None:
    value = (row.get(column) or "").strip().lower()
    if not value:
        return None
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise Refused(f"{label}: {column} {value[:20]!r} is neither true nor false")


def join(parks: list[dict[str, Any]], places: list[dict[str, Any]]) -> int:
    """Add each live car park's static facts (capacity when the feed has none, address, free or
    paid, PMR spaces) from its row; how many car parks found one."""
    by_id = {place["id"]: place for place in places}
    joined = 0
    for park in parks:
        place = by_id.get(park["id"]) or _nearest(park, places)
        if place is None:
            continue
        joined += 1
        if not park.get("capacity") and place["capacity"] is not None:
            park["capacity"] = place["capacity"]
        if not park.get("address") and place["address"]:
            park["address"] = place["address"]
        park["free_of_charge"] = place["free_of_charge"]
        park["pmr"] = place["pmr"]
    return joined


def _nearest(park: dict[str, Any], places: list[dict[str, Any]]) -> dict[str, Any] | None:
    best, best_m = None, JOIN_M
    for place in places:
        if abs(place["lat"] - park["lat"]) > 0.001 or abs(place["lon"] - park["lon"]) > 0.002:
            continue  # further than JOIN_M for sure: no distance to work out
        metres = distance_m(park["lat"], park["lon"], place["lat"], place["lon"])
        if metres <= best_m:
            best, best_m = place, metres
    return best
