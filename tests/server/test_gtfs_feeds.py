"""GTFS feeds as networks publish them: a feed is its agency's, whatever the file is called;
replacing one says what would change and needs asking; a metro station is listed once with its
lines, its platforms and entrances under it; stops far from the rest are left out (issue 20)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from server.db import database
from server.errors import ImportProblem
from server.importers.gtfs import FeedReplacement, import_gtfs
from server.importers.report import ImportReport
from server.models import TransitFeed, TransitStop
from tests.server.factories import territory

METRO = {
    "agency.txt": "agency_id,agency_name,agency_url,agency_timezone,agency_lang\n"
    "ILEVIA,Ilévia,https://www.ilevia.fr,Europe/Paris,fr\n",
    "feed_info.txt": "feed_publisher_name,feed_publisher_url,feed_lang,feed_version\n"
    "Ilévia,https://www.ilevia.fr,fr,2026-03-01\n",
    "stops.txt": "stop_id,stop_code,stop_name,stop_lat,stop_lon,location_type,parent_station,"
    "wheelchair_boarding\n"
    "S-GARE,,Gare Jean Lebas,50.69568,3.16398,1,,1\n"
    "P-GARE-1,,Gare Jean Lebas,50.69570,3.16395,0,S-GARE,1\n"
    "P-GARE-2,,Gare Jean Lebas,50.69566,3.16401,0,S-GARE,1\n"
    "E-GARE-A,,Gare Jean Lebas (sortie A),50.69580,3.16380,2,S-GARE,\n"
    "N-GARE,,Couloir,,,3,S-GARE,\n"
    "B-GARE-1,,Zone d'embarquement,50.69570,3.16395,4,P-GARE-1,\n"
    "S-GP,,Roubaix Grand-Place,50.69169,3.17447,1,,1\n"
    "P-GP-1,,Roubaix Grand-Place,50.69170,3.17445,0,S-GP,1\n"
    "P-GP-2,,Roubaix Grand-Place,50.69168,3.17449,0,S-GP,1\n"
    "BUS-PIS,PIS,Musée La Piscine,50.69260,3.16700,0,,1\n",
    "routes.txt": "route_id,agency_id,route_short_name,route_long_name,route_type\n"
    "M2,ILEVIA,M2,Lille CHU - Tourcoing CH Dron,1\n"
    "L25,ILEVIA,25,Roubaix - Wattrelos,3\n"
    "L10,ILEVIA,10,Roubaix - Croix,3\n"
    "LZ1,ILEVIA,Z1,,3\n",
    "trips.txt": "route_id,service_id,trip_id\n"
    "M2,WK,M2-1\nM2,WK,M2-2\nL25,WK,25-1\nL10,WK,10-1\nLZ1,WK,Z1-1\n",
    "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
    "M2-1,08:00:00,08:00:00,P-GARE-1,1\nM2-1,08:03:00,08:03:00,P-GP-1,2\n"
    "M2-2,08:10:00,08:10:00,P-GP-2,1\nM2-2,08:13:00,08:13:00,P-GARE-2,2\n"
    "25-1,09:00:00,09:00:00,BUS-PIS,1\n10-1,09:05:00,09:05:00,BUS-PIS,1\n"
    "Z1-1,09:10:00,09:10:00,BUS-PIS,1\n",
}
SHUTTLE = {
    "agency.txt": "agency_name,agency_url,agency_timezone\n"
    "Navette Université de Lille,https://www.univ-lille.fr,Europe/Paris\n",
    "stops.txt": "stop_id,stop_name,stop_lat,stop_lon\n"
    "CITE,Cité scientifique,50.60930,3.14280\n"
    "PONT,Pont de Bois,50.62450,3.12980\n",
}


def write_zip(path: Path, files: dict[str, str]) -> Path:
    """A feed as its publisher zips it."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return path


def run(app, path: Path, *args, **options) -> ImportReport:  # type: ignore[no-untyped-def]
    with database(app).transaction() as session:
        return import_gtfs(session, path, *args, **options)


def stops(app) -> dict[str, tuple]:  # type: ignore[no-untyped-def]
    with database(app).sessions() as session:
        return {
            stop.stop_id: (stop.feed, stop.location_type, stop.parent_station, stop.lines)
            for stop in session.scalars(select(TransitStop))
        }


def test_a_station_is_one_stop_with_its_lines_and_its_platforms_and_entrances_under_it(
    app, tmp_path
):
    report = run(app, write_zip(tmp_path / "gtfs.zip", METRO))
    assert stops(app) == {
        "S-GARE": ("ilevia", 1, None, ["M2"]),
        "P-GARE-1": ("ilevia", 0, "S-GARE", ["M2"]),
        "P-GARE-2": ("ilevia", 0, "S-GARE", ["M2"]),
        "E-GARE-A": ("ilevia", 2, "S-GARE", []),
        "S-GP": ("ilevia", 1, None, ["M2"]),
        "P-GP-1": ("ilevia", 0, "S-GP", ["M2"]),
        "P-GP-2": ("ilevia", 0, "S-GP", ["M2"]),
        "BUS-PIS": ("ilevia", 0, None, ["10", "25", "Z1"]),
    }
    assert report.summary() == "8 stops stored (8 new, 0 updated, 0 unchanged), 0 removed"
    assert report.notes == [
        "2 stations listed once each, with 4 platforms and 1 entrance under them"
    ]
    with database(app).sessions() as session:
        feed = session.scalars(select(TransitFeed)).one()
    assert (feed.name, feed.agencies, feed.publisher, feed.version) == (
        "ilevia",
        "Ilévia",
        "Ilévia",
        "2026-03-01",
    )


