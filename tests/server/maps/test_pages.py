"""The visitor pages with a street map imported: the place page's numbered markers match its
list, the walk page's distances are along the streets, and the pictures are ours and kept."""

from __future__ import annotations

import itertools
import math
import re

import pytest
from bs4 import BeautifulSoup

from server.db import database
from server.importers.streetmap import import_osm
from server.models import Walk, WalkStop
from server.services import street_maps
from server.services.geo import METRES_PER_DEGREE, distance_m
from tests.server import factories
from tests.server.maps.osm_files import LAT, LON, grid
from tests.server.maps.pictures import read

NORTH = 1 / METRES_PER_DEGREE


def _with_map(app, tmp_path) -> int:
    """La Piscine, at the centre of the grid, and its territory's map; the territory's id."""
    territory_id = factories.territory(app)
    factories.place(app, territory_id=territory_id)
    with database(app).transaction() as session:
        import_osm(session, grid().write(tmp_path / "grid.osm"))
    return territory_id


def test_the_place_page_map_numbers_its_markers_as_the_list_and_where_they_are(
    app, client, tmp_path
):
    territory_id = _with_map(app, tmp_path)
    east = 1 / (METRES_PER_DEGREE * 0.6334)
    for slug, north, eastward in (("au-coin", 100, 100), ("plus-loin", -100, 200)):
        factories.shop(app, slug, territory_id, LAT + north * NORTH, LON + eastward * east)
    page = BeautifulSoup(
        client.get("/p/la-piscine", headers={"Accept-Language": "en"}).text, "html.parser"
    )
    image = page.select_one("img.map")
    assert image["src"].startswith("/map/") and image["width"] and image["height"]
    assert "numbers are those of the list" in image["alt"]
    assert page.select_one("ol.items.numbered")
    listed = []
    for link in page.select("ol.items > li a[href^='geo:']"):
        lat, lon = (float(v) for v in link["href"][4:].split(","))
        listed.append((lat, lon))
    picture_response = client.get(image["src"])
    assert picture_response.mimetype == "image/svg+xml"
    picture = read(picture_response.data)
    assert sorted(picture.markers) == list(range(1, len(listed) + 1))
    hx, hy = picture.here
    unit = picture.metres_per_unit
    for number, (lat, lon) in enumerate(listed, start=1):
        x, y = picture.markers[number]
        east_m = distance_m(LAT, LON, LAT, lon) * (1 if lon >= LON else -1)
        north_m = distance_m(LAT, LON, lat, LON) * (1 if lat >= LAT else -1)
        assert abs((x - hx) * unit - east_m) < unit, number  # within one unit of the picture
        assert abs((hy - y) * unit - north_m) < unit, number
    # Drawn once, then served as kept; a URL we did not sign is not drawn.
    assert client.get(image["src"]).data == picture_response.data
    forged = re.sub(r"\.[^.]+\.svg$", ".AAAAAAAAAAAAAAAA.svg", image["src"])
    assert client.get(forged).status_code == 404


def test_a_territory_without_a_map_shows_no_map(app, client):
    factories.place(app)
    page = BeautifulSoup(client.get("/p/la-piscine").text, "html.parser")
    assert page.select_one("img.map") is None


def test_the_walk_page_counts_its_distances_along_the_streets(app, client, tmp_path):
    x = grid()
    territory_id = _with_map(app, tmp_path)
    with database(app).transaction() as session:
        walk = Walk(
            slug="en-diagonale",
            territory_id=territory_id,
            name="En diagonale",
            start_latitude=x.nodes[1][0],
            start_longitude=x.nodes[1][1],
        )
        walk.stops = [
            WalkStop(
                position=1, name="Coin sud-ouest", latitude=x.nodes[1][0], longitude=x.nodes[1][1]
            ),
            WalkStop(
                position=2, name="Coin nord-est", latitude=x.nodes[25][0], longitude=x.nodes[25][1]
            ),
        ]
        session.add(walk)
    english = {"Accept-Language": "en"}
    page = BeautifulSoup(client.get("/walk/en-diagonale", headers=english).text, "html.parser")
    text = page.get_text(" ", strip=True).replace("\u202f", " ").replace("\xa0", " ")
    # 566 m as the crow flies; 800 m along the streets of the grid: the total and the stop agree.
    assert "2 stops · 800 m, 11 mins on foot" in text  # not 566 m, 8 mins
    assert "800 m from the previous stop; 800 m from the start" in text
    assert "Distances are along the streets and footways." in text
    assert page.select_one("svg.sketch") is None
    picture = read(client.get(page.select_one("img.map")["src"]).data)
    assert sorted(picture.markers) == [1, 2]
    routes = [p for p in picture.root.iter() if p.get("stroke") == "#0b57d0"]
    assert routes, "the route is drawn"


