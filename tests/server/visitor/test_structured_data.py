"""Rich results: each page type's schema.org JSON-LD parses, uses only schema.org's vocabulary
(types, properties of those types, values in their ranges), and carries the properties Google
requires for the rich result of its type.

The vocabulary is an extract of schema.org's release file shipped with the tests
(tests/support/schemaorg.py says how it is made; CC BY-SA 3.0); nothing is fetched.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from server.db import database
from server.models import Event
from tests.support.html import json_ld, page
from tests.support.schemaorg import Vocabulary

# Google's required properties, from the structured data gallery:
# LocalBusiness: https://developers.google.com/search/docs/appearance/structured-data/local-business
#   (name, address; recommended: geo, openingHoursSpecification, image, telephone, url)
# Event: https://developers.google.com/search/docs/appearance/structured-data/event
#   (name, startDate, location with its address)
# Google has no rich result of its own for a lone Offer or a TouristAttraction; what we hold
# them to is schema.org's sense of them: an Offer names what and until when, by whom
# (https://schema.org/Offer); a sight is a Place with its name, position and address
# (https://schema.org/TouristAttraction).
REQUIRED = {
    "LocalBusiness": ("name", "address", "geo", "url"),
    "Event": ("name", "startDate", "location"),
    "Offer": ("name", "url", "validFrom", "validThrough", "offeredBy"),
    "TouristAttraction": ("name", "geo", "address", "url"),
    "Place": ("name", "geo", "url"),
}


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return Vocabulary.load()


def _event_path(demo_app) -> str:
    with database(demo_app).sessions() as session:
        event = session.scalars(select(Event).where(Event.venue.is_not(None))).first()
        return f"/en/event/{event.id}"


def _data(visitor, path: str) -> dict:
    response = visitor.get(path)
    assert response.status_code == 200, path
    return json_ld(page(response))


def _required(vocabulary: Vocabulary, data: dict) -> tuple[str, ...]:
    lineage = vocabulary.ancestors(data["@type"])
    return tuple(prop for kind, props in REQUIRED.items() if kind in lineage for prop in props)


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/en/shop/comptoir-de-la-piscine", "LocalBusiness"),
        ("/fr/poi/parc-barbieux", "TouristAttraction"),
        ("/nl/offer/comptoir-cafe-offert", "Offer"),
        ("/en/p/la-piscine", "Place"),
        ("/en/walk/weppes-sur-les-traces-de-1916", "TouristTrip"),
        ("/en/t/roubaix", "Place"),
        ("event", "Event"),
    ],
)
def test_each_page_type_s_data_is_schema_org_and_has_what_google_requires(
    demo_app, visitor, vocabulary, path, kind
):
    data = _data(visitor, _event_path(demo_app) if path == "event" else path)
    assert data["@context"] == "https://schema.org"
    assert kind in vocabulary.ancestors(data["@type"])
    assert vocabulary.problems(data) == []
    missing = [prop for prop in _required(vocabulary, data) if not data.get(prop)]
    assert missing == [], data
    assert data.get("url", "").startswith("https://t.example.org/")  # the canonical base


def test_a_shop_has_opening_hours_a_position_an_address_and_its_photo(visitor, vocabulary):
    data = _data(visitor, "/en/shop/comptoir-de-la-piscine")
    assert "LocalBusiness" in vocabulary.ancestors(data["@type"])
    assert data["address"]["@type"] == "PostalAddress" and data["address"]["addressCountry"]
    assert data["address"]["streetAddress"] and data["address"]["addressLocality"] == "Roubaix"
    assert {"latitude", "longitude"} <= set(data["geo"])
    specification = data["openingHoursSpecification"]
    assert specification and all(
        rule["@type"] == "OpeningHoursSpecification"
        and rule["dayOfWeek"]
        and rule["opens"] < rule["closes"]
        for rule in specification
    )
    # "Tu-Su": every day but Monday, as its OSM hours say.
    days = {day.rsplit("/", 1)[1] for rule in specification for day in rule["dayOfWeek"]}
    assert "Monday" not in days and "Sunday" in days
    assert data["image"].startswith("https://t.example.org/img/")


def test_an_event_s_location_has_an_address(demo_app, visitor):
    data = _data(visitor, _event_path(demo_app))
    assert data["location"]["address"]["@type"] == "PostalAddress"
    assert data["location"]["address"]["addressLocality"]


def test_the_check_finds_what_is_not_schema_org(vocabulary):
    assert vocabulary.problems({"@type": "LocalBusines", "name": "x"})
    assert vocabulary.problems({"@type": "Offer", "openingHours": "Mo 10:00-12:00"})
    assert vocabulary.problems({"@type": "Event", "startdate": "2026-12-05"})
    wrong_range = {"@type": "Event", "location": {"@type": "OpeningHoursSpecification"}}
    assert vocabulary.problems(wrong_range)
    assert vocabulary.problems({"@type": "Place", "geo": "50.6,3.1"})
