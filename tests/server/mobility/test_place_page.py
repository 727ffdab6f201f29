"""The place page and the API with live figures from a real loopback feed server: right figures,
right ages, stale figures hidden, the last good data shown through every failure."""

from __future__ import annotations

import datetime as dt

import orjson
import pytest
import yaml
from bs4 import BeautifulSoup

from server import create_app
from server.db import database
from server.demo import mobility as demo
from server.mobility.live import mobility
from server.mobility.poller import PollerLoop
from server.taps.recorder import recorder
from tests.server import factories
from tests.server.conftest import settings, sqlite_copy
from tests.server.mobility.conftest import NOW, publish_gbfs

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


@pytest.fixture
def moving_app(request, tmp_path, keyring, server):
    """The app on SQLite, its clock at NOW, with a V'Lille GBFS feed and Lille car parks."""
    url = publish_gbfs(server, "3.0")
    server.write("parkings.json", orjson.dumps(demo.lille_parkings(NOW)))
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(
        yaml.safe_dump(
            {
                "feeds": [
                    {"name": "vlille", "kind": "gbfs", "url": url, "stale_after": 600},
                    {
                        "name": "parkings",
                        "kind": "lille-parkings",
                        "url": f"{server.url}/parkings.json",
                    },
                ]
            }
        )
    )
    app = create_app(
        settings(
            tmp_path,
            sqlite_copy(request, tmp_path),
            keyring,
            FIXED_NOW=NOW + dt.timedelta(minutes=2),
            MOBILITY_FEEDS=str(feeds),
        )
    )
    factories.place(app)  # La Piscine, Roubaix
    yield app
    recorder(app).stop()
    database(app).dispose()


def poll(app):
    live = mobility(app)
    loop = PollerLoop(live.feeds, live.store)
    return [loop.poll(feed) for feed in live.feeds]


def block(client, path="/p/la-piscine"):
    page = BeautifulSoup(client.get(path).get_data(as_text=True), "html.parser")
    section = page.find("section", class_="mobility")
    return section.get_text(" ", strip=True) if section else ""


def test_nearest_stations_and_car_parks_with_figures_distance_and_age(moving_app, server):
    client = moving_app.test_client()
    assert block(client) == ""  # nothing fetched yet: nothing said
    assert poll(moving_app) == [True, True]
    text = block(client)
    bikes = demo._wave("10", NOW, 20)
    assert "Roubaix La Piscine" in text
    assert f"{bikes} vélos" in text or f"{bikes} vélo" in text
    assert f"{20 - bikes} places libres" in text or f"{20 - bikes} place libre" in text
    assert "il y a 2 minutes" in text
    assert "Parking Grand-Place" in text
    free = demo._wave("RBX0001", NOW, 420)
    assert f"{free} places libres sur 420" in text
    assert "Fromelles" not in text  # 22 km away
    english = moving_app.test_client()
    english.set_cookie("tt_lang", "en")
    assert "2 minutes ago" in block(english)


def test_figures_past_their_limit_are_shown_as_unknown(moving_app):
    poll(moving_app)
    moving_app.config["FIXED_NOW"] = NOW + dt.timedelta(minutes=11)  # stale_after 600 s
    text = block(moving_app.test_client())
    assert "Vélos et places libres : inconnus (pas de données récentes)" in text
    assert "il y a 11 minutes" in text
    assert "Parking Grand-Place" in text and "sur 420" in text  # its limit is 900 s


def test_the_last_good_figures_survive_a_broken_feed(moving_app, server):
    poll(moving_app)
    before = block(moving_app.test_client())
    server.write("gbfs/station_status.json", "{not json")
    server.status["parkings.json"] = 500
    assert poll(moving_app) == [False, False]
    assert block(moving_app.test_client()) == before


def test_the_api_gives_the_same_with_ages(moving_app):
    poll(moving_app)
    client = moving_app.test_client()
    response = client.get("/api/v1/places/la-piscine/mobility")
    assert response.status_code == 200
    body = response.get_json()
    station = body["bikes"][0]
    assert station["id"] == "10"
    assert station["bikes"] == demo._wave("10", NOW, 20)
    assert station["age_seconds"] == 120
    assert station["stale"] is False
    assert station["walking_minutes"] >= 1 and 0 < station["distance_m"] < 100
    assert body["car_parks"][0]["capacity"] == 420
    assert {feed["name"]: feed["status"] for feed in body["feeds"]} == {
        "vlille": "ok",
        "parkings": "ok",
    }
    assert client.get("/api/v1/places/nowhere/mobility").status_code == 404


def test_health_shows_each_feed_and_fails_without_a_poller(moving_app, server):
    client = moving_app.test_client()
    server.status["parkings.json"] = 503
    poll(moving_app)
    body = client.get("/healthz").get_json()
    feeds = {feed["name"]: feed for feed in body["mobility"]["feeds"]}
    assert feeds["vlille"]["status"] == "ok"
    assert feeds["parkings"]["status"] == "failing"
    assert "HTTP 503" in feeds["parkings"]["last_error"]
    assert "no feed poller has ever run on this host" in body["problems"]


def test_the_large_screen_shows_them_and_reloads_itself_within_minutes(moving_app):
    client = moving_app.test_client()
    before = BeautifulSoup(client.get("/tv/la-piscine").get_data(as_text=True), "html.parser")
    assert before.find("meta", attrs={"http-equiv": "refresh"})["content"] == "300"
    poll(moving_app)
    html = client.get("/tv/la-piscine").get_data(as_text=True)
    screen = BeautifulSoup(html, "html.parser")
    refresh = int(screen.find("meta", attrs={"http-equiv": "refresh"})["content"])
    assert 60 <= refresh <= 120
    text = block(client, "/tv/la-piscine")
    assert "Roubaix La Piscine" in text and "Parking Grand-Place" in text
    assert "il y a 2 minutes" in text