def test_a_map_drawn_while_the_database_is_away_is_not_kept(app, client, tmp_path, database_kind):
    """Without its streets (a worker that had not read the map yet), the picture is sent for a
    minute only and not kept, so the streets come back under the same URL with the database."""
    if database_kind != "sqlite":
        pytest.skip("the database is taken away by moving its file")
    territory_id = _with_map(app, tmp_path)
    factories.shop(app, "au-coin", territory_id, LAT + 100 * NORTH, LON)
    page = BeautifulSoup(client.get("/p/la-piscine").text, "html.parser")
    src = page.select_one("img.map")["src"]
    street_maps._kept.clear()  # this worker has not read the map
    database(app).dispose()
    (tmp_path / "taptrail.db").rename(tmp_path / "away.db")
    plain = client.get(src)
    assert plain.status_code == 200
    assert "immutable" not in plain.headers["Cache-Control"]
    assert "OpenStreetMap" not in plain.text  # the markers on a plain ground
    database(app).dispose()
    (tmp_path / "away.db").replace(tmp_path / "taptrail.db")
    back = client.get(src)
    assert "OpenStreetMap" in back.text and "immutable" in back.headers["Cache-Control"]


def _route(picture) -> list[tuple[float, float]]:
    """The points of the route drawn (the map's one path in the route's colour)."""
    (path,) = [p for p in picture.root.iter() if p.get("stroke") == "#0b57d0"]
    numbers = [float(v) for v in re.findall(r"-?[\d.]+", path.get("d"))]
    return list(zip(numbers[0::2], numbers[1::2], strict=True))


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_shop_page_draws_and_counts_the_way_on_foot_from_the_place_tapped(
    app, client, tmp_path, lang
):
    x = grid()
    territory_id = _with_map(app, tmp_path)  # La Piscine at the grid's centre, node 13
    corner = x.nodes[25]  # two streets north and two east: 283 m as the crow flies
    factories.shop(app, "au-coin", territory_id, *corner, name="Au Coin")
    straight = distance_m(LAT, LON, *corner)
    page = BeautifulSoup(
        client.get("/shop/au-coin?from=la-piscine", headers={"Accept-Language": lang}).text,
        "html.parser",
    )
    said = page.get_text(" ", strip=True).replace("\u202f", " ").replace("\xa0", " ")
    # Along the grid's streets: 400 m, in the heading line and in "Getting there" alike.
    if lang == "en":
        assert "400 m, 6 mins on foot" in said and "283 m" not in said
        assert "400 m from La Piscine, 6 mins on foot." in said
        assert "Distances are along the streets and footways." in said
    else:
        assert "400 m, 6 min à pied" in said and "283 m" not in said
    assert straight + 100 < 400
    picture = read(client.get(page.select_one("img.map")["src"]).data)
    route = _route(picture)
    # From the visitor's square to the shop's marker, over the streets: every stretch runs
    # along a street of the grid (north-south or east-west), none cuts across the blocks.
    hx, hy = picture.here
    shop = (hx + 200 / picture.metres_per_unit, hy - 200 / picture.metres_per_unit)
    assert math.dist(route[0], picture.here) < 1 and math.dist(route[-1], shop) < 1
    for (ax, ay), (bx, by) in itertools.pairwise(route):
        assert abs(ax - bx) < 0.2 or abs(ay - by) < 0.2, ((ax, ay), (bx, by))
    drawn_m = sum(math.dist(a, b) for a, b in itertools.pairwise(route)) * picture.metres_per_unit
    assert abs(drawn_m - 400) < 400 * 0.03, drawn_m  # the map's route is the text's 400 m
    assert drawn_m > straight * 1.3


def test_without_a_place_to_come_from_a_shop_page_draws_no_route(app, client, tmp_path):
    territory_id = _with_map(app, tmp_path)
    factories.shop(app, "au-coin", territory_id, *grid().nodes[25], name="Au Coin")
    page = BeautifulSoup(client.get("/shop/au-coin").text, "html.parser")
    picture = read(client.get(page.select_one("img.map")["src"]).data)
    assert not [p for p in picture.root.iter() if p.get("stroke") == "#0b57d0"]
