"""The pages the place page links to: a shop, a sight, a walk, an event."""

from __future__ import annotations

import datetime as dt
import itertools
import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import delete, select

from server.db import database
from server.models import Event, Place, Shop, StreetMap, Territory, Walk
from server.services import street_maps, walking
from server.services.geo import distance_m, walking_minutes
from tests.support.demo import PARIS
from tests.support.html import json_ld, page, text


def _get(client, path, lang="en"):
    return client.get(path, headers={"Accept-Language": lang})


def test_every_link_of_the_place_page_leads_to_a_page(visitor):
    soup = page(_get(visitor, "/p/la-piscine"))
    links = [a["href"] for a in soup.select("ol.items h3 a")]
    # Each in the page's language: /en/shop/..., /en/offer/...
    assert {link.split("/")[1] for link in links} == {"en"}
    assert {link.split("/")[2] for link in links} >= {"shop", "offer", "poi", "walk", "event"}
    for link in links:
        response = _get(visitor, link)
        assert response.status_code == 200, link
        back = page(response).select_one("footer a")
        assert back["href"] == "/en/p/la-piscine", link


def test_a_shop_page_gives_its_week_its_offers_and_the_way_there(demo_app, visitor):
    soup = page(_get(visitor, "/shop/comptoir-de-la-piscine?from=la-piscine"))
    week = soup.select("dl.week dt")
    assert len(week) == 7 and week[0].get("class") == ["today"]
    assert text(week[0]) == "Saturday"  # the demo is looked at on a Saturday
    assert "Closed" in text(soup.select("dl.week dd")[2])  # "Tu-Su": closed on Monday
    assert [a["href"] for a in soup.select("main ul a")] == [
        "/en/offer/comptoir-cafe-offert?from=la-piscine"
    ]
    with database(demo_app).sessions() as session:
        shop = session.scalars(select(Shop).where(Shop.slug == "comptoir-de-la-piscine")).one()
        here = session.scalars(select(Place).where(Place.slug == "la-piscine")).one()
        streets = street_maps.load(session, shop.territory_id)
    # On foot along the demo's streets (its map is imported): not the straight line.
    way = walking.way_on_foot(
        streets, (here.latitude, here.longitude), (shop.latitude, shop.longitude)
    )
    assert way.on_streets
    assert way.metres >= distance_m(here.latitude, here.longitude, shop.latitude, shop.longitude)
    metres = way.metres
    minutes = walking_minutes(metres)
    assert f"{round(metres, -1):.0f} m from La Piscine" in text(soup.find("main"))
    assert f"{minutes} min" in text(soup.find("main"))
    assert (
        soup.select_one("a[href^='geo:']")["href"]
        == f"geo:{shop.latitude:.5f},{shop.longitude:.5f}"
    )
    described = json_ld(soup)
    assert described["@type"] == "CafeOrCoffeeShop"  # a LocalBusiness
    assert described["openingHours"] == ["Tu-Su 09:00-18:30"]


def test_a_shop_of_a_kind_schema_org_has_no_name_for_is_a_local_business(visitor):
    described = json_ld(page(_get(visitor, "/shop/ferme-du-pave")))
    assert described["@type"] == "LocalBusiness" and described["name"] == "Ferme du Pavé"


def test_a_sight_without_a_place_to_come_from_still_shows_the_way(visitor):
    soup = page(_get(visitor, "/poi/parc-barbieux"))
    assert text(soup.find("h1")) == "Parc Barbieux" and "Park" in text(soup.select_one(".meta"))
    osm = soup.select_one("a[href*='openstreetmap']")["href"]
    assert "mlat=50.68100&mlon=3.16200" in osm
    assert json_ld(soup)["@type"] == "TouristAttraction"


def test_an_unknown_place_to_come_from_is_dropped(visitor):
    response = _get(visitor, "/poi/parc-barbieux?from=nowhere")
    assert response.status_code == 303 and response.headers["Location"] == "/en/poi/parc-barbieux"


