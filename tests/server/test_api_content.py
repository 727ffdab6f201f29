"""Public content through the API, and the nearby query."""

from __future__ import annotations

import datetime as dt

import pytest

from server.db import database
from server.models import (
    Event,
    Offer,
    OfferKind,
    PointOfInterest,
    TransitFeed,
    TransitStop,
)
from tests.server.factories import place, shop, territory

# Thursday 26 November 2026, 13:00 in Roubaix.
THURSDAY_1PM = "2026-11-26T12:00:00Z"


@pytest.fixture
def area(app):
    """La Piscine with shops at known distances and hours, a deal, a cross-offer, a stop."""
    roubaix = territory(app)
    piscine = place(app, territory_id=roubaix)
    place(
        app,
        slug="grand-place",
        territory_id=roubaix,
        name="Grand-Place",
        latitude=50.69169,
        longitude=3.17447,
    )
    near_closed = shop(
        app, "closed-near", roubaix, 50.69240, 3.16800, opening_hours="Mo 09:00-10:00"
    )
    shop(app, "open-far", roubaix, 50.69400, 3.17300, opening_hours="Mo-Su 10:00-19:00")
    shop(app, "open-near", roubaix, 50.69250, 3.16850, opening_hours="Mo-Su 12:00-14:00")
    shop(app, "out-of-range", roubaix, 50.72000, 3.20000, opening_hours="24/7")
    with database(app).transaction() as session:
        year = dict(valid_from=dt.date(2026, 1, 1), valid_until=dt.date(2026, 12, 31))
        session.add(Offer(slug="deal", shop_id=near_closed, title={"fr": "Remise"}, **year))
        session.add(
            Offer(
                slug="for-piscine-visitors",
                shop_id=near_closed,
                kind=OfferKind.CROSS,
                trigger_place_id=piscine,
                title={"fr": "Billet"},
                **year,
            )
        )
        session.add(
            Offer(
                slug="expired",
                shop_id=near_closed,
                title={"fr": "Vieux"},
                valid_from=dt.date(2025, 1, 1),
                valid_until=dt.date(2025, 2, 1),
            )
        )
        session.add(
            PointOfInterest(
                slug="eglise",
                territory_id=roubaix,
                name="Église",
                category="church",
                latitude=50.6923,
                longitude=3.1690,
            )
        )
        session.add(
            TransitStop(feed="f", stop_id="S1", name="Arrêt", latitude=50.6926, longitude=3.1670)
        )
        session.add(TransitFeed(name="f", imported_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC)))
        start = dt.datetime(2026, 11, 28, 14, tzinfo=dt.UTC)
        session.add(
            Event(
                uid="soon",
                territory_id=roubaix,
                title="Bientôt",
                latitude=50.6922,
                longitude=3.1679,
                starts_at=start,
            )
        )
        session.add(
            Event(
                uid="later",
                territory_id=roubaix,
                title="Plus tard",
                latitude=50.6922,
                longitude=3.1679,
                starts_at=start + dt.timedelta(days=30),
            )
        )


def test_nearby_ranks_open_now_first_then_by_distance(client, area):
    body = client.get(
        "/api/v1/nearby", query_string={"place": "la-piscine", "at": THURSDAY_1PM}
    ).json
    names = [item["id"] for item in body["items"]]
    titles = [item["name"] for item in body["items"]]
    assert "out-of-range" not in names and "expired" not in names and "Plus tard" not in titles
    open_now = [item for item in body["items"] if item["open"] is not False]
    assert body["items"][: len(open_now)] == open_now  # nothing closed before something open
    distances = [item["distance_m"] for item in open_now]
    assert distances == sorted(distances)
    by_id = {item["id"]: item for item in body["items"]}
    assert by_id["open-near"]["open"] is True
    assert by_id["open-near"]["next_change"] == "2026-11-26T13:00:00+00:00"  # closes at 14:00 local
    assert by_id["closed-near"]["open"] is False
    assert by_id["for-piscine-visitors"]["cross"] is True
    by_name = {item["name"]: item for item in body["items"]}
    assert by_name["Bientôt"]["open"] is False
    assert by_name["Bientôt"]["next_change"].startswith("2026-11-28T14")
    assert by_name["Arrêt"]["kind"] == "transit_stop" and by_name["Arrêt"]["open"] is None


