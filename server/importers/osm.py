"""OpenStreetMap extracts (.osm, .osm.pbf) read with osmium into what TapTrail's maps need.

What is kept: streets and footways with their names, squares, water, parks and, when asked,
buildings, plus the walkable graph that walks are routed over. Everything else in the extract
(addresses, shops, power lines, ...) is left out, so a regional extract becomes a few hundred
kilobytes per territory. Nothing here touches the database: `read_extract` returns plain data
that `server.services.street_maps` stores.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import osmium

from server.errors import ImportProblem
from server.services.geo import METRES_PER_DEGREE, BoundingBox, distance_m

# Street classes as maps draw them: wide roads, ordinary streets, ways for people on foot.
MAJOR = {"motorway", "trunk", "primary", "secondary", "motorway_link", "trunk_link"}
MAJOR |= {"primary_link", "secondary_link"}
MINOR = {"tertiary", "tertiary_link", "residential", "unclassified", "living_street", "service"}
FOOT = {"pedestrian", "footway", "path", "steps", "cycleway", "track", "bridleway", "corridor"}
# Where people walk: every street but motorways and trunk roads (no pavement, usually).
NOT_WALKABLE = {"motorway", "motorway_link", "trunk", "trunk_link", "construction", "proposed"}
REFUSED_ACCESS = {"no", "private"}
WATER_LINES = {"river", "canal", "stream"}
PARKS = {("leisure", "park"), ("leisure", "garden"), ("leisure", "playground")}
PARKS |= {("landuse", "grass"), ("landuse", "forest"), ("landuse", "meadow")}
PARKS |= {("landuse", "recreation_ground"), ("natural", "wood"), ("leisure", "pitch")}
PARKS |= {("landuse", "cemetery")}
DIGITS = 6  # ~0.1 m: finer than any map draws


@dataclass
class Region:
    """The part of the extract one territory keeps: a box around its places."""

    territory_id: int
    box: BoundingBox

    def holds(self, latitude: float, longitude: float) -> bool:
        """Whether the position falls in the box."""
        b = self.box
        return b.south <= latitude <= b.north and b.west <= longitude <= b.east


@dataclass
class Extract:
    """What one territory keeps of an extract, as the maps and the router read it.

    `lines`: [kind, name, flat [lat, lon, ...]] (kind: major, minor, foot, water);
    `areas`: [kind, name, [ring as flat [lat, lon, ...], ...]] (kind: water, park, square,
    building; the first ring is the outline, the others holes);
    `nodes`: flat [lat, lon, ...] of the walkable graph, `edges`: [from, to, metres] between
    node numbers (both ways).
    """

    lines: list[list[object]] = field(default_factory=list)
    areas: list[list[object]] = field(default_factory=list)
    nodes: list[float] = field(default_factory=list)
    edges: list[list[float]] = field(default_factory=list)
    _numbers: dict[int, int] = field(default_factory=dict)

    def node(self, osm_id: int, latitude: float, longitude: float) -> int:
        """The graph's number for an OSM node, added on first sight."""
        number = self._numbers.get(osm_id)
        if number is None:
            number = self._numbers[osm_id] = len(self.nodes) // 2
            self.nodes += [round(latitude, DIGITS), round(longitude, DIGITS)]
        return number

    def as_data(self) -> dict[str, object]:
        """The extract as JSON-ready data."""
        return {
            "version": 1,
            "lines": self.lines,
            "areas": self.areas,
            "nodes": self.nodes,
            "edges": self.edges,
        }


def _flat(points: Sequence[tuple[float, float]]) -> list[float]:
    return [round(value, DIGITS) for point in points for value in point]


def _line_kind(tags: osmium.osm.TagList) -> str | None:
    highway = tags.get("highway")
    if highway in MAJOR:
        return "major"
    if highway in MINOR:
        return "minor"
    if highway in FOOT:
        return "foot"
    if tags.get("waterway") in WATER_LINES:
        return "water"
    return None


def _walkable(tags: osmium.osm.TagList) -> bool:
    highway = tags.get("highway")
    if highway is None or highway in NOT_WALKABLE or tags.get("area") == "yes":
        return False
    if tags.get("foot") in ("yes", "designated", "permissive"):
        return True
    return tags.get("foot") not in REFUSED_ACCESS and tags.get("access") not in REFUSED_ACCESS


