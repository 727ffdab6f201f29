"""Findable: every published page at a URL per language, with its canonical and hreflang links,
listed in the sitemap; the old addresses redirect; what is gone answers 404 or 410 and leaves
the sitemap at once."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select, update

from server.db import database
from server.models import Event, Offer, Shop, Walk
from tests.support.html import page

BASE = "https://t.example.org"  # TAP_BASE_URL in the tests' settings: the canonical base
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
LANGS = ("fr", "en", "nl")
SHOP = "comptoir-de-la-piscine"


def _sitemap(client, path: str = "/sitemap.xml") -> ET.Element:
    response = client.get(path)
    assert response.status_code == 200 and response.mimetype == "application/xml"
    assert response.headers["Cache-Control"] == "no-cache"
    return ET.fromstring(response.data)


def _entries(root: ET.Element) -> dict[str, dict[str, str]]:
    """Each <url>'s loc, with its lastmod and its alternates by hreflang."""
    found = {}
    for url in root.findall("s:url", NS):
        links = {link.get("hreflang"): link.get("href") for link in url.findall("x:link", NS)}
        found[url.findtext("s:loc", namespaces=NS)] = {
            "lastmod": url.findtext("s:lastmod", namespaces=NS),
            **links,
        }
    return found


def _path(url: str) -> str:
    assert url.startswith(BASE + "/"), url
    return url.removeprefix(BASE)


class _LinkTags(HTMLParser):
    """The attributes of every <link> of a page (its other tags are only scanned: the
    sitemap's thousand pages read this way cost a tenth of building each one's tree)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Keep a <link>'s attributes."""
        if tag == "link":
            self.found.append({name: value or "" for name, value in attrs})


def _links(response) -> tuple[str, dict[str, str]]:
    """A page's canonical URL and its alternates by hreflang."""
    parser = _LinkTags()
    parser.feed(response.get_data(as_text=True))
    parser.close()
    [canonical] = [
        link["href"] for link in parser.found if "canonical" in link.get("rel", "").split()
    ]
    return canonical, {
        link["hreflang"]: link["href"]
        for link in parser.found
        if "alternate" in link.get("rel", "").split() and "hreflang" in link
    }


def _locs(client) -> set[str]:
    return set(_entries(_sitemap(client)))


# On SQLite only: this walk opens every page of the demo in each language to read
# its links, which routing and templates make; what the database holds is the same on both, and
# the pages' queries run on PostgreSQL in their own tests and in the sitemap's below.
@pytest.mark.parametrize("database_kind", ["sqlite"])
def test_every_sitemap_url_answers_with_its_canonical_and_alternates_pointing_back(visitor):
    entries = _entries(_sitemap(visitor))
    kinds = {_path(loc).split("/")[2] for loc in entries}
    assert kinds >= {"t", "p", "shop", "poi", "walk", "event", "offer"}
    assert {_path(loc).split("/")[1] for loc in entries} == set(LANGS)
    seen: dict[str, tuple[str, dict[str, str]]] = {}

    def visit(url: str) -> tuple[str, dict[str, str]]:
        if url not in seen:
            response = visitor.get(_path(url))
            assert response.status_code == 200, url
            seen[url] = _links(response)
        return seen[url]

    sent_to: dict[str, str] = {}  # an x-default (shared by a page's languages) -> Location

    def redirect(url: str) -> str:
        if url not in sent_to:
            response = visitor.get(_path(url), language_redirect=True)
            assert response.status_code == 302, url
            sent_to[url] = response.headers["Location"]
        return sent_to[url]

    for loc, listed in entries.items():
        lang = _path(loc).split("/")[1]
        canonical, alternates = visit(loc)
        assert canonical == loc
        assert set(alternates) == {*LANGS, "x-default"}
        # The sitemap lists what the page says, and the page is its own alternate.
        assert alternates == {key: value for key, value in listed.items() if key != "lastmod"}
        assert alternates[lang] == loc
        for code in LANGS:
            other_canonical, back = visit(alternates[code])
            assert other_canonical == alternates[code] and back[lang] == loc, (loc, code)
        # x-default: the unprefixed address, which sends each visitor to their language.
        assert redirect(alternates["x-default"]) == urlsplit(alternates["fr"]).path
        assert dt.datetime.fromisoformat(listed["lastmod"]).tzinfo is not None


