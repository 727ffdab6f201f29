"""SUN messages checked in the drainer: the tap path spools the message, the stored tap has the
verdict; records spooled before the change, keys gone, mangled lines and a drainer without keys."""

from __future__ import annotations

import datetime as dt
import re

import orjson
import pytest
from sqlalchemy import select

from server.cli import main
from server.db import database
from server.models import Outcome, Sticker, Tap
from server.taps import quarantine
from server.taps.drain import drain
from server.taps.recorder import recorder
from server.taps.sun import (
    OTHER_CHIP,
    SUN_MESSAGE,
    find_message,
    from_spool,
    locate,
    spooled,
)
from server.taps.sun_verdict import SunJudge
from tags import codes
from tags.keyring import Keyring
from tags.ntag424.sun import SunError, verify_sun
from tests.server.factories import PHONE, drained_taps, spool_record, spooled_taps
from tests.server.test_quarantine import cli_env
from tests.server.test_tap_sun import UID, sun_query, sun_sticker, tap
from tests.tags.ntag424 import vectors as v


def sun_counter(app, tag_id: int) -> int | None:
    with database(app).sessions() as session:
        return session.get(Sticker, tag_id).sun_counter


def test_the_tap_path_spools_the_message_and_the_stored_tap_has_the_verdict(app, client):
    sticker = sun_sticker(app)
    good = sun_query(app, sticker["code"], UID, 5)
    forged = good[:-1] + ("0" if good[-1] != "0" else "1")
    assert [tap(client, sticker, q).status_code for q in (good, forged, "")] == [303, 303, 303]
    spooled_good, spooled_forged, bare = spooled_taps(app)
    # Before the drain: the messages as the chip wrote them, no verdict yet...
    for record, query in ((spooled_good, good), (spooled_forged, forged)):
        assert record["outcome"] == Outcome.OK.value
        assert "sun" not in record and "mirror_uid" not in record
        held = record[SUN_MESSAGE]
        assert held["kid"] == codes.split(sticker["code"])[0]
        assert (held["e"], held["c"]) == (query[2:34], query[37:])
    # ...but a tap with no message at all is refused there already, as before.
    assert bare["outcome"] == Outcome.BAD_SUN.value
    assert "carries no SUN message" in bare["mirror_error"]
    assert SUN_MESSAGE not in bare
    accepted, refused, missing = drained_taps(app)
    assert (accepted.outcome, accepted.mirror_uid, accepted.mirror_counter) == (
        Outcome.OK,
        UID,
        5,
    )
    assert accepted.counter_advanced is True and accepted.uid_matches is True
    assert refused.outcome is Outcome.BAD_SUN and "MAC does not match" in refused.mirror_error
    assert missing.outcome is Outcome.BAD_SUN
    assert sun_counter(app, sticker["tag_id"]) == 5


def test_a_genuine_message_of_another_chip_is_refused_where_the_tap_is_stored(app, client):
    sticker = sun_sticker(app)
    other = "04A1B2C3D4E5F6"
    tap(client, sticker, sun_query(app, sticker["code"], other, 5))
    [recorded] = drained_taps(app)
    assert (recorded.outcome, recorded.mirror_uid, recorded.mirror_error) == (
        Outcome.BAD_SUN,
        other,
        OTHER_CHIP,
    )
    assert recorded.uid_matches is False and sun_counter(app, sticker["tag_id"]) is None


def old_record(tag_id: int, n: int, **fields) -> dict:
    """A tap record as the tap path wrote it before SUN messages were checked in the drainer."""
    at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10 - n)
    return spool_record(
        f"00000000000{n:03d}oldspool{n:06x}", at.isoformat(), tag_id, visitor_id=f"v{n}", **fields
    )


