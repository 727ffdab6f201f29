"""The place page a tap lands on: what is near, open now first, in the visitor's language."""

from __future__ import annotations

import re

import pytest
from babel.support import Translations
from sqlalchemy import select

from server import clock
from server.db import database
from server.i18n import TRANSLATIONS
from server.models import Place, Shop
from server.services import hours
from tests.server.factories import place
from tests.support.demo import PARIS, expected_titles, next_local
from tests.support.html import items, json_ld, page, text, titles

LANGUAGES = ["fr", "en", "nl"]
TUESDAY = 1


def gettext(lang: str, message: str) -> str:
    """What the catalogue of `lang` says for `message`."""
    return Translations.load(str(TRANSLATIONS), [lang]).gettext(message)


def now_of(app):
    with app.test_request_context():
        return clock.now()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_place_page_lists_what_is_near_open_now_first(demo_app, visitor, lang):
    response = visitor.get("/p/la-piscine", headers={"Accept-Language": lang})
    soup = page(response)
    assert response.status_code == 200
    assert soup.html["lang"] == lang
    assert text(soup.find("h2")) == gettext(lang, "Near here")
    with database(demo_app).sessions() as session:
        expected = expected_titles(session, "la-piscine", now_of(demo_app), lang)
    assert titles(soup) == expected[: demo_app.config["NEARBY_LIMIT"]]
    states = [next(iter(item.select(".open, .closed")), None) for item in items(soup)]
    classes = [state["class"][0] for state in states if state is not None]
    assert "open" in classes and "closed" in classes
    assert classes.index("closed") > len(classes) - 1 - classes[::-1].index("open")


def test_each_item_says_how_far_it_is_and_how_to_get_there(demo_app, visitor):
    soup = page(visitor.get("/p/la-piscine"))
    with database(demo_app).sessions() as session:
        here = session.scalars(select(Place).where(Place.slug == "la-piscine")).one()
    origin = f"{here.latitude:.5f},{here.longitude:.5f}"
    for item in items(soup):
        meta = text(item.select_one("h3 + p"))  # no class: _style.css styles it by position
        assert re.search(r"\d+ m, \d+ min à pied|\d+,\d km, \d+ min à pied|Sur place", meta), meta
        links = [a["href"] for a in item.select("p:last-child a")]
        assert links[0].startswith("geo:")
        # OpenStreetMap's walking directions, behind our short address (the page's budget).
        assert links[1] == f"/osm/{origin}/{links[0].removeprefix('geo:')}"
        away = visitor.get(links[1])
        assert away.status_code == 302
        assert away.headers["Location"].startswith("https://www.openstreetmap.org/directions?")
        assert f"route={origin}%3B{links[0].removeprefix('geo:')}" in away.headers["Location"]


@pytest.mark.parametrize(
    "wrong",
    [
        *("/osm/50.1,3.1/91,3.1", "/osm/50.1,3.1/evil.example", "/osm/x/50.1,3.1"),
        *("/osm/5,3/nan,1", "/osm/5,3/1e400,1", "/osm/5,3/5%002,1"),
        *("/osm/\u0665\u0660.1,3.1/50.1,3.1", "/osm/5,3/\uff15\uff10,3"),  # not ASCII digits
    ],
)
def test_the_directions_address_goes_only_to_openstreetmap(visitor, wrong):
    assert visitor.get(wrong).status_code == 404


def test_open_and_closed_say_when_that_changes(demo_app, visitor):
    soup = page(visitor.get("/p/la-piscine", headers={"Accept-Language": "fr"}))
    now = now_of(demo_app)
    with database(demo_app).sessions() as session:
        shops = session.scalars(select(Shop).where(Shop.territory.has(slug="roubaix"))).all()
    listed = {text(item.find("h3")): item for item in items(soup)}
    checked = 0
    for shop in shops:
        if shop.name not in listed:
            continue
        state = hours.state(shop.opening_hours, now, "Europe/Paris", "FR")
        shown = text(listed[shop.name].select_one(".open, .closed"))
        local = state.next_change.astimezone(PARIS)
        word, verb = ("Ouvert", "ferme") if state.open else ("Fermé", "ouvre")
        assert shown.startswith(f"{word}, {verb} ") and local.strftime("%H:%M") in shown, shown
        checked += 1
    assert checked >= 3


