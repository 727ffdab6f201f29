"""Odd cases a visitor may meet: a retired sticker, a bad one, the large screen."""

from __future__ import annotations

import re

from sqlalchemy import event, select

from server.db import database
from server.models import Sticker, StickerStatus
from tests.server.factories import PHONE, update_sticker
from tests.support.html import page, text


def _sticker(app, slug="la-piscine") -> Sticker:
    with database(app).sessions() as session:
        return session.scalars(select(Sticker).where(Sticker.place.has(slug=slug))).first()


def test_a_retired_sticker_is_gone_but_leads_to_what_is_near_it(demo_app, visitor):
    sticker = _sticker(demo_app)
    update_sticker(demo_app, sticker.id, status=StickerStatus.RETIRED)
    response = visitor.get(
        f"/{sticker.code}", headers={"User-Agent": PHONE, "Accept-Language": "nl-BE"}
    )
    assert response.status_code == 410
    soup = page(response)
    assert (
        soup.html["lang"] == "nl"
        and text(soup.find("h1")) == "Deze sticker is niet meer in gebruik"
    )
    assert text(soup.find("main")).count("Hij hing bij La Piscine") == 1  # it names the place
    links = [a["href"] for a in soup.select("main a")]
    assert links == ["/nl/p/la-piscine", "/nl/t/roubaix"]
    # The language switch on this page must not tap the sticker again: it leads home.
    assert all(a["href"].split("?")[1] == "next=/nl/" for a in soup.select(".langs a"))


def test_an_unknown_sticker_is_explained_in_the_visitor_s_language(visitor):
    response = visitor.get("/2000000000000000000", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert text(page(response).find("h1")) == "We do not recognise this sticker"


def test_a_link_preview_of_a_sticker_is_described_in_its_language(demo_app, visitor):
    sticker = _sticker(demo_app)
    preview = visitor.get(
        f"/{sticker.code}", headers={"User-Agent": "WhatsApp/2.23", "Accept-Language": "fr"}
    )
    soup = page(preview)
    description = soup.find("meta", property="og:description")["content"]
    assert description.startswith("À découvrir autour de La Piscine")
    # One card: the place page's address, and its cover photo.
    [url] = soup.find_all("meta", property="og:url")
    assert url["content"].endswith("/p/la-piscine")
    image = soup.find_all("meta", property="og:image")
    assert len(image) == 1 and "/img/" in image[0]["content"]
    assert image[0]["content"].endswith(".jpg")


def test_link_previews_of_a_shared_sticker_read_its_cover_once(demo_app, visitor):
    # Sharing a link brings a burst of previews (each app, each chat): the tap path keeps the
    # cover as it keeps the sticker, rather than reading the database for every one.
    sticker, statements = _sticker(demo_app), []

    def seen(_conn, _cursor, statement, *_rest) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    engine = database(demo_app).engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        for _ in range(3):
            preview = visitor.get(f"/{sticker.code}", headers={"User-Agent": "WhatsApp/2.23"})
            [image] = page(preview).find_all("meta", property="og:image")
            assert "/img/" in image["content"]
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert len([s for s in statements if "photos" in s]) == 1


def test_the_large_screen_view_turns_through_what_is_near(demo_app, visitor):
    response = visitor.get("/tv/la-piscine", headers={"Accept-Language": "en"})
    soup = page(response)
    assert response.status_code == 200
    slides = soup.select("ol.deck > li")
    cards = soup.select("ol.deck li.card")
    # Four cards a slide; two when the lower part of the screen shows live mobility figures.
    per_slide = 2 if soup.select_one("section.mobility") else 4
    assert 8 < len(cards) <= 12 and len(slides) == -(-len(cards) // per_slide)
    assert all(len(slide.select("li.card")) <= per_slide for slide in slides)
    style = soup.find("style").string
    assert f"animation:turn {10 * len(slides)}s infinite" in style
    assert re.search(r"prefers-reduced-motion", style)
    # Photos, open or closed, the deals valid now, the QR code.
    assert soup.select("li.card picture img") and soup.select("li.card .open")
    assert soup.select(".deals li")
    qr = soup.select_one("aside svg.qr")
    assert qr["role"] == "img" and "phone" in qr["aria-label"]
    # It reloads itself without a script (a meta refresh a script-less browser reads), and
    # with one it refreshes in place (data-refresh, read by the page's own script).
    assert soup.select_one("noscript meta[http-equiv=refresh]")["content"] == "300"
    assert soup.select_one("main[data-refresh]")["data-refresh"] == "300"
    assert [s["src"] for s in soup.select("script[src]")] == ["/visitor.js"]
    assert not [s for s in soup.find_all("script") if not s.get("src")]


def test_visitor_pages_say_how_caches_may_keep_them(visitor):
    headers = visitor.get("/p/la-piscine").headers
    assert headers["Cache-Control"] == "no-cache"
    assert {"Accept-Language", "Cookie"} <= {v.strip() for v in headers["Vary"].split(",")}
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
