"""Each feed format read from a real HTTP server: figures right, bad files refused whole."""

from __future__ import annotations

import copy
import datetime as dt

import orjson
import pytest

from server.demo import mobility as demo
from tests.server.mobility.conftest import NOW, feed, poller, publish_gbfs


@pytest.mark.parametrize("version", ["2.3", "3.0"])
def test_gbfs_stations_with_bikes_docks_and_their_age(server, store, version):
    url = publish_gbfs(server, version)
    assert poller(store).poll(feed("vlille", "gbfs", url))
    snapshot = store.snapshot("vlille")
    piscine = next(item for item in snapshot.items if item["id"] == "10")
    expected_bikes = demo._wave("10", NOW, 20)
    assert piscine["bikes"] == expected_bikes
    assert piscine["docks"] == 20 - expected_bikes
    assert piscine["name"] == {"fr": "Roubaix La Piscine"}
    assert (piscine["lat"], piscine["lon"]) == (50.69205, 3.16745)
    assert dt.datetime.fromisoformat(piscine["updated_at"]) == NOW
    assert snapshot.extra["version"] == version
    assert len(snapshot.items) == len(demo.STATIONS)


@pytest.mark.parametrize("version", ["2.3", "3.0"])
def test_a_gbfs_file_failing_its_schema_is_refused_and_the_last_good_data_stays(
    server, store, version
):
    url = publish_gbfs(server, version)
    loop = poller(store)
    settings = feed("vlille", "gbfs", url)
    assert loop.poll(settings)
    before = store.snapshot("vlille").items
    status = demo.gbfs_files(f"{server.url}/gbfs", version, NOW)["station_status"]
    broken = copy.deepcopy(status)
    broken["data"]["stations"][0]["num_docks_available"] = -3  # a negative count
    server.write("gbfs/station_status.json", orjson.dumps(broken))
    assert not loop.poll(settings)
    state = store.state("vlille")
    assert "station_status.json fails its schema" in state["last_error"]
    assert "num_docks_available" in state["last_error"]
    assert store.snapshot("vlille").items == before
    broken["data"]["stations"][0]["num_docks_available"] = "many"  # a wrong type
    server.write("gbfs/station_status.json", orjson.dumps(broken))
    assert not loop.poll(settings)
    assert store.snapshot("vlille").items == before


def test_gbfs_of_another_version_is_refused_with_what_is_read(server, store):
    url = publish_gbfs(server, "2.3")
    discovery = orjson.loads((server.root / "gbfs/gbfs.json").read_bytes())
    discovery["version"] = "1.0"
    server.write("gbfs/gbfs.json", orjson.dumps(discovery))
    assert not poller(store).poll(feed("vlille", "gbfs", url))
    assert "TapTrail reads GBFS 2.3 and 3.0" in store.state("vlille")["last_error"]
    assert store.snapshot("vlille") is None


def test_gbfs_stations_not_renting_or_unknown_are_marked_or_left_out(server, store):
    url = publish_gbfs(server, "3.0")
    files = demo.gbfs_files(f"{server.url}/gbfs", "3.0", NOW)
    statuses = files["station_status"]["data"]["stations"]
    statuses[1] |= {"is_renting": False, "is_returning": False}
    statuses.append({**statuses[0], "station_id": "999"})  # no such station
    server.write("gbfs/station_status.json", orjson.dumps(files["station_status"]))
    assert poller(store).poll(feed("vlille", "gbfs", url))
    snapshot = store.snapshot("vlille")
    assert [s["id"] for s in snapshot.items] == [s[0] for s in demo.STATIONS]
    gare = next(item for item in snapshot.items if item["id"] == "11")
    assert (gare["renting"], gare["returning"], gare["installed"]) == (False, False, True)
    assert snapshot.extra["unknown_stations"] == 1
    assert store.state("vlille")["notes"] == [
        "1 stations in station_status are not in station_information"
    ]


