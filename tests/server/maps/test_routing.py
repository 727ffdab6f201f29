"""Walks routed over the imported streets: the shortest way, its length along the streets."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from server.importers.osm import read_extract, region_around
from server.services import street_maps, walking
from server.services.geo import distance_m
from server.services.street_maps import MapData
from server.visitor import route
from tests.server.maps.osm_files import LAT, LON, Extract, grid


def _data(extract: Extract, tmp_path: Path) -> MapData:
    path = extract.write(tmp_path / "x.osm")
    data = read_extract(path, [region_around(1, [(LAT, LON)], 1000)])[1].as_data()
    return MapData(1, str(tmp_path), data["lines"], data["areas"], data["nodes"], data["edges"])


def _at(extract: Extract, ident: int) -> tuple[float, float]:
    return extract.nodes[ident]


def test_the_shortest_of_three_ways_is_taken(tmp_path):
    # From A to B: a street round the block (400 m), a footway across (2 x 141 m = 283 m) and a
    # private passage straight through (200 m) that nobody may walk.
    x = Extract()
    a, b = x.node(1, 0, 0), x.node(2, 0, 200)
    n1, n2 = x.node(3, 100, 0), x.node(4, 100, 200)
    mid = x.node(5, 100, 100)
    x.way([a, n1, n2, b], highway="residential", name="Rue du Tour")
    x.way([a, mid, b], highway="footway", name="Sentier")
    x.way([a, b], highway="service", access="private")
    way = walking.graph(_data(x, tmp_path)).way(_at(x, a), _at(x, b))
    assert way.on_streets
    assert any(distance_m(*_at(x, mid), *point) < 0.5 for point in way.points)
    assert way.metres == pytest.approx(2 * 141.4, abs=1.0)


def test_a_walk_across_the_grid_is_longer_than_the_straight_line(tmp_path):
    x = grid()  # 5 x 5 crossings, 100 m apart, centred on La Piscine
    data = _data(x, tmp_path)

    class Stop:
        def __init__(self, name, position):
            self.name, (self.latitude, self.longitude) = name, position

    stops = [Stop("Coin sud-ouest", _at(x, 1)), Stop("Coin nord-est", _at(x, 25))]
    legs = route.legs(stops, data)
    straight = distance_m(*_at(x, 1), *_at(x, 25))
    assert straight == pytest.approx(565.7, abs=1.0)
    assert legs[1].from_start_m == pytest.approx(800, abs=2.0)  # 4 blocks east, 4 north
    assert legs[1].on_streets and len(legs[1].way) >= 9


def test_without_a_map_or_a_way_the_walk_is_a_straight_line(tmp_path):
    x = Extract()
    x.way([x.node(1, 0, 0), x.node(2, 0, 50)], highway="footway")
    x.way([x.node(3, 0, 150), x.node(4, 0, 200)], highway="footway")  # not joined to the first
    data = _data(x, tmp_path)
    start, end = _at(x, 1), _at(x, 4)
    for found in (walking.legs(None, [start, end])[0], walking.legs(data, [start, end])[0]):
        assert not found.on_streets
        assert found.metres == pytest.approx(200, abs=1.0)


def test_the_graphs_kept_in_memory_are_as_many_as_the_maps(tmp_path):
    """A process that routes over many territories keeps as many graphs as street_maps keeps
    maps, the ones used last; a new import (a new version) builds the graph again."""
    data = _data(grid(), tmp_path)
    built = [
        walking.graph(MapData(1000 + n, "v1", data.lines, data.areas, data.nodes, data.edges))
        for n in range(street_maps.KEPT + 3)
    ]
    assert len(walking._graphs) <= street_maps.KEPT
    last = MapData(1000 + street_maps.KEPT + 2, "v1", data.lines, data.areas, data.nodes, [])
    assert walking.graph(last) is built[-1]
    assert walking.graph(replace(last, version="v2")) is not built[-1]
