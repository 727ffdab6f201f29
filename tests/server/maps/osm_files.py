"""Small OpenStreetMap extracts (.osm XML) the map tests write themselves."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import quoteattr

# Around La Piscine, Roubaix: where the demo territory is, so `taptrail demo` places fall in it.
LAT, LON = 50.69229, 3.16782
METRES_LAT = 1 / 111_195.0
METRES_LON = 1 / (111_195.0 * 0.6334)  # cos(50.69°)


@dataclass
class Extract:
    """Nodes and ways, written as OSM XML."""

    nodes: dict[int, tuple[float, float]] = field(default_factory=dict)
    ways: list[tuple[list[int], dict[str, str]]] = field(default_factory=list)

    def node(self, ident: int, north_m: float, east_m: float) -> int:
        """A node `north_m` and `east_m` metres from La Piscine."""
        self.nodes[ident] = (LAT + north_m * METRES_LAT, LON + east_m * METRES_LON)
        return ident

    def way(self, refs: list[int], **tags: str) -> None:
        """A way through these nodes, tagged."""
        self.ways.append((refs, tags))

    def write(self, path: Path) -> Path:
        """The extract as an .osm file."""
        lines = ["<?xml version='1.0' encoding='UTF-8'?>", '<osm version="0.6" generator="tests">']
        for ident, (lat, lon) in sorted(self.nodes.items()):
            lines.append(f'<node id="{ident}" version="1" lat="{lat:.7f}" lon="{lon:.7f}"/>')
        for number, (refs, tags) in enumerate(self.ways, start=1000):
            lines.append(f'<way id="{number}" version="1">')
            lines += [f'<nd ref="{ref}"/>' for ref in refs]
            lines += [f"<tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in tags.items()]
            lines.append("</way>")
        lines.append("</osm>")
        path.write_text("\n".join(lines), encoding="utf-8")
        return path


def grid(step_m: float = 100.0, size: int = 5) -> Extract:
    """A grid of named residential streets `step_m` apart, a park, a pond and a motorway."""
    extract = Extract()
    half = size // 2

    def ident(row: int, col: int) -> int:
        return 1 + row * size + col

    for row in range(size):
        for col in range(size):
            extract.node(ident(row, col), (row - half) * step_m, (col - half) * step_m)
    for row in range(size):
        extract.way([ident(row, c) for c in range(size)], highway="residential", name=f"Rue {row}")
    for col in range(size):
        extract.way(
            [ident(r, col) for r in range(size)], highway="residential", name=f"Avenue {col}"
        )
    park = [
        extract.node(500 + i, n, e)
        for i, (n, e) in enumerate([(10, 10), (10, 90), (90, 90), (90, 10)])
    ]
    extract.way([*park, park[0]], leisure="park", name="Parc Test")
    pond = [
        extract.node(600 + i, n, e)
        for i, (n, e) in enumerate([(-90, -90), (-90, -10), (-10, -10), (-10, -90)])
    ]
    extract.way([*pond, pond[0]], natural="water")
    road = [extract.node(700 + i, -260, e) for i, e in enumerate((-300, 0, 300))]
    extract.way(road, highway="motorway", name="A22")
    house = [
        extract.node(800 + i, n, e)
        for i, (n, e) in enumerate([(110, 110), (110, 130), (130, 130), (130, 110)])
    ]
    extract.way([*house, house[0]], building="yes")
    return extract