def test_gbfs_ttl_sets_the_next_fetch(server, store):
    url = publish_gbfs(server, "2.3")
    files = demo.gbfs_files(f"{server.url}/gbfs", "2.3", NOW)
    files["station_status"]["ttl"] = 300
    server.write("gbfs/station_status.json", orjson.dumps(files["station_status"]))
    loop = poller(store)
    loop.poll(feed("vlille", "gbfs", url, every=60))
    state = store.state("vlille")
    waited = dt.datetime.fromisoformat(state["next_attempt_at"]) - dt.datetime.fromisoformat(
        state["last_attempt_at"]
    )
    assert waited == dt.timedelta(seconds=300)


def test_lille_parkings_use_dispo_not_the_sign(server, store):
    records = demo.lille_parkings(NOW)
    records[0] |= {"dispo": 17, "aff": "COMPLET", "etat": "OUVERT"}
    records[1] |= {"etat": "FERME", "datemaj": "28/11/2026 15:00:00"}
    server.write("parkings.json", orjson.dumps(records))
    assert poller(store).poll(feed("parkings", "lille-parkings", f"{server.url}/parkings.json"))
    first, second = store.snapshot("parkings").items
    assert (first["id"], first["free"], first["capacity"], first["open"]) == (
        "RBX0001",
        17,
        420,
        True,
    )
    assert first["name"] == {"fr": "Parking Grand-Place"}
    assert second["open"] is False
    assert dt.datetime.fromisoformat(second["updated_at"]) == NOW  # 15:00 in Paris is 14:00 UTC


def test_lille_parkings_api_pages_are_read_too(server, store):
    records = demo.lille_parkings(NOW)
    page = {"total_count": 2, "results": records}
    server.write("parkings.json", orjson.dumps(page))
    assert poller(store).poll(feed("parkings", "lille-parkings", f"{server.url}/parkings.json"))
    assert [item["id"] for item in store.snapshot("parkings").items] == ["RBX0001", "LIL0012"]


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"dispo": -5}, "dispo"),
        ({"dispo": "12"}, "dispo"),
        ({"max": None, "id": 12}, "id"),
    ],
)
def test_lille_parkings_with_wrong_values_are_refused_whole(server, store, change, said):
    url = f"{server.url}/parkings.json"
    server.write("parkings.json", orjson.dumps(demo.lille_parkings(NOW)))
    loop = poller(store)
    settings = feed("parkings", "lille-parkings", url)
    assert loop.poll(settings)
    records = demo.lille_parkings(NOW)
    records[1] |= change
    server.write("parkings.json", orjson.dumps(records))
    assert not loop.poll(settings)
    assert said in store.state("parkings")["last_error"]
    assert len(store.snapshot("parkings").items) == 2


def test_datex_ii_status_with_its_table(server, store):
    server.write("table.xml", demo.datex_table(NOW))
    server.write("status.xml", demo.datex_status(NOW, {"RBX-GARE": 42}))
    settings = feed(
        "datex", "datex2", f"{server.url}/status.xml", table_url=f"{server.url}/table.xml"
    )
    assert poller(store).poll(settings)
    (park,) = store.snapshot("datex").items
    assert park["name"] == {"fr": "Parc relais Gare Jean Lebas"}
    assert (park["free"], park["capacity"], park["open"]) == (42, 150, True)
    assert (park["lat"], park["lon"]) == (50.696, 3.163)
    assert dt.datetime.fromisoformat(park["updated_at"]) == NOW


def test_datex_ii_negative_or_hostile_documents_are_refused(server, store):
    server.write("table.xml", demo.datex_table(NOW))
    server.write("status.xml", demo.datex_status(NOW, {"RBX-GARE": -1}))
    settings = feed(
        "datex", "datex2", f"{server.url}/status.xml", table_url=f"{server.url}/table.xml"
    )
    loop = poller(store)
    assert not loop.poll(settings)
    assert "negative" in store.state("datex")["last_error"]
    bomb = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
    server.write("status.xml", bomb)
    assert not loop.poll(settings)
    assert "entity" in store.state("datex")["last_error"]
    # The same declarations in UTF-16, or after a long comment, are refused too.
    for hidden in (
        bomb.replace("1.0", '1.0" encoding="UTF-16').encode("utf-16"),
        bomb.replace("?>", "?><!--" + " " * 4000 + "-->"),
    ):
        server.write("status.xml", hidden)
        assert not loop.poll(settings)
        assert "entity" in store.state("datex")["last_error"]
    assert store.snapshot("datex") is None