def _area_kind(tags: osmium.osm.TagList, buildings: bool) -> str | None:
    if tags.get("natural") == "water" or tags.get("waterway") == "riverbank":
        return "water"
    if tags.get("landuse") in ("reservoir", "basin"):
        return "water"
    if any((key, tags.get(key)) in PARKS for key in ("leisure", "landuse", "natural")):
        return "park"
    if tags.get("place") == "square" or (
        tags.get("highway") == "pedestrian" and tags.get("area") == "yes"
    ):
        return "square"
    if buildings and tags.get("building") not in (None, "no"):
        return "building"
    return None


def read_extract(
    path: Path, regions: Sequence[Region], buildings: bool = False
) -> dict[int, Extract]:
    """What each territory's region keeps of the extract at `path` (.osm, .osm.pbf, .osm.bz2).

    Raises ImportProblem when osmium cannot read the file.
    """
    found = {region.territory_id: Extract() for region in regions}
    try:
        processor = osmium.FileProcessor(str(path)).with_locations().with_areas()
        for thing in processor:
            if isinstance(thing, osmium.osm.Way):
                _way(thing, regions, found)
            elif isinstance(thing, osmium.osm.Area):
                _area(thing, regions, found, buildings)
    except (RuntimeError, ValueError, OSError) as error:
        reason = str(error).strip() or type(error).__name__
        raise ImportProblem(
            path.name,
            None,
            None,
            f"osmium could not read it ({reason}); give an OpenStreetMap extract (.osm or "
            ".osm.pbf), e.g. a regional one from download.geofabrik.de",
        ) from None
    return found


def _located(way: osmium.osm.Way) -> list[tuple[int, float, float]]:
    return [(n.ref, n.location.lat, n.location.lon) for n in way.nodes if n.location.valid()]


def _way(way: osmium.osm.Way, regions: Sequence[Region], found: dict[int, Extract]) -> None:
    tags = way.tags
    kind = _line_kind(tags)
    if kind is None or tags.get("area") == "yes":
        return
    points = _located(way)
    if len(points) < 2:
        return
    walkable = _walkable(tags)
    name = tags.get("name", "")
    for region in regions:
        if not any(region.holds(lat, lon) for _, lat, lon in points):
            continue
        extract = found[region.territory_id]
        extract.lines.append([kind, name, _flat([(lat, lon) for _, lat, lon in points])])
        if walkable:
            numbers = [extract.node(ref, lat, lon) for ref, lat, lon in points]
            for i in range(len(points) - 1):
                (_, lat1, lon1), (_, lat2, lon2) = points[i], points[i + 1]
                a, b = numbers[i], numbers[i + 1]
                if a != b:
                    extract.edges.append([a, b, round(distance_m(lat1, lon1, lat2, lon2), 1)])


def _area(
    area: osmium.osm.Area, regions: Sequence[Region], found: dict[int, Extract], buildings: bool
) -> None:
    kind = _area_kind(area.tags, buildings)
    if kind is None:
        return
    name = area.tags.get("name", "")
    for outer in area.outer_rings():
        rings = [[(p.lat, p.lon) for p in outer if p.location.valid()]]
        rings += [[(p.lat, p.lon) for p in inner] for inner in area.inner_rings(outer)]
        if len(rings[0]) < 3:
            continue
        for region in regions:
            if any(region.holds(lat, lon) for lat, lon in rings[0]):
                found[region.territory_id].areas.append([kind, name, [_flat(r) for r in rings]])


def region_around(
    territory_id: int, points: Sequence[tuple[float, float]], margin_m: float
) -> Region:
    """The box around these positions, widened by `margin_m` on every side."""
    south, north = min(p[0] for p in points), max(p[0] for p in points)
    west, east = min(p[1] for p in points), max(p[1] for p in points)
    dlat = margin_m / METRES_PER_DEGREE
    dlon = margin_m / (METRES_PER_DEGREE * max(math.cos(math.radians((south + north) / 2)), 1e-6))
    return Region(territory_id, BoundingBox(south - dlat, north + dlat, west - dlon, east + dlon))