def test_nearby_lists_a_station_once_with_its_lines(app, client, tmp_path):
    run(app, write_zip(tmp_path / "gtfs.zip", METRO))
    body = client.get(
        "/api/v1/nearby",
        query_string={"lat": 50.6955, "lon": 3.1640, "radius": 300, "kinds": "transit_stop"},
    ).json
    listed = [(item["name"], item["station"], item["lines"]) for item in body["items"]]
    assert listed == [("Gare Jean Lebas", True, ["M2"])]


def test_another_agencys_feed_in_a_file_of_the_same_name_is_another_feed(app, tmp_path):
    run(app, write_zip(tmp_path / "gtfs.zip", METRO))
    second = run(app, write_zip(tmp_path / "gtfs.zip", SHUTTLE))
    assert (second.new, second.removed) == (2, 0)
    feeds = {feed for feed, *_ in stops(app).values()}
    assert feeds == {"ilevia", "navette-universite-de-lille"}
    assert len(stops(app)) == 10  # the first agency's stops are all there


def test_a_new_version_of_a_feed_says_what_it_would_change_and_waits_to_be_asked(app, tmp_path):
    run(app, write_zip(tmp_path / "gtfs.zip", METRO))
    newer = dict(METRO)
    newer["stops.txt"] = (
        METRO["stops.txt"]
        .replace("BUS-PIS,PIS,Musée La Piscine,50.69260", "BUS-PIS,PIS,Musée La Piscine,50.69280")
        .replace("P-GP-2,,Roubaix Grand-Place,50.69168,3.17449,0,S-GP,1\n", "")
        + "BUS-CPU,CPU,Condition Publique,50.69100,3.18880,0,,0\n"
    )
    path = write_zip(tmp_path / "gtfs-2026-04.zip", newer)
    with pytest.raises(FeedReplacement) as raised:
        run(app, path)
    assert str(raised.value).startswith(
        "the feed 'ilevia' (Ilévia, version 2026-03-01, imported on "
    )
    assert str(raised.value).endswith(
        "is already imported and this file would add 1 stop, change 1 and remove 1 (6 "
        "unchanged): import it with --replace to replace that feed, or with --feed NAME to keep "
        "both"
    )
    assert "P-GP-2" in stops(app) and "BUS-CPU" not in stops(app)  # nothing changed
    replaced = run(app, path, replace=True)
    assert (replaced.new, replaced.updated, replaced.unchanged, replaced.removed) == (1, 1, 6, 1)
    assert "P-GP-2" not in stops(app) and "BUS-CPU" in stops(app)
    assert run(app, path).stored == 8  # the same file again changes nothing: no question


def test_stops_far_from_the_rest_are_reported_and_left_out_unless_kept(app, tmp_path):
    feed = dict(METRO)
    buses = "".join(f"BUS-{n},,Arrêt {n},50.6{n + 10},3.1{n + 50},0,,\n" for n in range(12))
    tests = "".join(f"TEST-{n},,Arrêt de test {n},41.90{n},12.49{n},0,,\n" for n in range(5))
    feed["stops.txt"] = METRO["stops.txt"] + buses + tests
    report = run(app, write_zip(tmp_path / "gtfs.zip", feed))
    assert len(report.skipped) == 5
    assert str(report.skipped[0]) == (
        "line 24, stop_lat: 'Arrêt de test 0' (stop TEST-0) is 1,204 km from the feed's median "
        "position (50.6145, 3.1595), more than 50 km"
    )
    assert not any(key.startswith("TEST-") for key in stops(app))
    assert report.summary().endswith("0 removed, 5 stops skipped")
    kept = run(app, write_zip(tmp_path / "gtfs.zip", feed), replace=True, keep_outliers=True)
    assert kept.new == 5 and not kept.skipped
    assert kept.notes[-1].startswith("kept, as asked: line 24, stop_lat: 'Arrêt de test 0'")


def test_far_is_measured_from_the_territory_when_one_is_given(app, tmp_path):
    territory(app)  # Roubaix, at 50.69, 3.17
    shuttle = write_zip(tmp_path / "gtfs.zip", SHUTTLE)
    report = run(app, shuttle, territory="roubaix", within_km=8.5)
    assert [str(skipped) for skipped in report.skipped] == [
        "line 2, stop_lat: 'Cité scientifique' (stop CITE) is 9.2 km from the territory "
        "(50.6900, 3.1700), more than 8.5 km"
    ]


def test_a_lone_stops_file_needs_a_name(app, tmp_path):
    path = tmp_path / "stops.txt"
    path.write_text(SHUTTLE["stops.txt"], encoding="utf-8")
    with pytest.raises(ImportProblem) as raised:
        run(app, path)
    assert str(raised.value) == (
        f"{path}, field 'agency.txt': the feed has no agency.txt saying whose it is: give it a "
        "name with --feed NAME; nothing was imported"
    )
    assert run(app, path, "navette").new == 2