def test_a_cross_offer_shows_only_where_it_is_triggered(client, area):
    elsewhere = client.get(
        "/api/v1/nearby", query_string={"place": "grand-place", "at": THURSDAY_1PM, "radius": 2000}
    ).json
    assert "for-piscine-visitors" not in [item["id"] for item in elsewhere["items"]]
    assert "deal" in [item["id"] for item in elsewhere["items"]]


def test_nearby_a_position_with_kinds_and_radius(client, area):
    body = client.get(
        "/api/v1/nearby",
        query_string={
            "lat": 50.69229,
            "lon": 3.16782,
            "radius": 100,
            "kinds": "shop,poi",
            "at": THURSDAY_1PM,
        },
    ).json
    assert {item["kind"] for item in body["items"]} <= {"shop", "poi"}
    assert all(item["distance_m"] <= 100 for item in body["items"])
    assert {item["id"] for item in body["items"]} == {"closed-near", "open-near", "eglise"}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"lat": 50.6}, "place"),
        ({"lat": 95, "lon": 3}, "lat"),
        ({"place": "la-piscine", "radius": 100000}, "radius"),
        ({"place": "la-piscine", "kinds": "shops"}, "kinds"),
        ({"place": "la-piscine", "at": "tomorrow"}, "at"),
        ({"place": "la-piscine", "at": "0001-01-01T00:00:00Z"}, "at"),  # not a 500
        ({"place": "la-piscine", "at": "9999-12-30T00:00:00Z"}, "at"),
    ],
)
def test_nearby_refuses_bad_queries(client, area, query, field):
    response = client.get("/api/v1/nearby", query_string=query)
    assert response.status_code == 422 and response.json["error"]["field"] == field


@pytest.mark.parametrize(
    "at", ["1900-01-01T00:00:00+05:00", "2999-12-31T23:59:59-05:00", "2026-05-01t14:00:00z"]
)
def test_nearby_looks_from_any_moment_of_the_years_it_documents(client, area, at):
    response = client.get("/api/v1/nearby", query_string={"place": "la-piscine", "at": at})
    assert response.status_code == 200


def test_listings_page_and_filter(client, area):
    first = client.get("/api/v1/shops", query_string={"limit": 2}).json
    assert len(first["items"]) == 2 and first["next_offset"] == 2
    rest = client.get("/api/v1/shops", query_string={"limit": 2, "offset": 2}).json
    assert rest["next_offset"] is None
    slugs = [s["slug"] for s in first["items"] + rest["items"]]
    assert slugs == sorted(slugs) and len(slugs) == 4
    assert client.get("/api/v1/shops", query_string={"territory": "elsewhere"}).json["items"] == []
    assert client.get("/api/v1/shops/open-far").json["opening_hours"] == "Mo-Su 10:00-19:00"
    offers = client.get("/api/v1/offers", query_string={"valid_on": "2026-06-01"}).json["items"]
    assert {o["slug"] for o in offers} == {"deal", "for-piscine-visitors"}
    assert client.get("/api/v1/offers/for-piscine-visitors").json["trigger_place"] == "la-piscine"
    events = client.get("/api/v1/events", query_string={"from": THURSDAY_1PM}).json["items"]
    assert [e["uid"] for e in events] == ["soon", "later"]
    assert client.get("/api/v1/places/la-piscine").json["kind"] == "museum"
    assert client.get("/api/v1/territories").json["items"][0]["slug"] == "roubaix"
    assert client.get("/api/v1/pois/eglise").json["category"] == "church"
