"""NTAG 424 DNA batches for the field tool: SUN URLs in the manifest, and each chip's keys."""

from __future__ import annotations

import pytest

from tags.ntag424.keys import master_key, sticker_keys
from tags.ntag424.layout import sun_url
from tests.server.factories import place, token

UID = "04DE5F1EACC040"


def auth(value: str) -> dict:
    return {"Authorization": f"Bearer {value}"}


@pytest.fixture
def encode(app) -> dict:
    place(app)
    return auth(token(app, "encode"))


def issue(client, headers, **body):
    body = {"place": "la-piscine", "count": 2, "chip": "ntag424", **body}
    return client.post("/api/v1/batches", json=body, headers=headers)


def keys(client, headers, code, uid=UID):
    return client.post("/api/v1/sun-keys", json={"code": code, "uid": uid}, headers=headers)


def test_an_ntag424_batch_holds_sun_urls(client, encode):
    manifest = issue(client, encode).json
    assert manifest["chip"] == "ntag424" and manifest["mirror"] is None
    for sticker in manifest["stickers"]:
        assert sticker["url"] == sun_url("https://t.example.org", sticker["code"])
        assert sticker["url"].endswith("?e=" + "0" * 32 + "&c=" + "0" * 16)


@pytest.mark.parametrize("option", [{"mirror": "both"}, {"password": True}, {"lock": True}])
def test_ntag21x_options_are_refused_for_an_ntag424_batch(client, encode, option):
    response = issue(client, encode, **option)
    assert response.status_code == 422
    assert "NTAG21x" in response.json["error"]["message"]


def test_the_keys_of_a_chip_are_derived_from_the_key_that_signed_its_code(client, encode, keyring):
    code = issue(client, encode).json["stickers"][0]["code"]
    response = keys(client, encode, code, "04:de:5f:1e:ac:c0:40")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    kid = keyring.active.kid
    expected = sticker_keys(master_key(keyring.active.secret), bytes.fromhex(UID), kid)
    assert response.json == {
        "version": kid,
        "keys": [key.hex().upper() for key in expected.keys],
    }


def test_keys_are_refused_for_an_ntag21x_code_and_for_a_second_chip(client, encode):
    plain = issue(client, encode, chip="ntag213").json["stickers"][0]["code"]
    assert keys(client, encode, plain).status_code == 409
    code = issue(client, encode).json["stickers"][0]["code"]
    body = {"code": code, "uid": UID, "chip": "ntag424"}
    assert client.post("/api/v1/registrations", json=body, headers=encode).status_code == 201
    assert keys(client, encode, code).status_code == 200  # the same chip again: resumable
    other = keys(client, encode, code, "04A1B2C3D4E5F6")
    assert other.status_code == 409 and "already on the chip" in other.json["error"]["message"]


def test_keys_need_an_encode_token(app, client):
    place(app)
    reader = auth(token(app, "read-analytics"))
    assert keys(client, reader, "1000C1SS9CG22JXH6EK").status_code == 403


def reset_keys(client, headers, code, uid=UID):
    body = {"code": code, "uid": uid, "reset": True}
    return client.post("/api/v1/sun-keys", json=body, headers=headers)


def told(client, headers, code, uid=UID):
    return client.post("/api/v1/resets", json={"code": code, "uid": uid}, headers=headers)


def test_a_reset_gets_the_chips_keys_even_retired_then_retires_the_code_and_frees_the_chip(
    client, encode
):
    first, second = (s["code"] for s in issue(client, encode).json["stickers"])
    personalising = keys(client, encode, first).json
    body = {"code": first, "uid": UID, "chip": "ntag424"}
    assert client.post("/api/v1/registrations", json=body, headers=encode).status_code == 201
    assert reset_keys(client, encode, first).json == personalising
    answer = told(client, encode, first)
    assert answer.status_code == 200
    assert (answer.json["sticker"]["status"], answer.json["sticker"]["uid"]) == ("retired", None)
    assert told(client, encode, first).status_code == 200  # said twice: harmless
    # A reset pulled after the server was told still gets its keys: the code is retired...
    assert reset_keys(client, encode, first).json == personalising
    assert keys(client, encode, first).status_code == 409  # ...never written again
    # ...and the chip takes another code.
    assert keys(client, encode, second).status_code == 200


