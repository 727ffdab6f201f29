"""Street maps drawn from an imported extract: markers where their coordinates say, the
streets, water and parks drawn, names written, the cache of drawings bounded."""

from __future__ import annotations

import io
import itertools
import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from PIL import Image

from server.importers.osm import read_extract, region_around
from server.maps import circles, drawn, picker
from server.maps.projection import framing
from server.maps.streets import Marker, draw
from server.services.street_maps import MapData
from tests.server.maps.osm_files import LAT, LON, grid
from tests.server.maps.pictures import SVG, read


def _map(tmp_path: Path) -> MapData:
    path = grid().write(tmp_path / "grid.osm")
    data = read_extract(path, [region_around(1, [(LAT, LON)], 1000)])[1].as_data()
    return MapData(1, "1", data["lines"], data["areas"], data["nodes"], data["edges"])


def _street_segments(picture) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """Every straight piece of the white streets as drawn."""
    segments = []
    for path in picture.root.iter(f"{SVG}path"):
        if path.get("stroke") != "#fff":
            continue
        for run in path.get("d").split("M")[1:]:
            numbers = [float(n) for n in re.findall(r"-?[\d.]+", run)]
            points = list(zip(numbers[0::2], numbers[1::2], strict=True))
            segments += list(itertools.pairwise(points))
    return segments


def _distance(point, segment) -> float:
    (x, y), ((x1, y1), (x2, y2)) = point, segment
    length = math.hypot(x2 - x1, y2 - y1)
    t = max(0.0, min(1.0, ((x - x1) * (x2 - x1) + (y - y1) * (y2 - y1)) / length**2))
    return math.hypot(x - (x1 + t * (x2 - x1)), y - (y1 + t * (y2 - y1)))


def test_markers_at_street_corners_sit_on_the_corners_drawn(tmp_path):
    data = _map(tmp_path)
    # Three crossings of the grid: 100 m north and east, 100 m south, 200 m east.
    corners = [(100, 100), (-100, 0), (0, 200)]
    positions = [(LAT + n / 111_195.0, LON + e / (111_195.0 * 0.6334)) for n, e in corners]
    frame = framing([*positions, (LAT, LON)], 400, 300)
    markers = [Marker(i, lat, lon) for i, (lat, lon) in enumerate(positions, start=1)]
    picture = read(draw(frame, data, markers, here=(LAT, LON)))
    segments = _street_segments(picture)
    assert sorted(picture.markers) == [1, 2, 3]
    for number, spot in picture.markers.items():
        # On two streets at once, one across the other: at their crossing, within one unit.
        near = [s for s in segments if _distance(spot, s) < 1.0]
        across = {abs(s[1][0] - s[0][0]) > abs(s[1][1] - s[0][1]) for s in near}
        assert across == {True, False}, f"marker {number} is not on its corner"
    # And relative to the visitor's square, as far as the scale bar says.
    hx, hy = picture.here
    for number, (north, east) in enumerate(corners, start=1):
        x, y = picture.markers[number]
        assert abs((x - hx) * picture.metres_per_unit - east) < 1.0 * picture.metres_per_unit
        assert abs((hy - y) * picture.metres_per_unit - north) < 1.0 * picture.metres_per_unit


def test_the_map_shows_streets_water_park_and_names(tmp_path):
    data = _map(tmp_path)
    frame = framing([(LAT, LON)], 400, 300)
    picture = read(draw(frame, data, [Marker(1, LAT, LON)]))
    fills = {path.get("fill") for path in picture.root.iter(f"{SVG}path")}
    assert {"#c8e6b4", "#a8d3e6"} <= fills  # the park and the pond
    names = set(picture.texts)
    assert {"Rue 1", "Rue 3", "Avenue 1", "Avenue 3"} <= names  # not across the marker
    assert "© OpenStreetMap" in names


def test_without_a_map_the_markers_are_drawn_on_a_plain_ground():
    frame = framing([(LAT, LON)], 400, 300)
    picture = read(draw(frame, None, [Marker(1, LAT, LON)]))
    assert picture.markers[1] == (200.0, 150.0)
    assert not list(picture.root.iter(f"{SVG}path"))[:-1]  # only the scale bar


def test_the_cache_of_drawings_keeps_at_most_its_limit(tmp_path):
    cache = drawn.PictureCache(tmp_path / "maps", limit=20)
    for n in range(120):
        cache.store(f"token-{n}", b"<svg/>")
    cache.prune()
    kept = list((tmp_path / "maps").glob("*.svg"))
    assert len(kept) <= 20
    assert cache.load("token-119") == b"<svg/>"  # the newest stay
    assert cache.load("token-0") is None


def test_the_analytics_map_labels_its_circles_over_the_streets(tmp_path):
    data = _map(tmp_path)
    spots = [
        circles.Spot("La Piscine", LAT, LON, 120),
        circles.Spot("Grand-Place", LAT + 0.0015, LON + 0.003, 30),
    ]
    picture = ET.fromstring(str(circles.place_map("Taps", spots, data)))
    texts = {"".join(t.itertext()) for t in picture.iter(f"{SVG}text")}
    assert {"La Piscine", "Grand-Place"} <= texts
    assert any(p.get("stroke") == "#fff" for p in picture.iter(f"{SVG}path"))  # streets
    assert len(list(picture.iter(f"{SVG}circle"))) == 2


def test_the_portal_picker_draws_the_same_streets_under_its_dots(tmp_path):
    data = _map(tmp_path)

    def colours(base):
        png = picker.render((LAT, LON), [], [], pin=False, base=base)
        return {colour for _, colour in Image.open(io.BytesIO(png)).convert("RGB").getcolors(99999)}

    assert (255, 255, 255) in colours(data)  # the streets
    assert (200, 230, 180) in colours(data)  # the park (#c8e6b4)
    assert (255, 255, 255) not in colours(None)
