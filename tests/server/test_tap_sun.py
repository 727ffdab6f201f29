"""NTAG 424 DNA taps: SUN messages checked by the drainer, counters accepted once, replays shown.

The parsing and checking of a tapped URL is held to NXP AN12196's published SUN messages; the
tap route, whose keys are derived from the keyring, is driven with messages made as the chip
makes them (tags.ntag424.sun, itself checked against the same note in tests/tags/ntag424).
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import threading

import pytest
from sqlalchemy import select

from server.config import keyring as app_keyring
from server.db import Database, database, failure_kind
from server.models import Outcome, Sticker, Tap, VisitorKind
from server.portal.words import health_problem
from server.services.rollups.refresh import refresh
from server.services.stats import sticker_health
from server.taps.store import store_taps
from server.taps.sun import SunKeys, find_message
from tags import codes
from tags.ntag424 import keys as sun_keys
from tags.ntag424.sun import SunError, encrypt_picc_data, sdm_mac, verify_sun
from tests.server.factories import PHONE, drained_taps, installed_sticker, spool_record
from tests.tags.ntag424 import vectors as v

UID = "04DE5F1EACC040"
WHATSAPP = "WhatsApp/2.23.20.0 A"


# --- the published messages -------------------------------------------------------------------


def test_an12196_sun_message_decodes_to_its_uid_and_counter():
    message = find_message("e=EF963FF7828658A599F3041510671E88&c=94EED9EE65337086")
    assert message is not None and message.mac_input == b"" and message.file_data is None
    tap = verify_sun(v.ZERO_KEY, v.ZERO_KEY, message.picc_data, message.mac, message.mac_input)
    assert tap.uid == bytes.fromhex("04DE5F1EACC040") and tap.counter == 61


def test_an12196_message_with_encrypted_file_data_verifies_over_the_right_text():
    query = (
        "picc_data=FD91EC264309878BE6345CBE53BADF40"
        "&enc=CEE9A53E3E463EF1F459635736738962&cmac=ECC1E7F6C6C73BF6"
    )
    message = find_message(query)
    assert message is not None
    assert message.mac_input == b"CEE9A53E3E463EF1F459635736738962&cmac="
    tap = verify_sun(
        v.ZERO_KEY,
        v.ZERO_KEY,
        message.picc_data,
        message.mac,
        message.mac_input,
        message.file_data,
    )
    assert tap.uid == v.T5_UID and tap.counter == 8 and tap.file_data is not None


def test_an12196_message_with_one_changed_digit_is_refused():
    message = find_message("e=EF963FF7828658A599F3041510671E88&c=94EED9EE65337087")
    assert message is not None
    with pytest.raises(SunError, match="MAC does not match"):
        verify_sun(v.ZERO_KEY, v.ZERO_KEY, message.picc_data, message.mac)


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ("e=EF963FF7828658A599F3041510671E88", "both"),
        ("e=EF96&c=94EED9EE65337086", "32 hexadecimal digits"),
        ("e=" + "0" * 32 + "&c=" + "0" * 16, "placeholders"),
        ("e=" + "G" * 32 + "&c=94EED9EE65337086", "32 hexadecimal digits"),
        ("e=EF963FF7828658A599F3041510671E88&c=94EED9EE6533708Z", "16 hexadecimal digits"),
        ("e=EF963FF7828658A599F3041510671E88&c=94EED9EE65337086&c=94EED9EE65337086", "once"),
        ("e=EF963FF7828658A599F3041510671E88&f=ABC&c=94EED9EE65337086", "16-byte blocks"),
    ],
)
def test_malformed_sun_parameters_say_what_is_wrong(query, error):
    with pytest.raises(SunError, match=error):
        find_message(query)


def test_a_query_without_sun_parameters_is_not_a_sun_message():
    assert find_message("M=04E141124C2880x003F31") is None and find_message("") is None


# --- the tap route -----------------------------------------------------------------------------


def sun_query(app, code: str, uid: str, counter: int, filler: bytes = bytes(5)) -> str:
    """The query an NTAG 424 DNA personalised for `code` mirrors at read `counter`."""
    kid = codes.split(code)[0]
    master = sun_keys.master_key(app_keyring(app).get(kid).secret)
    keys = sun_keys.sticker_keys(master, bytes.fromhex(uid), kid)
    picc = encrypt_picc_data(keys.meta_read, bytes.fromhex(uid), counter, filler)
    mac = sdm_mac(keys.file_read, bytes.fromhex(uid), counter)
    return f"e={picc.hex().upper()}&c={mac.hex().upper()}"


def sun_sticker(app) -> dict:
    return installed_sticker(app, uid=UID, chip="ntag424")


def tap(client, sticker: dict, query: str, agent: str = PHONE, method: str = "GET"):
    path = sticker["url"].removeprefix("https://t.example.org") + "?" + query
    return client.open(path, method=method, headers={"User-Agent": agent})


def test_a_sun_tap_is_accepted_once_and_its_replay_recorded_as_such(app, client):
    sticker = sun_sticker(app)
    query = sun_query(app, sticker["code"], UID, 5)
    first, again = tap(client, sticker, query), tap(client, sticker, query)
    # The visitor who replays is still sent on to the place: only the count is refused.
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"] == "/fr/p/la-piscine"
    accepted, replayed = drained_taps(app)
    assert (accepted.outcome, accepted.mirror_uid, accepted.mirror_counter) == (
        Outcome.OK,
        UID,
        5,
    )
    assert accepted.counter_advanced is True and accepted.uid_matches is True
    assert replayed.outcome is Outcome.REPLAYED and replayed.counter_advanced is False
    with database(app).sessions() as session:
        assert session.get(Sticker, sticker["tag_id"]).sun_counter == 5


def test_a_visitor_who_objects_gets_the_same_sun_outcomes_without_an_id(app, client):
    sticker = sun_sticker(app)
    query = sun_query(app, sticker["code"], UID, 5)
    gpc = {"Sec-GPC": "1"}
    path = sticker["url"].removeprefix("https://t.example.org")
    answers = [
        client.get(f"{path}?{q}", headers={"User-Agent": PHONE, **gpc}) for q in (query, query, "")
    ]
    assert [a.status_code for a in answers] == [303, 303, 303]
    assert not any("Set-Cookie" in a.headers for a in answers)  # no audience cookie is set
    taps = drained_taps(app)
    assert [(t.outcome, t.visitor_id, t.visitor_kind) for t in taps] == [
        (Outcome.OK, None, VisitorKind.OBJECTED),
        (Outcome.REPLAYED, None, VisitorKind.OBJECTED),
        (Outcome.BAD_SUN, None, VisitorKind.OBJECTED),
    ]
    with database(app).sessions() as session:  # an objecting tap still uses its counter up
        assert session.get(Sticker, sticker["tag_id"]).sun_counter == 5


def test_gaps_are_accepted_and_a_counter_that_goes_back_is_a_replay(app, client):
    sticker = sun_sticker(app)
    for counter in (3, 40, 39, 41):  # 4 to 39 read by phones that never opened the URL
        response = tap(client, sticker, sun_query(app, sticker["code"], UID, counter))
        assert response.status_code == 303
    outcomes = [(t.mirror_counter, t.outcome) for t in drained_taps(app)]
    assert outcomes == [
        (3, Outcome.OK),
        (40, Outcome.OK),
        (39, Outcome.REPLAYED),
        (41, Outcome.OK),
    ]


def test_a_link_preview_does_not_use_up_the_counter_of_the_visitor_who_follows(app, client):
    sticker = sun_sticker(app)
    query = sun_query(app, sticker["code"], UID, 9)
    preview = tap(client, sticker, query, agent=WHATSAPP)
    head = tap(client, sticker, query, method="HEAD")
    visitor = tap(client, sticker, query)
    assert preview.status_code == 200 and visitor.status_code == 303 and head.status_code == 303
    rows = drained_taps(app)
    assert [(t.human, t.reason, t.outcome) for t in rows] == [
        (False, "link preview: WhatsApp", Outcome.OK),
        (False, "head", Outcome.OK),
        (True, None, Outcome.OK),
    ]
    # After the visitor, the same URL fetched again by a preview is a replay too.
    tap(client, sticker, query, agent=WHATSAPP)
    assert drained_taps(app)[-1].outcome is Outcome.REPLAYED


@pytest.mark.parametrize(
    ("mangle", "error"),
    [
        (lambda q: q[:-1] + ("0" if q[-1] != "0" else "1"), "MAC does not match"),
        (lambda q: "", "carries no SUN message"),
        (lambda q: "e=" + "0" * 32 + "&c=" + "0" * 16, "placeholders"),
        # A chip switched to LRP mode (AN12304) mirrors 24 bytes of PICC data: said plainly.
        (lambda q: "e=" + "5A" * 24 + "&c=" + "0123456789ABCDEF", "in LRP mode (NXP AN12304)"),
    ],
)
def test_a_forged_or_missing_sun_message_is_sent_on_but_not_counted(app, client, mangle, error):
    sticker = sun_sticker(app)
    response = tap(client, sticker, mangle(sun_query(app, sticker["code"], UID, 5)))
    assert response.status_code == 303
    [recorded] = drained_taps(app)
    assert recorded.outcome is Outcome.BAD_SUN and error in recorded.mirror_error
    with database(app).sessions() as session:
        assert session.get(Sticker, sticker["tag_id"]).sun_counter is None


def test_a_tap_without_sun_recorded_while_the_sticker_was_unknown_is_not_counted(app):
    # The tap path could not tell this sticker is an NTAG 424 DNA (the database was away and
    # nothing was cached): it recorded a plain tap. The sticker as stored decides.
    sticker = sun_sticker(app)
    record = sun_record(sticker["tag_id"], 5, 0)
    for field in ("sun", "mirror_uid", "mirror_counter"):
        del record[field]
    store_taps(database(app), [record])
    with database(app).sessions() as session:
        [stored] = session.scalars(select(Tap))
        assert stored.outcome is Outcome.BAD_SUN
        assert session.get(Sticker, sticker["tag_id"]).sun_counter is None


def test_a_genuine_message_of_another_chip_is_refused(app, client):
    sticker = sun_sticker(app)
    other = "04A1B2C3D4E5F6"
    tap(client, sticker, sun_query(app, sticker["code"], other, 5))
    [recorded] = drained_taps(app)
    assert recorded.outcome is Outcome.BAD_SUN and recorded.mirror_uid == other


def test_an_ntag21x_mirror_is_left_to_the_mirror_check(app, client):
    sticker = installed_sticker(app)
    tap(client, sticker, "M=04A1B2C3D4E5F6x000007")
    [recorded] = drained_taps(app)
    assert recorded.outcome is Outcome.OK and recorded.mirror_counter == 7


def test_replays_show_in_sticker_health(app, client):
    sticker = sun_sticker(app)
    query = sun_query(app, sticker["code"], UID, 5)
    for _ in range(3):
        tap(client, sticker, query)
    drained_taps(app)
    refresh(database(app))
    with database(app).sessions() as session:
        territory = session.get(Sticker, sticker["tag_id"]).place.territory_id
        now = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
        [health] = sticker_health(session, territory, now, copies_since=now.date())
    assert (health.sticker_id, health.problem, health.suspected) == (
        sticker["tag_id"],
        "replayed",
        2,
    )


@pytest.mark.parametrize(
    ("language", "said"), [("fr", "URL rejouée"), ("nl", "herhaalde URL"), ("en", "URL replayed")]
)
def test_the_health_page_says_replayed_in_the_reader_language(app, language, said):
    with app.test_request_context(headers={"Accept-Language": language}):
        assert said in health_problem("replayed")


def test_sun_keys_refuse_a_revoked_key(keyring):
    ring = keyring.rotate()
    old = ring.keys[0].name
    ring = ring.revoke(old)
    message = find_message("e=EF963FF7828658A599F3041510671E88&c=94EED9EE65337086")
    with pytest.raises(SunError, match="no usable SUN master key"):
        SunKeys(ring).verify(ring.by_name(old).kid, message)


# --- two taps with the same counter, racing ----------------------------------------------------


def sun_record(tag_id: int, counter: int, n: int) -> dict:
    return spool_record(
        f"{dt.datetime.now(dt.UTC).timestamp():.6f}-{os.getpid()}-{n}"[:32],
        dt.datetime.now(dt.UTC).isoformat(),
        tag_id,
        visitor_id=f"v{n}",
        mirror_uid=UID,
        mirror_counter=counter,
        sun=True,
    )


def store_until_stored(url: str, record: dict, barrier) -> None:
    """What the drainer does: store, and try again later if the database said "busy"."""
    db = Database(url)
    try:
        barrier.wait(timeout=30)
        while True:
            try:
                store_taps(db, [record])
                return
            except Exception as error:  # SQLite: the loser of a write race is told "locked"
                if failure_kind(error) != "away":
                    raise
    finally:
        db.dispose()


@pytest.mark.parametrize("workers", ["threads", "processes"])
def test_two_taps_with_the_same_counter_racing_exactly_one_wins(committed_app, workers):
    sticker = installed_sticker(committed_app, uid=UID, chip="ntag424")
    url = committed_app.config["DATABASE_URL"]
    database(committed_app).dispose()  # a forked process must not share its connections
    for counter in (10, 11, 12):
        records = [sun_record(sticker["tag_id"], counter, n) for n in range(2)]
        if workers == "threads":
            barrier = threading.Barrier(2)
            runners = [
                threading.Thread(target=store_until_stored, args=(url, r, barrier)) for r in records
            ]
        else:
            context = multiprocessing.get_context("fork")
            barrier = context.Barrier(2)
            runners = [
                context.Process(target=store_until_stored, args=(url, r, barrier)) for r in records
            ]
        for runner in runners:
            runner.start()
        for runner in runners:
            runner.join(timeout=60)
        if workers == "processes":
            assert [runner.exitcode for runner in runners] == [0, 0]
    with database(committed_app).sessions() as session:
        outcomes = session.execute(
            select(Tap.mirror_counter, Tap.outcome).order_by(Tap.mirror_counter)
        ).all()
        assert session.get(Sticker, sticker["tag_id"]).sun_counter == 12
    for counter in (10, 11, 12):
        assert sorted(o.value for c, o in outcomes if c == counter) == ["ok", "replayed"]
