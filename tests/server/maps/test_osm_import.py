"""`taptrail import osm`: an extract the test writes becomes a territory's map and walking graph."""

from __future__ import annotations

from collections import OrderedDict

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from server.cli import main
from server.db import make_engine
from server.demo import load_demo
from server.models import StreetMap, Territory
from server.services import street_maps
from server.services.accounts import Passwords
from tests.server import test_cli
from tests.server.maps.osm_files import Extract, grid
from tests.server.test_cli import ok

demo_env = test_cli.demo_env  # a copy of the session's demo database
BASE_URL = "https://t.example.org"  # as the commands' settings say


@pytest.fixture(autouse=True)
def _maps_read_afresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forget the maps this process read: each test's database is a copy of the same demo, so
    a map imported in the same second as another test's has the same id and version."""
    monkeypatch.setattr(street_maps, "_kept", OrderedDict())


def _map(env, slug):
    engine = create_engine(env["TAPTRAIL_DATABASE_URL"])
    try:
        with Session(engine) as session:
            territory = session.scalar(select(Territory).where(Territory.slug == slug))
            return street_maps.load(session, territory.id)
    finally:
        engine.dispose()


def test_an_extract_becomes_the_map_and_graph_of_the_territory_it_covers(
    runner, demo_env, keyring, tmp_path
):
    demo_wazemmes = _map(demo_env, "lille-wazemmes")  # the demo's own, drawn by hand
    path = grid().write(tmp_path / "roubaix.osm")
    output = ok(runner, demo_env, "import", "osm", str(path)).output
    # 10 streets and the motorway; a park and a pond; 25 crossings, 40 links between them.
    assert (
        "Roubaix: 11 streets and waterways, 2 areas, walking graph of 25 points and 40 links"
        in (output)
    )
    assert "Lille-Wazemmes: not in roubaix.osm, its map is left as it was" in output
    found = _map(demo_env, "roubaix")
    names = {line[1] for line in found.lines}
    assert {"Rue 0", "Avenue 4", "A22"} <= names
    assert sorted(area[0] for area in found.areas) == ["park", "water"]
    assert len(found.nodes) // 2 == 25  # the motorway is not walked on
    assert _map(demo_env, "lille-wazemmes").version == demo_wazemmes.version
    # Loading the demo again keeps the map imported from a real extract: load_demo, what
    # `taptrail demo` loads before its taps and photo sizes (test_cli runs the command itself).
    engine = make_engine(demo_env["TAPTRAIL_DATABASE_URL"])
    with Session(engine) as session, session.begin():
        media = demo_env["TAPTRAIL_MEDIA_DIR"]
        load_demo(session, keyring, BASE_URL, passwords=Passwords("cheapest"), media=media)
    engine.dispose()
    assert "Rue 0" in {line[1] for line in _map(demo_env, "roubaix").lines}


def test_buildings_are_kept_when_asked_and_a_new_import_replaces_the_map(
    runner, demo_env, tmp_path
):
    path = grid().write(tmp_path / "roubaix.osm")
    ok(runner, demo_env, "import", "osm", str(path))
    ok(runner, demo_env, "import", "osm", str(path), "--buildings", "--territory", "roubaix")
    found = _map(demo_env, "roubaix")
    assert sorted(area[0] for area in found.areas) == ["building", "park", "water"]
    engine = create_engine(demo_env["TAPTRAIL_DATABASE_URL"])
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(StreetMap)) == 3  # one a territory
    engine.dispose()


def test_a_footway_closed_to_walkers_is_drawn_but_not_walked(runner, demo_env, tmp_path):
    extract = Extract()
    a, b, c = extract.node(1, 0, 0), extract.node(2, 0, 50), extract.node(3, 0, 100)
    extract.way([a, b], highway="footway", name="Allée ouverte")
    extract.way([b, c], highway="footway", access="private", name="Allée privée")
    ok(runner, demo_env, "import", "osm", str(extract.write(tmp_path / "x.osm")))
    found = _map(demo_env, "roubaix")
    assert {line[1] for line in found.lines} == {"Allée ouverte", "Allée privée"}
    assert len(found.edges) == 1


@pytest.mark.parametrize(
    ("content", "said"),
    [
        ("this is not OpenStreetMap", "osmium could not read it"),
        (None, "holds no street, water or park near"),
    ],
)
def test_a_file_that_is_no_usable_extract_stores_nothing_and_says_why(
    runner, demo_env, tmp_path, content, said
):
    before = _map(demo_env, "roubaix").version
    path = tmp_path / "bad.osm"
    if content is None:  # a real extract, of somewhere else (Paris)
        far = Extract()
        far.nodes = {1: (48.85, 2.35), 2: (48.86, 2.35)}
        far.way([1, 2], highway="residential", name="Rue de Rivoli")
        far.write(path)
    else:
        path.write_text(content)
    result = runner.invoke(main, ["import", "osm", str(path)], env=demo_env)
    assert result.exit_code == 1
    assert said in result.output
    assert _map(demo_env, "roubaix").version == before
