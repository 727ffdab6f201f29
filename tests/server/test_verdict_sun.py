"""GET /api/v1/verdict on an NTAG 424 DNA's SUN URL: what the message proves, and whether a tap of
it now would count, without ever spending the counter."""

from __future__ import annotations

from server.config import keyring as app_keyring
from server.models import Outcome
from server.taps.sun import NO_SUN
from tags import codes
from tags.ntag424 import keys as sun_keys
from tags.ntag424.sun import encrypt_file_data, encrypt_picc_data, sdm_mac
from tests.server.factories import PHONE, drained_taps, place, token
from tests.server.test_tap_sun import UID, sun_query, sun_sticker, tap


def verdict(client, headers, url):
    response = client.get("/api/v1/verdict", query_string={"url": url}, headers=headers)
    assert response.status_code == 200
    return response.json


def setup(app):
    sticker = sun_sticker(app)
    return sticker, {"Authorization": f"Bearer {token(app, 'encode')}"}


def url(sticker, query):
    return f"{sticker['url'].split('?')[0]}?{query}"


def test_a_fresh_sun_url_is_valid_and_a_verdict_never_spends_its_counter(app, client):
    sticker, headers = setup(app)
    query = sun_query(app, sticker["code"], UID, 5)
    for _ in range(2):  # asked twice: the counter is still unspent
        answer = verdict(client, headers, url(sticker, query))
        assert answer["valid"] and answer["outcome"] == "ok"
        assert answer["place"] == {"slug": "la-piscine", "name": "La Piscine"}
        assert answer["sticker"]["status"] == "installed" and answer["mirror"] is None
        assert answer["sun"] == {
            "verified": True,
            "uid": UID,
            "counter": 5,
            "uid_matches": True,
            "last_accepted": None,
            "accepted_now": True,
            "file_data": None,
        }
    assert drained_taps(app) == []  # a verdict is not a tap
    # A visitor taps it: counted. The same URL is now a replay; a later counter is not.
    assert tap(client, sticker, query).status_code == 303
    drained_taps(app)
    replayed = verdict(client, headers, url(sticker, query))
    assert not replayed["valid"] and replayed["outcome"] == "replayed"
    assert replayed["sun"]["last_accepted"] == 5 and not replayed["sun"]["accepted_now"]
    later = verdict(client, headers, url(sticker, sun_query(app, sticker["code"], UID, 9)))
    assert later["valid"] and later["sun"]["counter"] == 9 and later["sun"]["accepted_now"]


def test_a_forged_or_missing_sun_message_is_bad_sun_with_the_reason(app, client):
    sticker, headers = setup(app)
    query = sun_query(app, sticker["code"], UID, 5)
    forged = query[:-1] + ("0" if query[-1] != "0" else "1")
    answer = verdict(client, headers, url(sticker, forged))
    assert not answer["valid"] and answer["outcome"] == "bad sun"
    assert answer["sun"]["verified"] is False and "MAC does not match" in answer["sun"]["error"]
    stripped = verdict(client, headers, sticker["url"].split("?")[0])
    assert stripped["outcome"] == "bad sun" and stripped["sun"]["error"] == NO_SUN
    # The code alone says nothing of SUN: the sticker's verdict.
    code = client.get("/api/v1/verdict", query_string={"code": sticker["code"]}, headers=headers)
    assert code.json["valid"] and code.json["sun"] is None


def test_another_chips_genuine_message_is_bad_sun(app, client):
    sticker, headers = setup(app)
    other = sun_query(app, sticker["code"], "04A1B2C3D4E5F6", 5)
    answer = verdict(client, headers, url(sticker, other))
    assert answer["outcome"] == "bad sun" and answer["sun"]["verified"]
    assert answer["sun"]["uid"] == "04A1B2C3D4E5F6" and answer["sun"]["uid_matches"] is False


def test_the_variant_with_encrypted_file_data(app, client):
    sticker, headers = setup(app)
    kid = codes.split(sticker["code"])[0]
    master = sun_keys.master_key(app_keyring(app).get(kid).secret)
    keys = sun_keys.sticker_keys(master, bytes.fromhex(UID), kid)
    uid = bytes.fromhex(UID)
    picc = encrypt_picc_data(keys.meta_read, uid, 7, bytes(5)).hex().upper()
    data = encrypt_file_data(keys.file_read, uid, 7, b"loyalty:0042....").hex().upper()
    mac = sdm_mac(keys.file_read, uid, 7, f"{data}&c=".encode()).hex().upper()
    answer = verdict(client, headers, url(sticker, f"e={picc}&f={data}&c={mac}"))
    assert answer["valid"] and answer["sun"]["counter"] == 7
    assert bytes.fromhex(answer["sun"]["file_data"]) == b"loyalty:0042...."


def test_a_424_code_not_registered_yet_proves_a_tap_only_with_sun_as_its_verdict_says(app, client):
    # Issued in a 424 batch, its chip not registered (the field tool could not tell the server):
    # its bare URL is still no proof of a tap, on the tap path as in the verdict.
    headers = {"Authorization": f"Bearer {token(app, 'encode')}"}
    place(app)
    body = {"place": "la-piscine", "count": 1, "chip": "ntag424"}
    sticker = client.post("/api/v1/batches", json=body, headers=headers).json["stickers"][0]
    bare = sticker["url"].split("?")[0]
    said = verdict(client, headers, bare)
    assert said["outcome"] == "bad sun" and said["sun"]["error"] == NO_SUN
    answer = client.get(bare.removeprefix("https://t.example.org"), headers={"User-Agent": PHONE})
    assert answer.status_code == 303 and answer.headers["Location"] == "/fr/p/la-piscine"
    [stored] = drained_taps(app)
    assert stored.outcome is Outcome.BAD_SUN and stored.mirror_error == NO_SUN
    # With its SUN message, it counts.
    query = sun_query(app, sticker["code"], UID, 3)
    assert verdict(client, headers, url(sticker, query))["outcome"] == "ok"
    tapped = client.get(url(sticker, query).removeprefix("https://t.example.org"))
    assert tapped.status_code == 303
    assert [t.outcome for t in drained_taps(app)] == [Outcome.BAD_SUN, Outcome.OK]
