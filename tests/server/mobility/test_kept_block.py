"""The mobility block kept per place and language (server/visitor/kept_block.py) says, at every
moment, exactly what a fresh render of the snapshots says: across minute boundaries, feeds
turning stale, departures passing, a trip cancelled, an alert starting and ending, a new fetch;
and a feed's text holding the slot marker never lands in a slot."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import orjson
import pytest
from flask import Flask
from sqlalchemy import select

from server.db import db_session
from server.demo import mobility as demo
from server.i18n import speaking
from server.mobility.live import mobility
from server.mobility.poller import PollerLoop
from server.models import Place
from server.visitor import kept_block
from server.visitor import mobility as said
from tests.server.mobility.gtfs_files import trip_updates
from tests.server.mobility.test_demo_feeds import polled_demo
from tests.server.mobility.test_departures import paris, stops_block, transit_app
from tests.server.mobility.test_place_page import block, moving_app, poll

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")
__all__ = ["moving_app", "transit_app"]  # fixtures, used by name
PARIS_ZONE = ZoneInfo("Europe/Paris")


def compare(app: Flask, moments, sizes=((3, 4), (1, 2))) -> int:
    """Check the kept block against a fresh render at each moment, in each language and at
    both sizes (place page, TV); the number of blocks built again."""
    built = 0
    with app.test_request_context("/"):
        place = db_session().scalars(select(Place).where(Place.slug == "la-piscine")).one()
        kept = kept_block._kept(mobility(app))
        for now in moments:
            for language in ("fr", "en", "nl"):
                for rows, shown in sizes:
                    before = kept_entry(kept, place, language, rows, shown)
                    got = kept_block.markup(place, language, now, rows, shown)
                    with speaking(language):
                        assert got == said.fresh(place, now, rows, shown), (now, language)
                    built += before is not kept_entry(kept, place, language, rows, shown)
    return built


def kept_entry(kept, place, language, rows=3, shown=4):
    """The block kept for `place` in `language` at this size, if any."""
    for key, value in kept.items():
        if key[0] == place.id and key[1] == language and key[3:] == (rows, shown):
            return value
    return None


def test_the_demo_block_stays_exact_for_three_hours(tmp_path, keyring, request):
    with polled_demo(tmp_path, keyring, request) as demo:
        app, live, configured = demo.app, demo.live, demo.live.feeds
        start = max(live.store.snapshot(feed.name).fetched_at for feed in configured)
        # Every 37 s for three hours, then every 7 s about a minute's turn: ages move,
        # departures pass (line 25, the metro), the live data then every figure turns stale.
        moments = [start + dt.timedelta(seconds=37 * n) for n in range(300)]
        moments += [start + dt.timedelta(minutes=5, seconds=50 + 7 * n) for n in range(6)]
        with app.test_request_context("/"):
            place = db_session().scalars(select(Place).where(Place.slug == "la-piscine")).one()
            assert "min" in said.fresh(place, moments[100])  # departures shown
            assert "inconnu" in said.fresh(place, moments[-7])  # and, later, unknown figures
        compare(app, moments)
        # Kept: over a minute of pages 2 s apart, built once in each language, and again at
        # most once when something shown changes in that minute.
        steady = [start + dt.timedelta(minutes=3, seconds=n) for n in range(0, 60, 2)]
        assert compare(app, steady[:1], sizes=((3, 4),)) == 3
        assert compare(app, steady[1:], sizes=((3, 4),)) <= 3
        # A new fetch is shown at once.
        demo.poll_all()
        compare(app, [max(live.store.snapshot(f.name).fetched_at for f in configured)])


def test_an_alert_starts_and_ends_and_a_trip_is_cancelled(transit_app, server):
    now = transit_app.config["NOW"]  # 15:00 in Paris: departures at 15:05, 15:20, 15:35
    server.write(
        "trip-updates.pb",
        trip_updates(
            now - dt.timedelta(seconds=30),
            cancelled=("t1520",),
            delays={"t1505": 240},
            alert="Déviation rue de l'Espérance",
            service_day=dt.date(2026, 11, 28),
            active=(paris(2026, 11, 28, 15, 2), paris(2026, 11, 28, 15, 3, 30)),
        ),
    )
    live = mobility(transit_app)
    assert PollerLoop(live.feeds, live.store).poll(live.feeds[0])
    client = transit_app.test_client()
    moments = [now + dt.timedelta(seconds=13 * n) for n in range(70)]  # to 15:15, live to 15:04:30
    moments += [paris(2026, 11, 28, 15, 3, 30) + dt.timedelta(microseconds=n) for n in (-1, 0, 1)]
    compare(transit_app, sorted(moments))
    said_at = {}
    for minute in (1, 2, 4):
        transit_app.config["FIXED_NOW"] = paris(2026, 11, 28, 15, minute)
        page = client.get("/p/la-piscine").get_data(as_text=True)
        said_at[minute] = ("Déviation" in page, stops_block(client))
    assert [alert for alert, _ in said_at.values()] == [False, True, False]
    assert said_at[2][1] == [
        "25 Tourcoing Centre · dans 7 min 4 min de retard",
        "25 Tourcoing Centre · 15:20 supprimé",
        "25 Wattrelos · dans 33 min horaire prévu",
    ]


@pytest.mark.parametrize("name", ["Parking \x00Gare", "Parking \x000\x00 Gare", "\x001\x00"])
def test_a_name_holding_the_slot_marker_is_never_kept(moving_app, server, name):
    from tests.server.mobility.conftest import NOW

    records = demo.lille_parkings(NOW)
    for record in records:
        record["libelle"] = name
    server.write("parkings.json", orjson.dumps(records))
    assert poll(moving_app) == [True, True]
    now = NOW + dt.timedelta(minutes=2)
    compare(moving_app, [now, now + dt.timedelta(seconds=61)])
    with moving_app.test_request_context("/"):
        place = db_session().scalars(select(Place).where(Place.slug == "la-piscine")).one()
        assert kept_entry(kept_block._kept(mobility(moving_app)), place, "fr") is None
    text = block(moving_app.test_client())
    assert name.replace("\x00", "").strip() in text.replace("\x00", "")
    assert "vélo" in text  # the rest of the block is told as ever


def test_an_alert_on_a_line_shows_while_its_calls_are_in_the_window(transit_app, server):
    # The alert names line 25: a stop shows it while one of its calls is within the window,
    # from 90 minutes before the first (15:05) to 30 minutes after the last (15:35).
    live = mobility(transit_app)
    shown = {}
    for start, moment in (
        (paris(2026, 11, 28, 13, 33), paris(2026, 11, 28, 13, 35)),
        (paris(2026, 11, 28, 16, 3), paris(2026, 11, 28, 16, 5, 1)),
    ):
        server.write("trip-updates.pb", trip_updates(start, alert="Travaux rue de Lille"))
        assert PollerLoop(live.feeds, live.store).poll(live.feeds[0])
        moments = [start + dt.timedelta(seconds=9 * n) for n in range(30)]
        moments += [moment + dt.timedelta(microseconds=n) for n in (-1, 0, 1)]
        compare(transit_app, sorted(moments))
        client = transit_app.test_client()
        for at in (moment - dt.timedelta(seconds=1), moment + dt.timedelta(seconds=1)):
            transit_app.config["FIXED_NOW"] = at
            shown[at.astimezone(PARIS_ZONE).strftime("%H:%M:%S")] = "Travaux" in block(client)
    assert shown == {"13:34:59": False, "13:35:01": True, "16:05:00": True, "16:05:02": False}