def test_lastmod_is_when_the_page_was_last_edited(demo_app, visitor):
    loc = f"{BASE}/fr/shop/{SHOP}"
    offer_loc = f"{BASE}/fr/offer/comptoir-cafe-offert"
    # The demo may have been loaded within this second, and lastmod is to the second: its last
    # edit is put an hour back, so that the edit below shows.
    with database(demo_app).transaction() as session:
        loaded = session.scalars(select(Shop.updated_at).where(Shop.slug == SHOP)).one()
        earlier = loaded - dt.timedelta(hours=1)
        session.execute(update(Shop).where(Shop.slug == SHOP).values(updated_at=earlier))
    before = _entries(_sitemap(visitor))
    with database(demo_app).sessions() as session:
        shop = session.scalars(select(Shop).where(Shop.slug == SHOP)).one()
        assert before[loc]["lastmod"] == shop.updated_at.isoformat(timespec="seconds")
    # A counter kept by a plain UPDATE (codes issued) is no edit of the offer's page.
    with database(demo_app).transaction() as session:
        session.execute(
            update(Offer)
            .where(Offer.slug == "comptoir-cafe-offert")
            .values(codes_issued=Offer.codes_issued + 1)
        )
    edited_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    with database(demo_app).transaction() as session:
        shop = session.scalars(select(Shop).where(Shop.slug == SHOP)).one()
        shop.phone = "+33 3 20 00 00 00"
    after = _entries(_sitemap(visitor))
    assert dt.datetime.fromisoformat(after[loc]["lastmod"]) >= edited_at
    assert after[loc]["lastmod"] != before[loc]["lastmod"]
    assert after[offer_loc]["lastmod"] == before[offer_loc]["lastmod"]


def test_a_stop_taken_out_of_a_walk_s_list_is_an_edit_of_the_walk(demo_app):
    # The stop is deleted later in the flush (delete-orphan); before it, its walk is None.
    slug = "weppes-sur-les-traces-de-1916"
    with database(demo_app).transaction() as session:
        walk = session.scalars(select(Walk).where(Walk.slug == slug)).one()
        before = walk.updated_at
        walk.stops.pop()
    with database(demo_app).sessions() as session:
        walk = session.scalars(select(Walk).where(Walk.slug == slug)).one()
        assert walk.updated_at > before


def test_an_unpublished_shop_is_gone_with_its_offers_and_leaves_the_sitemap_at_once(
    demo_app, visitor
):
    assert f"{BASE}/en/shop/{SHOP}" in _locs(visitor)
    with database(demo_app).transaction() as session:
        session.execute(update(Shop).where(Shop.slug == SHOP).values(published=False))
    for code in LANGS:
        assert visitor.get(f"/{code}/shop/{SHOP}").status_code == 410
    assert visitor.get("/en/offer/comptoir-cafe-offert").status_code == 410
    assert visitor.get(f"/shop/{SHOP}").status_code == 410  # the old address too
    locs = _locs(visitor)
    assert not [loc for loc in locs if f"/shop/{SHOP}" in loc or "comptoir-cafe-offert" in loc]
    # Its shop window keeps its page: a sticker hangs there, and it lists what is near.
    assert f"{BASE}/fr/p/vitrine-{SHOP}" in locs


def test_an_ended_offer_is_gone_and_leaves_the_sitemap(demo_app, visitor):
    slug = "comptoir-cafe-offert"
    assert f"{BASE}/nl/offer/{slug}" in _locs(visitor)
    with database(demo_app).transaction() as session:
        offer = session.scalars(select(Offer).where(Offer.slug == slug)).one()
        offer.valid_from, offer.valid_until = dt.date(2020, 1, 1), dt.date(2020, 1, 31)
    assert visitor.get(f"/nl/offer/{slug}").status_code == 410
    assert not [loc for loc in _locs(visitor) if slug in loc]


def test_an_offer_its_partner_has_not_agreed_to_never_existed(demo_app, visitor):
    with database(demo_app).transaction() as session:
        offer = session.scalars(select(Offer).where(Offer.partner_shop_id.is_not(None))).first()
        assert offer is not None
        slug = offer.slug
        offer.partner_agreed_at = None
    assert visitor.get(f"/fr/offer/{slug}").status_code == 404
    assert not [loc for loc in _locs(visitor) if slug in loc]


def test_an_event_over_is_gone_and_a_removed_one_not_found(demo_app, visitor):
    events = sorted(_path(loc) for loc in _locs(visitor) if "/fr/event/" in loc)
    assert len(events) >= 2
    over, removed = (int(path.rsplit("/", 1)[1]) for path in events[:2])
    with database(demo_app).transaction() as session:
        event = session.get(Event, over)
        event.starts_at = dt.datetime(2020, 1, 1, 10, tzinfo=dt.UTC)
        event.ends_at = dt.datetime(2020, 1, 1, 12, tzinfo=dt.UTC)
        event.starts_on = event.ends_on = None
        session.delete(session.get(Event, removed))
    assert visitor.get(f"/fr/event/{over}").status_code == 410
    assert visitor.get(f"/fr/event/{removed}").status_code == 404
    left = _locs(visitor)
    assert not {f"{BASE}/fr/event/{over}", f"{BASE}/fr/event/{removed}"} & left


