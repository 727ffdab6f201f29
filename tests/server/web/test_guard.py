"""Control characters are refused at the edge, on SQLite and PostgreSQL: a path holding one
answers 404, a query argument or a form field 400, in the API's JSON shape under /api/ and as a
page elsewhere, and nothing reaches the tap spool or the database."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pytest
from sqlalchemy import event, func, select

from server.db import database
from server.models import Batch, LoginFailure, Shop
from tests.server import factories
from tests.server.portal.conftest import EMAILS, Browser, seed_portal

ERROR_KEYS = ["code", "field", "message", "status"]


@pytest.fixture
def world(app):  # type: ignore[no-untyped-def]
    """A museum with a sticker in service, a shop, and the portal's accounts."""
    seed = seed_portal(app)  # la-piscine, the comptoir and atelier shops, one account per role
    entry = factories.stickers(app)[0]
    factories.update_sticker(app, entry["tag_id"], status="installed")
    return {"seed": seed, "code": entry["code"]}


@pytest.fixture
def english(client):  # type: ignore[no-untyped-def]
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def sent(app) -> Iterator[list[str]]:  # type: ignore[no-untyped-def]
    """Every text the app sends to the database while the test runs."""
    texts: list[str] = []

    def collect(value: object) -> None:
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                collect(item)
        elif isinstance(value, list | tuple):
            for item in value:
                collect(item)

    def seen(_conn, _cursor, _statement, parameters, *_rest) -> None:  # type: ignore[no-untyped-def]
        collect(parameters)

    engine = database(app).engine
    event.listen(engine, "before_cursor_execute", seen)
    yield texts
    event.remove(engine, "before_cursor_execute", seen)


def _nothing_recorded(app, sent: list[str]) -> None:  # type: ignore[no-untyped-def]
    assert not [text for text in sent if re.search(r"[\x00-\x1f]", text)]  # never sent
    assert factories.drained_taps(app) == []  # the spool held nothing, the database stored none


def _count(app, model) -> int:  # type: ignore[no-untyped-def]
    with database(app).sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(
    "path",
    [
        "/AB%00CD",  # the audit's example: a tap path
        "/%00",
        "/{code}%00",  # a valid code with a NUL after it
        "/{code}%0A",
        "/p/%00",
        "/p/la-piscine%00",
        "/shop/%00",
        "/t/roubaix%1F",
        "/walk/%7F",
        "/offer/comptoir-cafe%00",
    ],
)
def test_a_path_holding_a_control_character_is_a_page_not_found(app, english, world, sent, path):
    response = english.get(path.format(code=world["code"]))
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "Page not found" in response.get_data(as_text=True)
    _nothing_recorded(app, sent)


@pytest.mark.parametrize(
    "path", ["/api/v1/places/%00", "/api/v1/shops/comptoir%00", "/api/v1/walks/%01", "/api/%00"]
)
def test_an_api_path_holding_a_control_character_is_not_found_in_the_error_shape(
    app, client, world, sent, path
):
    response = client.get(path)
    assert response.status_code == 404 and response.mimetype == "application/json"
    error = response.json["error"]
    assert sorted(error) == ERROR_KEYS and error["status"] == 404
    assert "control characters" in error["message"]
    _nothing_recorded(app, sent)


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/places?territory=%00", "territory"),
        ("/api/v1/nearby?place=la-piscine%00", "place"),
        ("/api/v1/offers?limit=10&shop=comptoir%0D%0A", "shop"),
        ("/api/v1/places?territory=\x00", "territory"),  # sent raw, not percent-encoded
    ],
)
def test_an_api_query_argument_holding_one_is_a_400_naming_it(
    app, client, world, sent, path, field
):
    response = client.get(path)
    assert response.status_code == 400 and response.mimetype == "application/json"
    error = response.json["error"]
    assert sorted(error) == ERROR_KEYS and error["field"] == field
    assert "control character" in error["message"]
    _nothing_recorded(app, sent)


@pytest.mark.parametrize("query", ["M=%00", "M=04E141124C2880x003F31%00", "x=%09"])
def test_a_tap_with_a_control_character_in_its_query_is_refused_and_not_recorded(
    app, english, world, sent, query
):
    response = english.get(f"/{world['code']}?{query}")
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert "This address cannot be read" in response.get_data(as_text=True)
    _nothing_recorded(app, sent)
    assert english.get(f"/{world['code']}").status_code == 303  # the sticker still works


@pytest.mark.parametrize("path", ["/p/la-piscine?kind=%00", "/?from=%00", "/shop/comptoir?x=%1B"])
def test_a_page_query_argument_holding_one_is_a_400_page(app, english, world, path):
    response = english.get(path)
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert "This address cannot be read" in response.get_data(as_text=True)


def test_a_portal_form_field_holding_one_is_a_400_and_nothing_is_recorded(app, world, sent):
    browser = Browser(app.test_client())
    response = browser.login(EMAILS["owner"] + "\x00", "wrong password")
    assert response.status_code == 400
    assert "This request cannot be read" in response.get_data(as_text=True)
    assert _count(app, LoginFailure) == 0  # a failed sign-in is stored: this one never got there
    assert not [text for text in sent if "\x00" in text]
    # A file name is a form field too.
    upload = {"csrf_token": browser.token(), "photo": (io.BytesIO(b"x"), "a\x00.jpg")}
    assert browser.client.post("/portal/login", data=upload).status_code == 400


def test_a_listing_with_a_nul_is_refused_but_tabs_and_line_breaks_are_text(app, world):
    owner = Browser(app.test_client())
    assert owner.login(EMAILS["owner"]).status_code == 303
    path = "/portal/shops/comptoir/listing"
    form = {
        "name": "Le Comptoir",
        "category": "cafe",
        "latitude": "50.69205",
        "longitude": "3.1685",
        "description_fr": "Un café.\x00",
    }
    refused = owner.post(path, form)
    assert refused.status_code == 400
    assert "This request cannot be read" in refused.get_data(as_text=True)
    with database(app).sessions() as session:
        shop = session.scalars(select(Shop).where(Shop.slug == "comptoir")).one()
        assert "Un café" not in str(shop.description)
    accepted = owner.post(path, {**form, "description_fr": "Un café.\r\nOuvert\tle matin."})
    assert accepted.status_code == 303
    with database(app).sessions() as session:
        shop = session.scalars(select(Shop).where(Shop.slug == "comptoir")).one()
        assert shop.description["fr"] == "Un café.\r\nOuvert\tle matin."


def test_a_json_body_holding_one_is_refused_naming_the_field(app, client, world):
    headers = {"Authorization": f"Bearer {factories.token(app, 'encode')}"}
    response = client.post(
        "/api/v1/batches", json={"place": "la-piscine\x00", "count": 1}, headers=headers
    )
    assert response.status_code == 422 and response.json["error"]["field"] == "place"
    assert _count(app, Batch) == 1  # the one the world issued: nothing new