def test_the_category_filter_is_made_of_links(demo_app, visitor):
    soup = page(visitor.get("/p/la-piscine", headers={"Accept-Language": "en"}))
    links = soup.select("nav.filters a")
    assert links[0]["aria-current"] == "page"
    now = now_of(demo_app)
    for link in links[1:]:
        kind = link["href"].split("kind=")[1]
        filtered = page(visitor.get(link["href"], headers={"Accept-Language": "en"}))
        with database(demo_app).sessions() as session:
            expected = expected_titles(session, "la-piscine", now, "en", kind=kind)
        assert titles(filtered) == expected
        assert f"({len(expected)})" in text(link)
        assert filtered.select_one("nav.filters [aria-current]")["href"] == link["href"]
        assert text(filtered.find("h2")) == text(link).rsplit(" (", 1)[0]


def test_an_unknown_category_shows_everything(visitor):
    response = visitor.get("/p/la-piscine?kind=unicorns")
    assert response.status_code == 303 and response.headers["Location"] == "/fr/p/la-piscine"


def test_when_nothing_is_open_the_page_says_when_things_open(demo_app, visitor):
    demo_app.config["FIXED_NOW"] = next_local(TUESDAY, 3)
    soup = page(visitor.get("/p/la-piscine", headers={"Accept-Language": "en"}))
    assert "Nothing is open near here right now" in text(soup.find(class_="notice"))
    assert not soup.select("ol.items .open")
    assert any("opens" in text(state) for state in soup.select("ol.items .closed"))


def test_a_place_with_nothing_near_it_points_to_the_rest_of_its_town(demo_app, visitor):
    with database(demo_app).sessions() as session:
        roubaix = session.scalars(select(Place.territory_id).where(Place.slug == "la-piscine"))
        territory_id = roubaix.one()
    place(demo_app, "phare-isole", territory_id, name="Phare isolé", latitude=51.5, longitude=2.1)
    soup = page(visitor.get("/p/phare-isole", headers={"Accept-Language": "en"}))
    assert not items(soup) and not soup.select("nav.filters")
    assert "Nothing is listed near here yet." in text(soup.find("main"))
    assert soup.find("main").find("a", href="/en/t/roubaix")


def test_unknown_places_get_a_translated_not_found_page(visitor):
    response = visitor.get("/p/atlantis", headers={"Accept-Language": "nl"})
    assert response.status_code == 404
    assert text(page(response).find("h1")) == gettext("nl", "Page not found")


def test_the_demo_s_largest_place_page_is_under_30_kb(demo_app, visitor):
    with database(demo_app).sessions() as session:
        slugs = session.scalars(select(Place.slug)).all()
    sizes = {
        (slug, lang): len(visitor.get(f"/p/{slug}", headers={"Accept-Language": lang}).get_data())
        for slug in slugs
        for lang in LANGUAGES
    }
    largest = max(sizes, key=sizes.__getitem__)
    assert sizes[largest] <= 30 * 1024, f"{largest}: {sizes[largest]} bytes"


def test_pages_load_nothing_from_elsewhere_and_run_no_inline_script(visitor):
    response = visitor.get("/p/la-piscine")
    soup = page(response)
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src 'self';" in policy
    assert not soup.select("iframe, object, embed, video, audio")
    # (canonical and alternate links name the page's addresses: nothing is loaded from them)
    loaded = "img, link:not([rel=canonical]):not([rel=alternate]), script[src]"
    addresses = [e.get("src") or e.get("href") for e in soup.select(loaded)]
    addresses += [c.split()[0] for s in soup.select("[srcset]") for c in s["srcset"].split(",")]
    assert addresses and all(a.startswith("/") and not a.startswith("//") for a in addresses)
    inline = [s for s in soup.find_all("script") if not s.get("src")]
    assert [s["type"] for s in inline] == ["application/ld+json"]  # data, never run
    assert [s["src"] for s in soup.select("script[src]")] == ["/visitor.js"]
    assert not soup.select("[style*='url(']") and "url(" not in text(soup.find("style"))


def test_the_place_page_describes_its_place_in_json_ld(visitor):
    described = json_ld(page(visitor.get("/p/la-piscine")))
    assert described["@type"] == "Museum" and described["url"].endswith("/p/la-piscine")
    assert described["geo"]["@type"] == "GeoCoordinates"
