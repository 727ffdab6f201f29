"""A territory's street map: stored from an imported extract, read back for drawing and routing.

Each process keeps the few maps it read lately in memory (a map is read whole and changes only
at an import), so drawing and routing do not go to the database once a map is loaded, and keep
working while the database is away.
"""

from __future__ import annotations

import datetime as dt
import gzip
import threading
from collections import OrderedDict
from dataclasses import dataclass

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.models import StreetMap, Territory
from server.services.geo import distance_m

KEPT = 8  # maps kept in memory per process: a deployment has a handful of territories


@dataclass(frozen=True)
class MapData:
    """A territory's map as read from its stored extract (see server.importers.osm.Extract)."""

    territory_id: int
    version: str  # changes at each import: part of every cached drawing's key
    lines: list[list[object]]
    areas: list[list[object]]
    nodes: list[float]
    edges: list[list[float]]


_kept: OrderedDict[int, MapData] = OrderedDict()
_lock = threading.Lock()


def store(
    session: Session, territory_id: int, data: dict[str, object], source: str, now: dt.datetime
) -> StreetMap:
    """Replace the territory's map with `data` (Extract.as_data()); the caller commits."""
    found = session.scalar(select(StreetMap).where(StreetMap.territory_id == territory_id))
    if found is None:
        found = StreetMap(territory_id=territory_id)
        session.add(found)
    found.source = source[:200]
    found.imported_at = now
    found.lines = len(data["lines"])  # type: ignore[arg-type]
    found.areas = len(data["areas"])  # type: ignore[arg-type]
    found.graph_nodes = len(data["nodes"]) // 2  # type: ignore[arg-type]
    found.graph_edges = len(data["edges"])  # type: ignore[arg-type]
    found.data = gzip.compress(orjson.dumps(data), compresslevel=6, mtime=0)
    session.flush()
    return found


def load(session: Session, territory_id: int) -> MapData | None:
    """The territory's map, from memory when it is current; None when none was imported."""
    stamp = session.execute(
        select(StreetMap.id, StreetMap.imported_at).where(StreetMap.territory_id == territory_id)
    ).first()
    with _lock:
        kept = _kept.get(territory_id)
    if stamp is None:
        return None
    version = f"{stamp.id}-{stamp.imported_at.timestamp():.0f}"
    if kept is not None and kept.version == version:
        return kept
    blob = session.scalar(select(StreetMap.data).where(StreetMap.id == stamp.id))
    raw = orjson.loads(gzip.decompress(blob or b""))
    found = MapData(territory_id, version, raw["lines"], raw["areas"], raw["nodes"], raw["edges"])
    with _lock:
        _kept[territory_id] = found
        _kept.move_to_end(territory_id)
        while len(_kept) > KEPT:
            _kept.popitem(last=False)
    return found


def kept(territory_id: int) -> MapData | None:
    """The map this process last read for the territory, without asking the database."""
    with _lock:
        return _kept.get(territory_id)


def nearest(session: Session, latitude: float, longitude: float) -> MapData | None:
    """The map of the territory (with a map) whose centre is nearest a position, within 30 km."""
    rows = session.execute(
        select(Territory.id, Territory.latitude, Territory.longitude).join(
            StreetMap, StreetMap.territory_id == Territory.id
        )
    ).all()
    ranked = sorted((distance_m(latitude, longitude, lat, lon), tid) for tid, lat, lon in rows)
    if not ranked or ranked[0][0] > 30_000:
        return None
    return load(session, ranked[0][1])
