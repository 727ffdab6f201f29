"""What the feeds hold beside the counts, read from a real HTTP server: GBFS vehicle_types (how
many of a station's bikes are electric) and the "lieux de stationnement" CSV (capacity, address,
free or paid, PMR spaces) joined to live car park figures; bad files refused whole."""

from __future__ import annotations

import orjson
import pytest

from server.demo import mobility as demo
from tests.server.mobility.conftest import NOW, feed, poller, publish_gbfs


def _with_vehicle_types(server, version: str) -> str:
    """The demo GBFS feed, with vehicle_types.json named in gbfs.json and the bikes of station
    10 told by type (2 electric, the rest mechanical); the URL of gbfs.json."""
    url = publish_gbfs(server, version)
    files = demo.gbfs_files(f"{server.url}/gbfs", version, NOW)
    stamp = files["station_status"]["last_updated"]
    kinds = {
        "last_updated": stamp,
        "ttl": 60,
        "version": version,
        "data": {
            "vehicle_types": [
                {
                    "vehicle_type_id": "vae",
                    "form_factor": "bicycle",
                    "propulsion_type": "electric_assist",
                    "max_range_meters": 40000,
                },
                {
                    "vehicle_type_id": "classique",
                    "form_factor": "bicycle",
                    "propulsion_type": "human",
                },
            ]
        },
    }
    if version == "3.0":
        for kind in kinds["data"]["vehicle_types"]:
            kind["name"] = [{"text": kind["vehicle_type_id"], "language": "fr"}]
    server.write("gbfs/vehicle_types.json", orjson.dumps(kinds))
    discovery = files["gbfs"]
    listed = discovery["data"]["feeds"] if version == "3.0" else discovery["data"]["fr"]["feeds"]
    listed.append({"name": "vehicle_types", "url": f"{server.url}/gbfs/vehicle_types.json"})
    server.write("gbfs/gbfs.json", orjson.dumps(discovery))
    status = files["station_status"]
    counted = "num_vehicles_available" if version == "3.0" else "num_bikes_available"
    for station in status["data"]["stations"]:
        if station["station_id"] == "10":
            bikes = station[counted]
            station["vehicle_types_available"] = [
                {"vehicle_type_id": "vae", "count": 2},
                {"vehicle_type_id": "classique", "count": bikes - 2},
            ]
    server.write("gbfs/station_status.json", orjson.dumps(status))
    return url


@pytest.mark.parametrize("version", ["2.3", "3.0"])
def test_gbfs_vehicle_types_tell_electric_from_mechanical_bikes(server, store, version):
    url = _with_vehicle_types(server, version)
    assert poller(store).poll(feed("vlille", "gbfs", url)), store.state("vlille")
    items = {item["id"]: item for item in store.snapshot("vlille").items}
    piscine = items["10"]
    assert piscine["bikes"] >= 2  # the demo's wave at NOW
    assert (piscine["electric"], piscine["mechanical"]) == (2, piscine["bikes"] - 2)
    other = items["11"]  # its status gives no vehicle_types_available: unknown, not 0
    assert (other["electric"], other["mechanical"]) == (None, None)


@pytest.mark.parametrize("version", ["2.3", "3.0"])
def test_vehicle_type_counts_past_the_stations_bikes_are_unknown_not_shown(server, store, version):
    url = _with_vehicle_types(server, version)
    status = orjson.loads((server.root / "gbfs/station_status.json").read_bytes())
    for station in status["data"]["stations"]:
        if station["station_id"] == "10":  # the schema sets no maximum on a count
            station["vehicle_types_available"][0]["count"] = 2**63
    server.write("gbfs/station_status.json", orjson.dumps(status))
    assert poller(store).poll(feed("vlille", "gbfs", url)), store.state("vlille")
    piscine = {item["id"]: item for item in store.snapshot("vlille").items}["10"]
    assert piscine["bikes"] < 2**63
    assert (piscine["electric"], piscine["mechanical"]) == (None, None)


@pytest.mark.parametrize("version", ["2.3", "3.0"])
def test_a_vehicle_types_file_failing_its_schema_refuses_the_feed(server, store, version):
    url = _with_vehicle_types(server, version)
    loop = poller(store)
    settings = feed("vlille", "gbfs", url)
    assert loop.poll(settings)
    before = store.snapshot("vlille").items
    kinds = orjson.loads((server.root / "gbfs/vehicle_types.json").read_bytes())
    kinds["data"]["vehicle_types"][0]["propulsion_type"] = "pedal-power"  # not in the schema
    server.write("gbfs/vehicle_types.json", orjson.dumps(kinds))
    assert not loop.poll(settings)
    assert "vehicle_types.json fails its schema" in store.state("vlille")["last_error"]
    assert store.snapshot("vlille").items == before
    server.write("gbfs/vehicle_types.json", b"{not json")
    assert not loop.poll(settings)
    assert "vehicle_types.json is not JSON" in store.state("vlille")["last_error"]
    assert store.snapshot("vlille").items == before