def test_records_spooled_before_the_upgrade_drain_as_they_did(app, client):
    sticker = sun_sticker(app)
    tag_id = sticker["tag_id"]
    spool = recorder(app).spool
    # Verified on the tap path by the old code: counter 7 accepted, then its replay...
    spool.append(old_record(tag_id, 1, sun=True, mirror_uid=UID, mirror_counter=7))
    spool.append(old_record(tag_id, 2, sun=True, mirror_uid=UID, mirror_counter=7))
    # ...a forged message and another chip's, refused on the tap path.
    forged = {"outcome": Outcome.BAD_SUN.value, "mirror_error": "the SUN MAC does not match"}
    spool.append(old_record(tag_id, 3, **forged))
    other = {
        "outcome": Outcome.BAD_SUN.value,
        "mirror_uid": "04A1B2C3D4E5F6",
        "mirror_error": OTHER_CHIP,
    }
    spool.append(old_record(tag_id, 4, **other))
    # And a tap of the new code, in the same batch: its counter must be above the old one's.
    tap(client, sticker, sun_query(app, sticker["code"], UID, 6))
    tap(client, sticker, sun_query(app, sticker["code"], UID, 8))
    rows = drained_taps(app)
    assert [(t.outcome, t.mirror_counter, t.mirror_error) for t in rows] == [
        (Outcome.OK, 7, None),
        (Outcome.REPLAYED, 7, None),
        (Outcome.BAD_SUN, None, "the SUN MAC does not match"),
        (Outcome.BAD_SUN, None, OTHER_CHIP),
        (Outcome.REPLAYED, 6, None),
        (Outcome.OK, 8, None),
    ]
    assert sun_counter(app, tag_id) == 8


@pytest.mark.parametrize("change", ["revoked", "left the keyring"])
def test_a_message_whose_key_is_gone_when_drained_is_a_bad_sun_message(
    app, client, keyring, change
):
    sticker = sun_sticker(app)
    tap(client, sticker, sun_query(app, sticker["code"], UID, 5))
    signer = keyring.active
    newer = keyring.rotate()
    app.extensions["taptrail.keyring"] = (
        newer.revoke(signer.name)
        if change == "revoked"
        else type(keyring)(tuple(key for key in newer.keys if key.kid != signer.kid))
    )
    [recorded] = drained_taps(app)
    assert recorded.outcome is Outcome.BAD_SUN
    assert recorded.mirror_error == f"no usable SUN master key for key id {signer.kid}"
    assert sun_counter(app, sticker["tag_id"]) is None


@pytest.mark.parametrize(
    ("held", "error"),
    [
        ("not an object", "not an object"),
        ({"kid": "2", "e": "00", "c": "00"}, "lacks its key id"),
        ({"kid": 2, "e": "zz" * 16, "c": "00" * 8}, "32 hexadecimal digits"),
        ({"kid": 2, "e": "00" * 16, "c": "00" * 8, "f": "abc", "m": "abc&c="}, "16-byte blocks"),
        ({"kid": 99, "e": "01" * 16, "c": "01" * 8}, "no usable SUN master key for key id 99"),
    ],
)
def test_a_mangled_spooled_message_is_a_bad_sun_message_and_the_drain_goes_on(
    app, client, held, error
):
    sticker = sun_sticker(app)
    recorder(app).spool.append(old_record(sticker["tag_id"], 1, **{SUN_MESSAGE: held}))
    tap(client, sticker, sun_query(app, sticker["code"], UID, 5))
    mangled, fine = drained_taps(app)
    assert mangled.outcome is Outcome.BAD_SUN and error in mangled.mirror_error
    assert (fine.outcome, fine.mirror_counter) == (Outcome.OK, 5)
    assert quarantine.entries(app.config["SPOOL_DIR"]) == []


def test_a_preview_checked_in_the_drainer_still_does_not_use_up_the_counter(app, client):
    sticker = sun_sticker(app)
    query = sun_query(app, sticker["code"], UID, 9)
    preview = tap(client, sticker, query, agent="WhatsApp/2.23.20.0 A")
    visitor = tap(client, sticker, query, agent=PHONE)
    assert (preview.status_code, visitor.status_code) == (200, 303)
    assert all(SUN_MESSAGE in record for record in spooled_taps(app))
    assert [(t.human, t.outcome) for t in drained_taps(app)] == [
        (False, Outcome.OK),
        (True, Outcome.OK),
    ]
    assert sun_counter(app, sticker["tag_id"]) == 9


def test_the_drain_command_checks_sun_messages_with_the_servers_keys(committed_app, runner):
    app = committed_app
    sticker = sun_sticker(app)
    tap(app.test_client(), sticker, sun_query(app, sticker["code"], UID, 5))
    recorder(app).spool.sync()
    answer = runner.invoke(main, ["drain"], env=cli_env(app))
    assert answer.exit_code == 0 and "stored 1 taps" in answer.output, answer.output
    with database(app).sessions() as session:
        [stored] = session.scalars(select(Tap))
        assert (stored.outcome, stored.mirror_counter) == (Outcome.OK, 5)