def test_a_walk_lists_its_stops_in_order_with_distances_and_a_sketch(demo_app, visitor):
    with database(demo_app).transaction() as session:  # no street map: straight lines
        session.execute(delete(StreetMap))
    soup = page(_get(visitor, "/walk/roubaix-piscine-grand-place?from=la-piscine"))
    with database(demo_app).sessions() as session:
        walk = session.scalars(select(Walk).where(Walk.slug == "roubaix-piscine-grand-place")).one()
        stops = [(s.name, s.latitude, s.longitude) for s in walk.stops]
    shown = [text(h3) for h3 in soup.select("ol.stops h3")]
    assert shown == [f"{n}. {name}" for n, (name, _, _) in enumerate(stops, start=1)]
    legs = [distance_m(*a[1:], *b[1:]) for a, b in itertools.pairwise(stops)]
    for leg, item in zip(legs, soup.select("ol.stops li")[1:], strict=True):
        assert text(item.select_one(".meta")).startswith(f"{round(leg, -1):.0f} m from")
    total = sum(legs)
    assert f"{round(total, -1):.0f} m, {walking_minutes(total)} min" in text(
        soup.select_one(".meta")
    )
    sketch = ET.fromstring(str(soup.find("svg")))
    assert sketch.get("role") == "img" and sketch.find("title").text.endswith(walk.name)
    numbers = [t.text for t in sketch.iter("text") if t.text and t.text.isdigit()]
    assert numbers == [str(n) for n in range(1, len(stops) + 1)]
    trip = json_ld(soup)
    assert trip["@type"] == "TouristTrip"
    assert [e["item"]["name"] for e in trip["itinerary"]["itemListElement"]] == [
        s[0] for s in stops
    ]


def test_with_the_demo_map_a_walk_is_measured_along_its_streets(demo_app, visitor):
    soup = page(_get(visitor, "/walk/roubaix-piscine-grand-place"))
    with database(demo_app).sessions() as session:
        walk = session.scalars(select(Walk).where(Walk.slug == "roubaix-piscine-grand-place")).one()
        stops = [(s.latitude, s.longitude) for s in walk.stops]
    straight = [distance_m(*a, *b) for a, b in itertools.pairwise(stops)]
    shown = []
    for item in soup.select("ol.stops li")[1:]:
        said = text(item.select_one(".meta")).replace("\u202f", " ").replace("\xa0", " ")
        shown.append(float(said.split(" m from")[0]))
    assert all(s >= round(d, -1) for s, d in zip(shown, straight, strict=True))
    assert sum(shown) > sum(straight) + 50  # the streets go round the blocks
    assert "Distances are along the streets and footways." in text(soup.find("main"))
    assert soup.select_one("img.map") and not soup.select("svg.sketch")


def test_an_event_says_when_and_whether_it_is_on(demo_app, visitor):
    now = demo_app.config["FIXED_NOW"]
    with database(demo_app).sessions() as session:
        running = session.scalars(
            select(Event).where(Event.starts_at <= now, Event.ends_at >= now)
        ).first()
    assert running is not None, "the demo has a guided tour on Saturday afternoons"
    soup = page(_get(visitor, f"/event/{running.id}"))
    local_end = running.ends_at.astimezone(PARIS).strftime("%H:%M")
    assert text(soup.select_one("p.open")) == f"On now, ends at {local_end}"
    assert json_ld(soup)["@type"] == "Event"
    assert json_ld(soup)["startDate"] == running.starts_at.isoformat()


def test_an_event_that_is_over_is_gone(demo_app, visitor):
    with database(demo_app).sessions() as session:
        first = session.scalars(select(Event).order_by(Event.starts_at)).first()
    demo_app.config["FIXED_NOW"] = (first.ends_at or first.starts_at) + dt.timedelta(days=1)
    response = _get(visitor, f"/event/{first.id}")
    assert response.status_code == 410
    assert "This event is over." in text(page(response).find("main"))


@pytest.mark.parametrize("path", ["/shop/nope", "/poi/nope", "/walk/nope", "/event/0", "/t/nope"])
def test_unknown_things_are_not_found(visitor, path):
    assert _get(visitor, path).status_code == 404


def test_a_territory_lists_its_places_and_walks(visitor):
    soup = page(_get(visitor, "/t/weppes", "nl"))
    assert text(soup.find("h1")) == "Les Weppes"
    places = [a["href"] for a in soup.select("main ul a")]
    assert (
        "/nl/p/musee-bataille-fromelles" in places
        and "/nl/walk/weppes-sur-les-traces-de-1916" in places
    )
    assert "Dorpen en herinneringen" in text(soup.find("main"))  # the Dutch description


def test_the_home_page_lists_the_territories(demo_app, visitor):
    soup = page(_get(visitor, "/", "fr"))
    with database(demo_app).sessions() as session:
        names = session.scalars(select(Territory.name).order_by(Territory.name)).all()
    assert [text(a) for a in soup.select("main li a")] == names
