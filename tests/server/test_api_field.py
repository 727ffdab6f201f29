"""The field tool's API: tokens, batches and manifests, registration, verdicts."""

from __future__ import annotations

import pytest

from tags import codes
from tags.urls import parse_mirror
from tests.server.factories import place, token


def auth(value: str) -> dict:
    return {"Authorization": f"Bearer {value}"}


@pytest.fixture
def encode(app) -> dict:
    place(app)
    return auth(token(app, "encode"))


def issue(client, headers, **body):
    return client.post(
        "/api/v1/batches", json={"place": "la-piscine", "count": 3, **body}, headers=headers
    )


def test_a_batch_is_a_manifest_of_signed_urls(app, client, encode, keyring):
    response = issue(client, encode, mirror="both", chip="ntag215", password=True)
    assert response.status_code == 201
    manifest = response.json
    assert response.headers["Location"] == f"/api/v1/batches/{manifest['batch']}"
    assert manifest["format"] == "taptrail-manifest/1"
    assert manifest["place"] == {"slug": "la-piscine", "name": "La Piscine"}
    assert (manifest["chip"], manifest["mirror"], manifest["password"], manifest["lock"]) == (
        "ntag215",
        "both",
        True,
        False,
    )
    tag_ids = [s["tag_id"] for s in manifest["stickers"]]
    assert len(set(tag_ids)) == 3
    for sticker in manifest["stickers"]:
        assert codes.verify(keyring, sticker["code"]) == sticker["tag_id"]
        base, _, mirror = sticker["url"].partition("?M=")
        assert base == f"https://t.example.org/{sticker['code']}"
        assert parse_mirror(mirror) is None  # the placeholder, for the chip to overwrite
    again = client.get(f"/api/v1/batches/{manifest['batch']}", headers=encode)
    assert again.json == manifest
    second = issue(client, encode).json
    assert not set(tag_ids) & {s["tag_id"] for s in second["stickers"]}  # never reused


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"count": 0}, "count"),
        ({"count": "3"}, "count"),
        ({"chip": "mifare"}, "chip"),
        ({"mirror": "sideways"}, "mirror"),
        ({"lock": "yes"}, "lock"),
        ({"place": "nowhere"}, None),
    ],
)
def test_bad_batch_requests_say_which_field(client, encode, body, field):
    response = issue(client, encode, **body)
    assert response.status_code in (404, 422)
    assert response.json["error"]["field"] == field
    assert client.get("/api/v1/batches/1", headers=encode).status_code == 404  # nothing issued


def test_tokens_are_required_and_scoped(app, client):
    place(app)
    assert issue(client, {}).status_code == 401
    assert issue(client, auth("tt_forged")).status_code == 401
    refused = issue(client, auth(token(app, "read-analytics")))
    assert refused.status_code == 403 and "encode" in refused.json["error"]["message"]


def register(client, headers, code, uid="04A1B2C3D4E5F6", chip="ntag213", **extra):
    body = {"code": code, "uid": uid, "chip": chip, **extra}
    return client.post("/api/v1/registrations", json=body, headers=headers)


def test_registration_is_idempotent_and_refuses_contradictions(client, encode):
    batch = issue(client, encode).json
    first, second = batch["stickers"][:2]
    created = register(client, encode, first["code"], encoded_at="2026-05-01T10:00:00+02:00")
    assert created.status_code == 201 and created.json["created"]
    assert created.json["sticker"]["status"] == "encoded"
    assert created.json["sticker"]["encoded_at"].startswith("2026-05-01T08:00:00")
    repeated = register(client, encode, first["code"].lower(), uid="04:a1:b2:c3:d4:e5:f6")
    assert repeated.status_code == 200 and not repeated.json["created"]

    other_chip = register(client, encode, first["code"], uid="04FFFFFFFFFFFF")
    assert (
        other_chip.status_code == 409
        and "already on the chip 04A1B2C3D4E5F6" in other_chip.json["error"]["message"]
    )
    same_chip = register(client, encode, second["code"])
    assert (
        same_chip.status_code == 409 and "already holds code" in same_chip.json["error"]["message"]
    )

    listed = client.get(f"/api/v1/batches/{batch['batch']}/stickers", headers=encode).json["items"]
    assert [(s["status"], s["uid"]) for s in listed] == [
        ("encoded", "04A1B2C3D4E5F6"),
        ("planned", None),
        ("planned", None),
    ]


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"uid": "04A1"}, 422, "uid"),
        ({"chip": "ntag999"}, 422, "chip"),
        ({"code": "not a code"}, 422, "code"),
        ({"code": "1000000000000000000"}, 404, "code"),  # well formed, never issued here
        ({"encoded_at": "yesterday"}, 422, "encoded_at"),
    ],
)
def test_bad_registrations_are_refused(client, encode, change, status, field):
    code = issue(client, encode).json["stickers"][0]["code"]
    response = register(client, encode, **{"code": code, **change})
    assert response.status_code == status and response.json["error"]["field"] == field


def test_the_verdict_on_urls_and_codes(client, encode):
    sticker = issue(client, encode, mirror="both").json["stickers"][0]
    register(client, encode, sticker["code"])
    url = sticker["url"].replace("00000000000000x000000", "04A1B2C3D4E5F6x000003")
    verdict = client.get("/api/v1/verdict", query_string={"url": url}, headers=encode).json
    assert verdict["valid"] and verdict["outcome"] == "ok"
    assert verdict["place"] == {"slug": "la-piscine", "name": "La Piscine"}
    assert verdict["sticker"]["status"] == "encoded"
    assert verdict["mirror"] == {"uid": "04A1B2C3D4E5F6", "counter": 3, "uid_matches": True}
    forged = sticker["code"][:-1] + ("0" if sticker["code"][-1] != "0" else "1")
    refused = client.get("/api/v1/verdict", query_string={"code": forged}, headers=encode).json
    assert not refused["valid"] and refused["outcome"] == "bad signature"