def test_the_drainer_beside_the_workers_checks_sun_messages_too(committed_app, runner):
    app = committed_app
    sticker = sun_sticker(app)
    tap(app.test_client(), sticker, sun_query(app, sticker["code"], UID, 5))
    recorder(app).spool.sync()
    # A parent that is not ours: the drainer leaves at its first look, draining once more.
    command = ["drain", "--follow", "--interval", "0.01", "--parent", "1"]
    answer = runner.invoke(main, command, env=cli_env(app))
    assert answer.exit_code == 0, answer.output
    with database(app).sessions() as session:
        [stored] = session.scalars(select(Tap))
        assert (stored.outcome, stored.mirror_counter) == (Outcome.OK, 5)


def test_a_drainer_without_keys_keeps_the_tap_in_the_quarantine_until_a_replay(
    committed_app, runner
):
    app = committed_app
    sticker = sun_sticker(app)
    tap(app.test_client(), sticker, sun_query(app, sticker["code"], UID, 5))
    recorder(app).spool.sync()
    assert drain(database(app), app.config["SPOOL_DIR"]).quarantined == 1  # no keys given
    tap(app.test_client(), sticker, sun_query(app, sticker["code"], UID, 6))
    recorder(app).spool.sync()
    unreadable = SunJudge(lambda: Keyring.from_env({}))  # no keyring configured: it raises
    assert drain(database(app), app.config["SPOOL_DIR"], sun=unreadable).quarantined == 1
    held = quarantine.entries(app.config["SPOOL_DIR"])
    assert all("not checked yet" in entry["reason"] for entry in held) and len(held) == 2
    assert all(SUN_MESSAGE in entry["tap"] for entry in held)
    replayed = runner.invoke(main, ["quarantine", "replay"], env=cli_env(app))
    assert "stored 2 taps; 0 still in the quarantine" in replayed.output, replayed.output
    with database(app).sessions() as session:
        stored = session.scalars(select(Tap).order_by(Tap.id)).all()
        assert [(t.outcome, t.mirror_uid, t.mirror_counter) for t in stored] == [
            (Outcome.OK, UID, 5),
            (Outcome.OK, UID, 6),
        ]


def test_the_an12196_message_with_file_data_verifies_from_its_spooled_form():
    query = (
        "picc_data=FD91EC264309878BE6345CBE53BADF40"
        "&enc=CEE9A53E3E463EF1F459635736738962&cmac=ECC1E7F6C6C73BF6"
    )
    found = find_message(query)
    assert found is not None
    kid, message = from_spool(orjson.loads(orjson.dumps({"kid": 3, **spooled(found)})))
    assert kid == 3 and message == found
    tap_ = verify_sun(
        v.ZERO_KEY,
        v.ZERO_KEY,
        message.picc_data,
        message.mac,
        message.mac_input,
        message.file_data,
    )
    assert tap_.uid == v.T5_UID and tap_.counter == 8


@pytest.mark.parametrize(
    "query",
    [
        "e=EF963FF7828658A599F3041510671E88&c=94EED9EE65337086",
        "e=ef963ff7828658a599f3041510671e88&c=94eed9ee65337086",
        "c=94EED9EE65337086&e=EF963FF7828658A599F3041510671E88",
        "picc_data=FD91EC264309878BE6345CBE53BADF40"
        "&enc=CEE9A53E3E463EF1F459635736738962&cmac=ECC1E7F6C6C73BF6",
        "e=" + "0" * 32 + "&c=" + "0" * 16,
        "e=" + "G" * 32 + "&c=94EED9EE65337086",
        "e=EF963FF7828658A599F3041510671E88&c=94EED9EE6533708Z",
        "e=EF963FF7828658A599F3041510671E88&c= 4EED9EE65337086",
        "e=EF96&c=94EED9EE65337086",
        "M=04E141124C2880x003F31",
        # Text no chip wrote, between the file data and the MAC: refused, never spooled.
        "e=EF963FF7828658A599F3041510671E88&f="
        + "CE" * 16
        + "&x="
        + "a" * 300
        + "&c=94EED9EE65337086",
    ],
)
def test_the_tap_path_finds_what_find_message_finds(query):
    try:
        expected = find_message(query)
    except SunError as error:
        with pytest.raises(SunError, match=re.escape(str(error))):
            locate(query)
        return
    held = locate(query)
    if expected is None:
        assert held is None
        return
    assert held is not None
    assert from_spool(orjson.loads(orjson.dumps({"kid": 1, **held}))) == (1, expected)


def test_text_no_chip_wrote_before_the_mac_is_refused_rather_than_spooled():
    padded = (
        "e=EF963FF7828658A599F3041510671E88&f=" + "CE" * 16 + "&x=" + "a" * 300 + "&c=" + "9" * 16
    )
    with pytest.raises(SunError, match="than a chip holds"):
        locate(padded)