@pytest.mark.parametrize(
    "path", ["/fr/shop/nope", "/en/poi/nope", "/nl/walk/nope", "/fr/event/0", "/de/p/la-piscine"]
)
def test_what_never_existed_is_not_found(visitor, path):
    assert visitor.get(path).status_code == 404


@pytest.mark.parametrize(
    "old",
    [
        "/",
        "/t/roubaix",
        "/p/la-piscine",
        "/p/la-piscine?kind=shop",
        f"/shop/{SHOP}?from=la-piscine",
        "/poi/parc-barbieux",
        "/walk/weppes-sur-les-traces-de-1916",
        "/offer/comptoir-cafe-offert",
        "/tv/la-piscine",
        "/privacy",
        "/legal",
    ],
)
def test_old_addresses_redirect_to_the_visitor_s_language(visitor, old):
    path, _, query = old.partition("?")
    tail = f"?{query}" if query else ""
    for headers, chosen, lang in (
        ({}, None, "fr"),
        ({"Accept-Language": "en-GB,en;q=0.8"}, None, "en"),
        ({"Accept-Language": "en"}, "nl", "nl"),  # the visitor's choice comes first
    ):
        if chosen:
            visitor.set_cookie("tt_lang", chosen)
        response = visitor.get(old, headers=headers, language_redirect=True)
        assert response.status_code == 302, old
        assert response.headers["Location"] == f"/{lang}{path}{tail}"
        assert {"Cookie", "Accept-Language"} <= set(response.vary)
        assert response.headers["Cache-Control"] == "no-cache"
        assert visitor.get(response.headers["Location"]).status_code == 200


def test_the_switch_links_to_the_page_in_each_language(visitor):
    response = visitor.get("/en/p/la-piscine?kind=shop")
    soup = page(response)
    links = {a["lang"]: a["href"] for a in soup.select("nav .langs a")}
    assert links == {code: f"/{code}/p/la-piscine?kind=shop" for code in LANGS}
    assert soup.html["lang"] == "en" and soup.select_one(".langs [aria-current]")["lang"] == "en"
    # A variant (a filter) names the page itself as canonical.
    assert _links(response)[0] == f"{BASE}/en/p/la-piscine"


def test_a_query_sent_unescaped_keeps_its_letters(visitor):
    # Some clients send "é" as raw UTF-8 bytes; read as Latin-1 and encoded again by werkzeug
    # it came out "%C3%83%C2%A9" ("Ã©"). A raw space is escaped too.
    old = visitor.get("/p/la-piscine?q=été d", language_redirect=True)
    assert old.headers["Location"] == "/fr/p/la-piscine?q=%C3%A9t%C3%A9%20d"
    soup = page(visitor.get("/en/p/la-piscine?q=été"))
    links = {a["lang"]: a["href"] for a in soup.select("nav .langs a")}
    assert links == {code: f"/{code}/p/la-piscine?q=%C3%A9t%C3%A9" for code in LANGS}


def test_arriving_from_elsewhere_in_another_language_is_not_a_choice(visitor):
    response = visitor.get(
        "/nl/p/la-piscine", headers={"Accept-Language": "fr", "Sec-Fetch-Site": "cross-site"}
    )
    assert response.status_code == 200 and "tt_lang" not in response.headers.get("Set-Cookie", "")
    assert page(response).html["lang"] == "nl"
    # From one of our pages, by the Referer when the browser sends no Sec-Fetch-Site.
    response = visitor.get(
        "/nl/p/la-piscine",
        headers={"Accept-Language": "fr", "Referer": "http://localhost/fr/p/la-piscine"},
    )
    assert "tt_lang=nl" in response.headers["Set-Cookie"]


def test_the_url_s_language_wins_over_the_cookie_and_the_browser(visitor):
    visitor.set_cookie("tt_lang", "fr")
    soup = page(visitor.get("/nl/t/roubaix", headers={"Accept-Language": "en"}))
    assert soup.html["lang"] == "nl"


def test_a_large_sitemap_is_an_index_of_files(demo_app, visitor):
    everything = _locs(visitor)
    demo_app.config["SITEMAP_URLS"] = 30  # ten pages a file, in three languages
    index = _sitemap(visitor)
    assert index.tag == f"{{{NS['s']}}}sitemapindex"
    files = [node.findtext("s:loc", namespaces=NS) for node in index.findall("s:sitemap", NS)]
    assert len(files) == -(-len(everything) // 30) and len(files) > 1
    listed: set[str] = set()
    for url in files:
        part = _entries(_sitemap(visitor, _path(url)))
        assert 0 < len(part) <= 30
        listed |= set(part)
    assert listed == everything
    assert visitor.get(f"/sitemap-{len(files) + 1}.xml").status_code == 404