def test_a_reset_is_refused_for_another_chip_an_ntag21x_code_or_a_bad_flag(client, encode):
    code = issue(client, encode).json["stickers"][0]["code"]
    body = {"code": code, "uid": UID, "chip": "ntag424"}
    assert client.post("/api/v1/registrations", json=body, headers=encode).status_code == 201
    other = reset_keys(client, encode, code, "04A1B2C3D4E5F6")
    assert other.status_code == 409 and "holds a copy of its URL" in other.json["error"]["message"]
    assert told(client, encode, code, "04A1B2C3D4E5F6").status_code == 409
    plain = issue(client, encode, chip="ntag213").json["stickers"][0]["code"]
    refused = told(client, encode, plain, "04A1B2C3D4E5F6")
    assert refused.status_code == 409 and "tagwriter write --rewrite" in refused.text
    bad = client.post(
        "/api/v1/sun-keys", json={"code": code, "uid": UID, "reset": "yes"}, headers=encode
    )
    assert bad.status_code == 422


@pytest.mark.parametrize("path", ["/api/v1/sun-keys", "/api/v1/resets", "/api/v1/registrations"])
def test_a_huge_uid_is_refused_without_being_echoed_back_whole(client, encode, path):
    code = issue(client, encode).json["stickers"][0]["code"]
    huge = "04" * 400_000  # 800 KB, under the body limit
    body = {"code": code, "uid": huge, **({"chip": "ntag424"} if "registr" in path else {})}
    answer = client.post(path, json=body, headers=encode)
    assert answer.status_code == 422 and answer.json["error"]["field"] == "uid"
    assert "14 hex digits" in answer.json["error"]["message"]
    assert len(answer.data) < 1000  # the message quotes the start of the uid, not all of it


def test_a_huge_chip_name_is_refused_without_being_echoed_back_whole(client, encode):
    code = issue(client, encode).json["stickers"][0]["code"]
    body = {"code": code, "uid": UID, "chip": "ntag" * 200_000}
    answer = client.post("/api/v1/registrations", json=body, headers=encode)
    assert answer.status_code == 422 and answer.json["error"]["field"] == "chip"
    assert "choose one of" in answer.json["error"]["message"] and len(answer.data) < 1000


def test_a_sticker_of_a_revoked_key_is_still_reset_but_never_tapped(app, client, encode, keyring):
    code = issue(client, encode).json["stickers"][0]["code"]
    personalising = keys(client, encode, code).json
    body = {"code": code, "uid": UID, "chip": "ntag424"}
    assert client.post("/api/v1/registrations", json=body, headers=encode).status_code == 201
    signer = keyring.active.name
    app.extensions["taptrail.keyring"] = keyring.rotate().revoke(signer)
    # Its taps are refused...
    assert client.get(f"/{code}").status_code == 410
    # ...and its code writes no new sticker...
    refused = keys(client, encode, code)
    assert refused.status_code == 409 and "revoked key" in refused.json["error"]["message"]
    # ...but the chip keyed with it gets its keys back to be reset, and the reset is recorded.
    assert reset_keys(client, encode, code).json == personalising
    answer = told(client, encode, code)
    assert answer.status_code == 200
    assert (answer.json["sticker"]["status"], answer.json["sticker"]["uid"]) == ("retired", None)


def test_a_reset_whose_key_left_the_keyring_says_to_restore_it(app, client, encode, keyring):
    code = issue(client, encode).json["stickers"][0]["code"]
    signer = keyring.active
    newer = keyring.rotate()
    app.extensions["taptrail.keyring"] = type(keyring)(
        tuple(key for key in newer.keys if key.kid != signer.kid)
    )
    for answer in (reset_keys(client, encode, code), told(client, encode, code)):
        assert answer.status_code == 409
        assert answer.json == {
            "error": {
                "code": "conflict",
                "status": 409,
                "field": "code",
                "message": (
                    f"code {code!r} was signed by key {signer.name}, which is not in this "
                    "server's keyring: the chips keyed with it cannot be reset without it; "
                    f"restore a keyring copy that holds key {signer.name} with 'taptrail keys "
                    "restore COPY' and restart the server, then reset again"
                ),
            }
        }
