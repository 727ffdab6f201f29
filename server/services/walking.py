"""Walking routes over a territory's imported street graph: the shortest way on foot between two
positions, its length and its shape.

The graph is built once per imported map (networkx, edges weighted by their length in metres).
A position joins the graph at its nearest graph point; the bits from the position to that point
and from the last point to the destination are counted in a straight line. Without a map, or
when no way joins the two, the way is the straight line, and says so.
"""

from __future__ import annotations

import itertools
import math
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import networkx as nx

from server.services import street_maps
from server.services.geo import METRES_PER_DEGREE, distance_m
from server.services.street_maps import MapData

CELL_DEG = 0.002  # the nearest-point index's cell, ~220 m by ~140 m here
FARTHEST_JOIN_M = 400.0  # a position further than this from every footway is not on the map


@dataclass(frozen=True)
class Way:
    """A way on foot between two positions."""

    metres: float
    points: tuple[tuple[float, float], ...]  # from start to end, along the streets
    on_streets: bool  # False: a straight line (no map, or no way joins them)


class Graph:
    """A territory's walking graph, with an index to find the graph point nearest a position."""

    def __init__(self, data: MapData) -> None:
        nodes = data.nodes
        self.positions = [(nodes[i], nodes[i + 1]) for i in range(0, len(nodes) - 1, 2)]
        self.graph: nx.Graph = nx.Graph()
        for a, b, metres in data.edges:
            a, b = int(a), int(b)
            # Two ways may join the same points: the shorter link counts.
            if not self.graph.has_edge(a, b) or self.graph[a][b]["m"] > metres:
                self.graph.add_edge(a, b, m=float(metres))
        self.cells: dict[tuple[int, int], list[int]] = {}
        for number in self.graph.nodes:
            lat, lon = self.positions[number]
            self.cells.setdefault(self._cell(lat, lon), []).append(number)

    @staticmethod
    def _cell(latitude: float, longitude: float) -> tuple[int, int]:
        return math.floor(latitude / CELL_DEG), math.floor(longitude / CELL_DEG)

    def nearest(self, latitude: float, longitude: float) -> int | None:
        """The graph point nearest a position, if one is within FARTHEST_JOIN_M."""
        row, col = self._cell(latitude, longitude)
        # The narrower side of a cell: every point within `ring` of them has been seen.
        cell_m = CELL_DEG * METRES_PER_DEGREE * math.cos(math.radians(latitude))
        reach = math.ceil(FARTHEST_JOIN_M / cell_m) + 1
        best, best_m = None, FARTHEST_JOIN_M
        for ring in range(reach + 1):
            for r in range(row - ring, row + ring + 1):
                for c in range(col - ring, col + ring + 1):
                    if max(abs(r - row), abs(c - col)) != ring:
                        continue
                    for number in self.cells.get((r, c), ()):
                        lat, lon = self.positions[number]
                        metres = distance_m(latitude, longitude, lat, lon)
                        if metres < best_m:
                            best, best_m = number, metres
            if best is not None and ring * cell_m > best_m:
                break
        return best

    def way(self, start: tuple[float, float], end: tuple[float, float]) -> Way:
        """The shortest way on foot from `start` to `end`."""
        straight = Way(distance_m(*start, *end), (start, end), False)
        first, last = self.nearest(*start), self.nearest(*end)
        if first is None or last is None:
            return straight
        try:
            numbers = nx.shortest_path(self.graph, first, last, weight="m")
        except nx.NetworkXNoPath:
            return straight
        along = [self.positions[n] for n in numbers]
        points = [start, *along, end]
        metres = sum(distance_m(*a, *b) for a, b in itertools.pairwise(points))
        return Way(metres, tuple(points), True)


# The graphs of the maps read lately, as many as street_maps keeps: a graph weighs more than
# its map, so it must not outlive it, one per territory ever routed over.
_graphs: OrderedDict[int, Graph] = OrderedDict()
_versions: dict[int, str] = {}
_lock = threading.Lock()


def graph(data: MapData) -> Graph:
    """The walking graph of a map, built once per map version."""
    with _lock:
        found = _graphs.get(data.territory_id)
        if found is not None and _versions.get(data.territory_id) == data.version:
            _graphs.move_to_end(data.territory_id)
            return found
    found = Graph(data)
    with _lock:
        _graphs[data.territory_id] = found
        _versions[data.territory_id] = data.version
        _graphs.move_to_end(data.territory_id)
        while len(_graphs) > street_maps.KEPT:
            gone, _ = _graphs.popitem(last=False)
            _versions.pop(gone, None)
    return found


def way_on_foot(data: MapData | None, start: tuple[float, float], end: tuple[float, float]) -> Way:
    """The way on foot from `start` to `end` (a straight line without a map)."""
    return legs(data, [start, end])[0]


def legs(data: MapData | None, stops: Sequence[tuple[float, float]]) -> list[Way]:
    """The way from each stop to the next (straight lines without a map)."""
    pairs = list(itertools.pairwise(stops))
    if data is None:
        return [Way(distance_m(*a, *b), (a, b), False) for a, b in pairs]
    walking = graph(data)
    return [walking.way(a, b) for a, b in pairs]
