"""The OpenAPI document describes exactly the API the server has, and what it answers."""

from __future__ import annotations

import re

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from server.api.openapi import document
from tests.server.factories import token

PREFIX = "/api/v1"


def routes(app) -> set[tuple[str, str]]:
    """(path template, method) of every API route, in OpenAPI spelling."""
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(PREFIX + "/"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix(PREFIX))
            found |= {(path, method.lower()) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return found


def test_the_document_is_valid_openapi_3_1():
    assert document()["openapi"].startswith("3.1")
    validate(document())


def test_every_route_is_documented_and_nothing_else(app):
    documented = {(path, method) for path, item in document()["paths"].items() for method in item}
    assert routes(app) == documented


def _schema_for(path: str, method: str, status: int) -> dict:
    response = document()["paths"][path][method]["responses"][str(status)]
    if "$ref" in response:
        name = response["$ref"].rsplit("/", 1)[-1]
        response = document()["components"]["responses"][name]
    return response["content"]["application/json"]["schema"]


def check(path: str, method: str, response) -> None:
    """Validate a response against the schema documented for its path, method and status."""
    schema = _schema_for(path, method, response.status_code)
    registry = Registry().with_resource(
        "urn:openapi", Resource.from_contents(document(), default_specification=DRAFT202012)
    )
    resolved = {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
    validator = Draft202012Validator(_rebase(resolved), registry=registry)
    errors = [error.message for error in validator.iter_errors(response.json)]
    assert not errors, f"{method.upper()} {path} {response.status_code}: {errors}"


def _rebase(schema):
    """Point local references at the registered document."""
    if isinstance(schema, dict):
        return {
            key: (
                "urn:openapi" + value if key == "$ref" and value.startswith("#") else _rebase(value)
            )
            for key, value in schema.items()
        }
    if isinstance(schema, list):
        return [_rebase(item) for item in schema]
    return schema


@pytest.fixture
def demo(demo_loaded_app):
    """The API's credentials on the app holding the demo."""
    return {"Authorization": f"Bearer {token(demo_loaded_app, 'encode')}"}


def test_responses_match_the_document(demo_loaded_app, demo):
    headers = demo
    client = demo_loaded_app.test_client()
    at = {"at": "2026-11-26T12:00:00Z"}
    calls = [
        ("/territories", "get", client.get(PREFIX + "/territories")),
        ("/places", "get", client.get(PREFIX + "/places")),
        ("/places/{slug}", "get", client.get(PREFIX + "/places/la-piscine")),
        ("/places/{slug}", "get", client.get(PREFIX + "/places/nowhere")),
        ("/shops", "get", client.get(PREFIX + "/shops", query_string={"territory": "roubaix"})),
        ("/shops/{slug}", "get", client.get(PREFIX + "/shops/brasserie-du-beffroi")),
        ("/pois", "get", client.get(PREFIX + "/pois")),
        ("/pois/{slug}", "get", client.get(PREFIX + "/pois/parc-barbieux")),
        ("/offers", "get", client.get(PREFIX + "/offers")),
        ("/offers", "get", client.get(PREFIX + "/offers", query_string={"valid_on": "soon"})),
        ("/offers/{slug}", "get", client.get(PREFIX + "/offers/beffroi-billet-piscine")),
        (
            "/events",
            "get",
            client.get(PREFIX + "/events", query_string={"from": "2026-11-26T00:00:00Z"}),
        ),
        ("/walks", "get", client.get(PREFIX + "/walks")),
        ("/walks/{slug}", "get", client.get(PREFIX + "/walks/roubaix-piscine-grand-place")),
        (
            "/nearby",
            "get",
            client.get(PREFIX + "/nearby", query_string={"place": "la-piscine", **at}),
        ),
        (
            "/nearby",
            "get",
            client.get(PREFIX + "/nearby", query_string={"lat": 50.627, "lon": 3.05, **at}),
        ),
        ("/nearby", "get", client.get(PREFIX + "/nearby", query_string={"place": "nowhere"})),
        ("/openapi.json", "get", client.get(PREFIX + "/openapi.json")),
    ]
    event_id = calls[11][2].json["items"][0]["id"]
    calls.append(("/events/{event_id}", "get", client.get(f"{PREFIX}/events/{event_id}")))
    batch = client.post(
        PREFIX + "/batches",
        json={"place": "la-piscine", "count": 2, "mirror": "uid"},
        headers=headers,
    )
    manifest = batch.json
    code = manifest["stickers"][0]["code"]
    registration = {"code": code, "uid": "04A1B2C3D4E5F6", "chip": "ntag213"}
    calls += [
        ("/batches", "post", batch),
        (
            "/batches",
            "post",
            client.post(PREFIX + "/batches", json={"place": "la-piscine"}, headers=headers),
        ),
        ("/batches", "post", client.post(PREFIX + "/batches", json={"place": "x", "count": 1})),
        (
            "/batches/{batch_id}",
            "get",
            client.get(f"{PREFIX}/batches/{manifest['batch']}", headers=headers),
        ),
        ("/batches/{batch_id}", "get", client.get(f"{PREFIX}/batches/999999", headers=headers)),
        (
            "/batches/{batch_id}/stickers",
            "get",
            client.get(f"{PREFIX}/batches/{manifest['batch']}/stickers", headers=headers),
        ),
        (
            "/registrations",
            "post",
            client.post(PREFIX + "/registrations", json=registration, headers=headers),
        ),
        (
            "/registrations",
            "post",
            client.post(PREFIX + "/registrations", json=registration, headers=headers),
        ),
        (
            "/registrations",
            "post",
            client.post(
                PREFIX + "/registrations",
                json={**registration, "uid": "04FFFFFFFFFFFF"},
                headers=headers,
            ),
        ),
        (
            "/verdict",
            "get",
            client.get(
                PREFIX + "/verdict",
                query_string={"url": manifest["stickers"][0]["url"]},
                headers=headers,
            ),
        ),
        (
            "/verdict",
            "get",
            client.get(PREFIX + "/verdict", query_string={"code": "nonsense"}, headers=headers),
        ),
    ]
    statuses = set()
    for path, method, response in calls:
        check(path, method, response)
        statuses.add(response.status_code)
    assert statuses == {200, 201, 401, 404, 409, 422}
