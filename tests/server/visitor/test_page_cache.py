"""Place pages kept rendered (server/visitor/pagecache.py): a kept page is exactly the page
rendered afresh, whatever changed in the database or on the clock, and never one visitor's."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import event, select, text, update

from server.db import database
from server.models import ContentVersion, Event, Offer, OfferCondition, OfferKind, Place, Shop
from server.services import redemption
from tests.support.demo import PARIS
from tests.support.html import page, titles

PAGES = ["/fr/p/la-piscine", "/en/p/la-piscine", "/nl/p/marche-de-wazemmes"]
PAGES += ["/fr/p/la-piscine?kind=shop", "/en/p/la-piscine?kind=offer"]
# Tables a kept page need not read: only the live block's (stops' departures) and the version.
LISTINGS = ("FROM places", "FROM shops", "FROM offers", "FROM events", "FROM points_of_interest")


@contextlib.contextmanager
def statements(app) -> Iterator[list[str]]:  # type: ignore[no-untyped-def]
    """The SQL statements the app sends while the block runs."""
    seen: list[str] = []

    def note(connection, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    engine = database(app).engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def fresh(app, path: str, **options) -> bytes:  # type: ignore[no-untyped-def]
    """The page rendered now, with nothing kept (as before pages were kept)."""
    app.config["PLACE_PAGE_CACHE"] = 0
    try:
        with statements(app) as seen:
            response = app.test_client().get(path, **options)
    finally:
        app.config["PLACE_PAGE_CACHE"] = 1000
    assert response.status_code == 200
    assert [s for s in seen if "FROM places" in s], "it was not rendered"
    return response.get_data()


def kept(app, path: str, **options) -> bytes:  # type: ignore[no-untyped-def]
    """The page as served with kept renderings, read from the kept one (checked)."""
    with statements(app) as seen:
        response = app.test_client().get(path, **options)
    assert response.status_code == 200
    assert not [s for s in seen if any(table in s for table in LISTINGS)], "it was rendered"
    return response.get_data()


def served(app, path: str) -> bytes:  # type: ignore[no-untyped-def]
    """The page as a visitor gets it (kept or rendered)."""
    response = app.test_client().get(path)
    assert response.status_code == 200
    return response.get_data()


@pytest.mark.parametrize("path", PAGES)
def test_a_kept_page_is_the_page_rendered_afresh(demo_app, path):
    first = served(demo_app, path)
    assert kept(demo_app, path) == first == fresh(demo_app, path)


def test_each_language_and_category_is_kept_apart(demo_app):
    bodies = {path: served(demo_app, path) for path in PAGES}
    assert len(set(bodies.values())) == len(PAGES)
    for path, body in bodies.items():
        assert kept(demo_app, path) == body


def _rename_shop(session, now):  # type: ignore[no-untyped-def]
    session.execute(update(Shop).values(name=Shop.name + " (renamed)"))


def _close_shops(session, now):  # type: ignore[no-untyped-def]
    session.execute(update(Shop).values(opening_hours="Mo 08:00-09:00"))


def _retitle_offers(session, now):  # type: ignore[no-untyped-def]
    for offer in session.scalars(select(Offer)):
        offer.title = {**offer.title, "fr": "Offre changée", "en": "Changed offer"}


def _add_event(session, now):  # type: ignore[no-untyped-def]
    here = session.scalars(select(Place).where(Place.slug == "la-piscine")).one()
    session.add(
        Event(
            territory_id=here.territory_id,
            uid="added-concert@test",
            title="Concert ajouté",
            description={},
            starts_at=now - dt.timedelta(hours=1),
            ends_at=now + dt.timedelta(hours=2),
            latitude=here.latitude,
            longitude=here.longitude,
        )
    )


def _unpublish_shops(session, now):  # type: ignore[no-untyped-def]
    session.execute(update(Shop).values(published=False))


@pytest.mark.parametrize(
    "edit", [_rename_shop, _close_shops, _retitle_offers, _add_event, _unpublish_shops]
)
def test_an_edit_shows_on_the_next_page(demo_app, edit):
    before = served(demo_app, "/fr/p/la-piscine")
    assert kept(demo_app, "/fr/p/la-piscine") == before
    with demo_app.test_request_context():
        from server import clock

        now = clock.now()
    with database(demo_app).transaction() as session:
        edit(session, now)
    after = served(demo_app, "/fr/p/la-piscine")
    assert after != before
    assert after == fresh(demo_app, "/fr/p/la-piscine")


def test_the_page_follows_the_clock_across_openings_closings_and_midnight(demo_app):
    """Every 20 minutes from Saturday 15:00 to Sunday 04:00: the page served is the page
    rendered afresh (openings, closings, events, "tomorrow" becoming "today")."""
    start = demo_app.config["FIXED_NOW"]
    seen = set()
    for step in range(0, 13 * 60 + 1, 20):
        demo_app.config["FIXED_NOW"] = start + dt.timedelta(minutes=step)
        body = served(demo_app, "/fr/p/la-piscine")
        assert body == fresh(demo_app, "/fr/p/la-piscine"), f"{step} min after Saturday 15:00"
        seen.add(body)
    assert len(seen) > 3  # the afternoon, the evening's closings, the night, Sunday


def test_a_page_is_kept_until_its_next_change_only(demo_app):
    first = served(demo_app, "/fr/p/la-piscine")
    demo_app.config["FIXED_NOW"] += dt.timedelta(minutes=1)
    # Nothing listed changes within a minute: kept (its live departures are told anew).
    assert kept(demo_app, "/fr/p/la-piscine") == fresh(demo_app, "/fr/p/la-piscine")
    local = demo_app.config["FIXED_NOW"].astimezone(PARIS)
    midnight = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(), PARIS)
    demo_app.config["FIXED_NOW"] = midnight.astimezone(dt.UTC)
    assert served(demo_app, "/fr/p/la-piscine") == fresh(demo_app, "/fr/p/la-piscine") != first


def test_a_visitor_s_own_query_is_never_shown_to_another(demo_app):
    tracked = served(demo_app, "/fr/p/la-piscine?utm_source=flyer")
    assert b"utm_source=flyer" in tracked  # the language links keep it
    plain = served(demo_app, "/fr/p/la-piscine")
    assert b"utm_source" not in plain
    assert plain == fresh(demo_app, "/fr/p/la-piscine")


def test_each_host_gets_its_own_addresses(demo_app):
    one = demo_app.test_client().get("/fr/p/la-piscine", base_url="https://one.example")
    other = demo_app.test_client().get("/fr/p/la-piscine", base_url="https://other.example")
    assert b'content="https://one.example/fr/p/la-piscine"' in one.get_data()
    assert b'content="https://other.example/fr/p/la-piscine"' in other.get_data()


def test_cookies_and_visitors_get_the_page_of_the_address(demo_app):
    plain = served(demo_app, "/fr/p/la-piscine")
    regular = demo_app.test_client()
    regular.set_cookie("tt_lang", "en")
    regular.set_cookie("tt_object", "1")
    assert regular.get("/fr/p/la-piscine").get_data() == plain  # the address says French
    # The language a visitor switched to is remembered for them alone (a cookie, never kept).
    switched = demo_app.test_client().get(
        "/en/p/la-piscine", headers={"Sec-Fetch-Site": "same-origin"}
    )
    assert "tt_lang=en" in switched.headers.get("Set-Cookie", "")
    assert "Set-Cookie" not in demo_app.test_client().get("/en/p/la-piscine").headers


def test_a_missing_page_is_not_kept(demo_app):
    assert demo_app.test_client().get("/fr/p/la-piscine-bis").status_code == 404
    with database(demo_app).transaction() as session:
        source = session.scalars(select(Place).where(Place.slug == "la-piscine")).one()
        session.add(
            Place(
                slug="la-piscine-bis",
                territory_id=source.territory_id,
                name="La Piscine bis",
                kind=source.kind,
                latitude=source.latitude,
                longitude=source.longitude,
            )
        )
    assert demo_app.test_client().get("/fr/p/la-piscine-bis").status_code == 200


def test_a_code_given_out_keeps_the_page_and_the_offer_says_sold_out(demo_app):
    offers = page(demo_app.test_client().get("/fr/p/la-piscine?kind=offer"))
    slug = offers.select_one("a[href*='/offer/']")["href"].split("/offer/")[1].split("?")[0]
    with database(demo_app).transaction() as session:
        offer = session.scalars(select(Offer).where(Offer.slug == slug)).one()
        offer.kind, offer.condition, offer.quota = OfferKind.CROSS, OfferCondition.NONE, 1
        offer.trigger_place_id = offer.partner_shop_id = offer.daily_quota = None
        title = offer.title["fr"]
    before = served(demo_app, "/fr/p/la-piscine")
    assert title in titles(page(demo_app.test_client().get("/fr/p/la-piscine")))
    with database(demo_app).sessions() as session:
        version = session.scalar(select(ContentVersion.version))
    with demo_app.test_request_context(), database(demo_app).transaction() as session:
        from server import clock

        offer = session.scalars(select(Offer).where(Offer.slug == slug)).one()
        redemption.issue(session, offer, "visitor-1", clock.now(), "test-secret")
    with database(demo_app).sessions() as session:
        assert session.scalar(select(ContentVersion.version)) == version  # nothing flushed
        assert session.scalar(select(Offer.codes_issued).where(Offer.slug == slug)) == 1
    assert kept(demo_app, "/fr/p/la-piscine") == before == fresh(demo_app, "/fr/p/la-piscine")
    offer_page = demo_app.test_client().get(f"/fr/offer/{slug}").get_data(as_text=True)
    assert "Tous les codes de cette offre ont été distribués" in offer_page


CONTENT = ["shops", "points_of_interest", "places", "territories", "events", "walks", "walk_stops"]
CONTENT += ["transit_stops", "photos", "street_maps"]


@pytest.mark.parametrize("table", CONTENT)
def test_every_change_to_what_pages_show_moves_the_version(demo_app, table):
    def version() -> int:
        with database(demo_app).sessions() as session:
            return session.scalar(select(ContentVersion.version))

    before = version()
    with database(demo_app).transaction() as session:
        key = session.execute(text(f"SELECT min(id) FROM {table}")).scalar()
        session.execute(text(f"UPDATE {table} SET id = id WHERE id = :key"), {"key": key})
    assert version() > before


def test_a_committed_change_moves_the_version_a_redemption_does_not(committed_app, database_kind):
    """With real commits (PostgreSQL's triggers wait for the COMMIT): once per transaction
    there, once per row on SQLite; never for the codes counter alone."""
    from tests.server import factories

    app = committed_app
    territory = factories.territory(app)
    for n in range(3):
        factories.shop(app, f"shop-{n}", territory, 50.69, 3.17)

    def version() -> int:
        with database(app).sessions() as session:
            return session.scalar(select(ContentVersion.version))

    before = version()
    with database(app).transaction() as session:
        session.execute(update(Shop).values(name=Shop.name + "!"))
    assert version() - before == (1 if database_kind == "postgresql" else 3)
    shop_id = factories.shop(app, "shop-offers", territory, 50.69, 3.17)
    today = dt.date(2026, 1, 1)
    with database(app).transaction() as session:
        session.add(
            Offer(
                slug="an-offer",
                shop_id=shop_id,
                title={"fr": "Offre"},
                conditions={},
                valid_from=today,
                valid_until=today,
            )
        )
    before = version()
    with database(app).transaction() as session:
        session.execute(update(Offer).values(codes_issued=Offer.codes_issued + 1))
    assert version() == before
    with database(app).transaction() as session:
        session.execute(update(Offer).values(quota=5))
    assert version() == before + 1