HEADER = (
    "id;nom;insee;adresse;url;type_usagers;gratuit;nb_places;nb_pr;nb_pmr;"
    "nb_voitures_electriques;nb_velo;nb_2r_el;nb_autopartage;nb_2_rm;nb_covoit;hauteur_max;"
    "num_siret;Xlong;Ylat;tarif_pmr;tarif_1h;tarif_2h;tarif_3h;tarif_4h;tarif_24h;"
    "abo_resident;abo_non_resident;type_ouvrage;info"
)


def _row(ident, name, address, free, places, pmr, lon, lat) -> str:
    cells = [ident, name, "59512", address, "", "tous", free, places, "0", pmr]
    cells += ["0"] * 6 + ["2.00", "12345678900011", lon, lat] + [""] * 8 + ["ouvrage", ""]
    return ";".join(cells)


def _places_csv() -> bytes:
    """RBX0001 by its id, Wazemmes under another id a few metres from the live position."""
    rows = [
        HEADER,
        _row(
            "RBX0001",
            "Grand-Place",
            "Place de la Liberté, Roubaix",
            "false",
            "420",
            "12",
            "3.17560",
            "50.69110",
        ),
        _row(
            "FR-59350-P-0042",
            "Wazemmes",
            "Rue Jules Guesde, Lille",
            "true",
            "360",
            "8",
            "3.04885",
            "50.62852",
        ),
        _row("ELSEWHERE", "Ailleurs", "Dunkerque", "true", "90", "2", "2.37", "51.03"),
    ]
    return ("\ufeff" + "\r\n".join(rows) + "\r\n").encode()


def _live_and_places(server) -> dict:
    records = demo.lille_parkings(NOW)
    for record in records:
        record["max"] = None if record["id"] == "LIL0012" else record["max"]  # the feed says none
    server.write("parkings.json", orjson.dumps(records))
    server.write("places.csv", _places_csv())
    return {"places_url": f"{server.url}/places.csv"}


def test_car_parks_get_their_static_facts_from_the_lieux_de_stationnement_csv(server, store):
    options = _live_and_places(server)
    settings = feed("parkings", "lille-parkings", f"{server.url}/parkings.json", **options)
    assert poller(store).poll(settings), store.state("parkings")
    parks = {item["id"]: item for item in store.snapshot("parkings").items}
    grand_place, wazemmes = parks["RBX0001"], parks["LIL0012"]
    assert (grand_place["free_of_charge"], grand_place["pmr"]) == (False, 12)
    # Joined by position (its ids differ): the feed gave no capacity, the file does.
    assert (wazemmes["free_of_charge"], wazemmes["pmr"], wazemmes["capacity"]) == (True, 8, 360)
    assert "2 of 2 car parks have static facts" in store.state("parkings")["notes"]


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (lambda text: text.replace(";nb_places;", ";places;").encode(), "no column nb_places"),
        (lambda text: text.replace(";12;", ";douze;", 1).encode(), "line 2: nb_pmr 'douze'"),
        (lambda text: text.replace(";12;", ";1²;", 1).encode(), "line 2: nb_pmr '1²'"),
        (lambda text: text.replace(";420;", ";" + "9" * 5000 + ";", 1).encode(), "nb_places"),
        (lambda text: text.replace(";false;", ";peut-être;", 1).encode(), "line 2: gratuit"),
        (lambda text: text.replace(";50.69110", ";north", 1).encode(), "line 2: Ylat"),
        (lambda text: text.replace("ouvrage;\r\n", "ouvrage;;x\r\n", 1).encode(), "more cells"),
        (lambda text: text.replace(";ouvrage;\r\n", "\r\n", 1).encode(), "line 2: fewer cells"),
        (lambda text: text.encode("utf-16"), "not UTF-8"),
    ],
)
def test_a_bad_lieux_de_stationnement_file_refuses_the_feed_and_keeps_the_last_good_data(
    server, store, change, said
):
    options = _live_and_places(server)
    loop = poller(store)
    settings = feed("parkings", "lille-parkings", f"{server.url}/parkings.json", **options)
    assert loop.poll(settings)
    before = store.snapshot("parkings").items
    text = _places_csv().decode()
    server.write("places.csv", change(text))
    assert not loop.poll(settings)
    error = store.state("parkings")["last_error"]
    assert "lieux de stationnement" in error and said in error, error
    assert store.snapshot("parkings").items == before
