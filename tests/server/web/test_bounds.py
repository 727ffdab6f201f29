"""Numbers in URLs past what the database holds, and numbers that are not finite: every
<int:...> route of the URL map answers 404 for 2^31, 2^63 and 2^64 (on SQLite and PostgreSQL,
whose id columns are 32-bit), and
nan or inf in a float parameter is refused like any unreadable number, never an HTTP 500."""

from __future__ import annotations

import re

import pytest
from werkzeug.routing import IntegerConverter

from server.web.converters import DATABASE_MAX
from tests.server import factories
from tests.server.portal.conftest import EMAILS, Browser, seed_portal

# What a route's other parts are filled with: things that exist, so that the number is reached.
FILLING = {
    "lang": "fr",
    "slug": "comptoir",
    "offer_slug": "comptoir-cafe",
    "kid": "1",
    "name": "totals",
    "token": "x",
    "code": "x",
    "kind": "place",
}
TOO_LARGE = [2**31, 2**63, 2**64, 10**30]


def int_routes(app) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    """(rule, method, path template with {n}) of every route holding an <int:...>."""
    found = []
    for rule in app.url_map.iter_rules():
        if not any(isinstance(c, IntegerConverter) for c in rule._converters.values()):
            continue
        path = re.sub(r"<int:\w+>", "{n}", rule.rule)
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: FILLING[m.group(1)], path)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((rule.rule, method, path))
    return found


def test_every_int_route_is_bounded(app):
    routes = int_routes(app)
    assert len(routes) >= 15  # events, batches, photos, review, stickers, tokens, users...
    for rule in app.url_map.iter_rules():
        for converter in rule._converters.values():
            if isinstance(converter, IntegerConverter):
                assert converter.max is not None and converter.max <= DATABASE_MAX, rule.rule


def test_ids_past_the_database_integers_are_not_found_on_every_int_route(app):
    seed_portal(app)
    admin = Browser(app.test_client())
    assert admin.login(EMAILS["administrator"]).status_code == 303
    token = {"Authorization": f"Bearer {factories.token(app, 'encode')}"}
    for _rule, method, path in int_routes(app):
        for number in (*TOO_LARGE, DATABASE_MAX):
            url = path.format(n=number)
            if method == "POST" and url.startswith("/portal/"):
                response = admin.post(url)
            else:
                response = admin.client.open(url, method=method, headers=token)
            if number == DATABASE_MAX:  # the largest id a column holds: looked up, not found
                assert response.status_code < 500, f"{method} {url}: {response.status_code}"
                continue
            assert response.status_code == 404, f"{method} {url}: {response.status_code}"
            if url.startswith("/api/"):
                assert response.json["error"]["status"] == 404, url


@pytest.mark.parametrize(
    "query",
    [
        "span=nan",
        "span=inf",
        "span=-inf",
        "span=1e999",
        "lat=nan&lon=3.17",
        "lat=50.69&lon=inf",
        "lat=50.69&lon=3.17&span=NaN",
    ],
)
def test_the_portal_map_takes_nan_and_inf_as_unreadable(app, query):
    seed_portal(app)
    staff = Browser(app.test_client())
    assert staff.login(EMAILS["staff"]).status_code == 303
    response = staff.get(f"/portal/map.png?{query}")
    assert response.status_code == 200 and response.mimetype == "image/png"


@pytest.mark.parametrize("field", ["map.x", "map.y", "map_lat", "map_lon"])
@pytest.mark.parametrize("value", ["nan", "inf", "-Infinity"])
def test_a_click_on_the_map_that_is_not_a_finite_number_is_refused(app, field, value):
    seed_portal(app)
    owner = Browser(app.test_client())
    assert owner.login(EMAILS["owner"]).status_code == 303
    click = {"map_lat": "50.692", "map_lon": "3.168", "map.x": "10", "map.y": "20"}
    response = owner.post("/portal/shops/comptoir/listing", {**click, field: value})
    assert response.status_code == 400  # as for any click that cannot be read; nothing moved
