"""Next departures from the GTFS timetable: across midnight, on a calendar exception, on the
days the clocks change; then live, with GTFS-RT served by a real loopback server."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import yaml
from bs4 import BeautifulSoup

from server import create_app
from server.db import database
from server.importers.gtfs import import_gtfs
from server.mobility.live import mobility
from server.mobility.poller import PollerLoop
from server.services import departures
from server.taps.recorder import recorder
from tests.server import factories
from tests.server.conftest import settings, sqlite_copy
from tests.server.mobility.gtfs_files import trip_updates, write_feed

PARIS = ZoneInfo("Europe/Paris")


def paris(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=PARIS).astimezone(dt.UTC)


def imported(app, tmp_path, trips, calendar_dates=""):
    path = write_feed(tmp_path / "ilevia.zip", trips, calendar_dates)
    with database(app).transaction() as session:
        import_gtfs(session, path)


def next_ones(app, now, limit=4):
    with database(app).sessions() as session:
        found = departures.scheduled(session, "ilevia", ["PISC"], now, dt.timedelta(hours=8))
        return [
            (d.trip_id, d.leaves.astimezone(PARIS).strftime("%d %H:%M"))
            for d in departures.upcoming(found, now, limit)
        ]


def test_trips_past_midnight_belong_to_the_day_before(app, tmp_path):
    imported(
        app,
        tmp_path,
        [
            ("evening", "WEEK", "Tourcoing", "23:50:00"),
            ("night", "WEEK", "Tourcoing", "24:10:00"),  # 00:10 the next morning
            ("morning", "WEEK", "Tourcoing", "06:00:00"),
        ],
    )
    assert next_ones(app, paris(2026, 11, 27, 23, 40)) == [
        ("evening", "27 23:50"),
        ("night", "28 00:10"),
        ("morning", "28 06:00"),
    ]
    # After midnight, yesterday's 24:10 trip is still to come.
    assert next_ones(app, paris(2026, 11, 28, 0, 5)) == [
        ("night", "28 00:10"),
        ("morning", "28 06:00"),
    ]


def test_a_calendar_exception_adds_and_removes_a_service(app, tmp_path):
    imported(
        app,
        tmp_path,
        [
            ("weekday", "WEEK", "Tourcoing", "10:00:00"),
            ("holiday", "XMAS", "Tourcoing", "10:30:00"),
        ],
        calendar_dates="WEEK,20261225,2\nXMAS,20261225,1\n",
    )
    assert next_ones(app, paris(2026, 12, 24, 9, 30)) == [("weekday", "24 10:00")]
    assert next_ones(app, paris(2026, 12, 25, 9, 30)) == [("holiday", "25 10:30")]


@pytest.mark.parametrize(
    ("day", "offset"),
    [(dt.date(2026, 3, 29), 2), (dt.date(2026, 10, 25), 1)],  # spring forward, fall back
)
def test_the_days_the_clocks_change(app, tmp_path, day, offset):
    imported(
        app,
        tmp_path,
        [
            ("early", "WEEK", "Tourcoing", "08:00:00"),
            ("late", "WEEK", "Tourcoing", "23:00:00"),
        ],
    )
    now = paris(day.year, day.month, day.day, 7, 0)
    found = next_ones(app, now)
    assert found[0] == ("early", f"{day:%d} 08:00")  # 08:00 on the clock, whatever the change
    with database(app).sessions() as session:
        (early, *_) = departures.scheduled(session, "ilevia", ["PISC"], now)
    assert early.scheduled.hour == 8 - offset  # in UTC: the change is in the moment
    later = next_ones(app, paris(day.year, day.month, day.day, 22, 0))
    assert later[0] == ("late", f"{day:%d} 23:00")


@pytest.fixture
def transit_app(request, tmp_path, keyring, server):
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(
        yaml.safe_dump(
            {
                "feeds": [
                    {
                        "name": "ilevia-rt",
                        "kind": "gtfs-rt",
                        "url": f"{server.url}/trip-updates.pb",
                        "gtfs_feed": "ilevia",
                        "stale_after": 300,
                    }
                ]
            }
        )
    )
    now = paris(2026, 11, 28, 15, 0)
    app = create_app(
        settings(
            tmp_path,
            sqlite_copy(request, tmp_path),
            keyring,
            FIXED_NOW=now,
            MOBILITY_FEEDS=str(feeds),
        )
    )
    factories.place(app)
    imported(
        app,
        tmp_path,
        [
            ("t1505", "WEEK", "Tourcoing Centre", "15:05:00"),
            ("t1520", "WEEK", "Tourcoing Centre", "15:20:00"),
            ("t1535", "WEEK", "Wattrelos", "15:35:00"),
        ],
    )
    app.config["NOW"] = now
    yield app
    recorder(app).stop()
    database(app).dispose()


def stops_block(client):
    html = client.get("/p/la-piscine").get_data(as_text=True)
    section = BeautifulSoup(html, "html.parser").find("ul", class_="departures")
    return [li.get_text(" ", strip=True) for li in section.find_all("li")] if section else []


def test_departures_go_live_and_a_cancelled_trip_says_so(transit_app, server):
    client = transit_app.test_client()
    assert stops_block(client) == [
        "25 Tourcoing Centre · dans 5 min horaire prévu",
        "25 Tourcoing Centre · dans 20 min horaire prévu",
        "25 Wattrelos · dans 35 min horaire prévu",
    ]
    now = transit_app.config["NOW"]
    server.write(
        "trip-updates.pb",
        trip_updates(
            now - dt.timedelta(seconds=30),
            cancelled=("t1520",),
            delays={"t1505": 240},
            alert="Déviation rue de l'Espérance",
            service_day=dt.date(2026, 11, 28),
        ),
    )
    live = mobility(transit_app)
    assert PollerLoop(live.feeds, live.store).poll(live.feeds[0])
    assert stops_block(client) == [
        "25 Tourcoing Centre · dans 9 min 4 min de retard",
        "25 Tourcoing Centre · 15:20 supprimé",
        "25 Wattrelos · dans 35 min horaire prévu",  # no live word on this trip
    ]
    page = BeautifulSoup(client.get("/p/la-piscine").get_data(as_text=True), "html.parser")
    assert "Alerte: Déviation rue de l'Espérance" in page.find("section").get_text()
    body = client.get("/api/v1/places/la-piscine/mobility").get_json()
    (stop,) = body["stops"]
    assert [d["cancelled"] for d in stop["departures"]] == [False, True, False]
    assert stop["departures"][0]["delay_seconds"] == 240
    assert stop["departures"][0]["expected_at"] == paris(2026, 11, 28, 15, 9).isoformat()
    assert stop["alerts"][0]["header"] == {"fr": "Déviation rue de l'Espérance"}
    assert stop["age_seconds"] == 30
    # Once the live data is older than its limit, the timetable alone is shown again.
    transit_app.config["FIXED_NOW"] = now + dt.timedelta(minutes=6)
    assert stops_block(client)[0] == "25 Tourcoing Centre · dans 14 min horaire prévu"


def test_a_message_that_is_not_gtfs_rt_is_refused(transit_app, server):
    server.write("trip-updates.pb", b"\xff\xff\xff garbage")
    live = mobility(transit_app)
    assert not PollerLoop(live.feeds, live.store).poll(live.feeds[0])
    assert "not a GTFS-Realtime message" in live.store.state("ilevia-rt")["last_error"]


def test_a_message_with_a_time_no_calendar_holds_is_refused_and_the_page_stands(
    transit_app, server
):
    from google.transit import gtfs_realtime_pb2 as rt

    message = rt.FeedMessage()
    message.ParseFromString(trip_updates(transit_app.config["NOW"]))
    entity = message.entity.add(id="far")
    entity.trip_update.trip.trip_id = "t1505"
    entity.trip_update.stop_time_update.add(stop_sequence=1).departure.time = 2**62
    server.write("trip-updates.pb", message.SerializeToString())
    live = mobility(transit_app)
    assert not PollerLoop(live.feeds, live.store).poll(live.feeds[0])
    assert "is not a time" in live.store.state("ilevia-rt")["last_error"]
    assert transit_app.test_client().get("/p/la-piscine").status_code == 200


@pytest.mark.parametrize(
    ("time", "sequence", "said"),
    [
        ("1²:00:00", "3", "is not a time"),  # a digit to str.isdigit, not to int()
        ("15:00:00", "²", "not a whole number"),
        ("15:00:00", str(2**63), "not a whole number"),  # past any database's integer
    ],
)
def test_a_timetable_with_odd_digits_is_refused_with_its_line(app, tmp_path, time, sequence, said):
    import zipfile

    from server.errors import ImportProblem

    path = write_feed(tmp_path / "ilevia.zip", [("odd", "WEEK", "Tourcoing", time)])
    with zipfile.ZipFile(path) as archive:
        files = {name: archive.read(name).decode() for name in archive.namelist()}
    files["stop_times.txt"] = files["stop_times.txt"].replace(",3\n", f",{sequence}\n")
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    with pytest.raises(ImportProblem, match=said), database(app).transaction() as session:
        import_gtfs(session, path)
