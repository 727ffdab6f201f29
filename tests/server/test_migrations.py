"""The migrations build exactly the models' schema, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest
from alembic import command
from sqlalchemy import inspect, text

from server.db import make_engine
from server.migrate import (
    alembic_config,
    current_revision,
    head_revision,
    schema_differences,
    upgrade,
)
from tests.support.postgres import create_postgres_database, drop_postgres_database


def test_sqlite_migrations_match_the_models(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    assert schema_differences(engine) == []
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    engine.dispose()


def test_postgres_migrations_match_the_models(postgres):
    url = create_postgres_database(postgres)
    engine = make_engine(url)
    try:
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        assert schema_differences(engine) == []
    finally:
        engine.dispose()
        drop_postgres_database(postgres, url)


def _populate_first_revision(engine):
    """Rows a server running revision 0001 had: a territory and a place pointing at it."""
    now = "2026-01-01 00:00:00.000000"
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO territories (id, slug, name, timezone, country, latitude, longitude,"
                " description, demo, created_at) VALUES (1, 'roubaix', 'Roubaix',"
                " 'Europe/Paris', 'FR', 50.69, 3.17, '{}', false, :now)"
            ),
            {"now": now},
        )
        connection.execute(
            text(
                "INSERT INTO places (id, slug, territory_id, name, kind, latitude, longitude,"
                " radius_m, description, demo, created_at) VALUES (1, 'la-piscine', 1,"
                " 'La Piscine', 'museum', 50.69229, 3.16782, 800, '{}', false, :now)"
            ),
            {"now": now},
        )


def _rows(engine):
    with engine.connect() as connection:
        territories = connection.execute(text("SELECT slug FROM territories")).scalars().all()
        places = connection.execute(text("SELECT slug, territory_id FROM places")).all()
    return territories, [tuple(place) for place in places]


def test_sqlite_upgrade_keeps_the_data_of_an_older_revision(tmp_path):
    # SQLite rebuilds altered tables by copying them; with foreign keys enforced, dropping the
    # old territories table under its places used to fail halfway through.
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0001")
    _populate_first_revision(engine)
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    assert _rows(engine) == (["roubaix"], [("la-piscine", 1)])
    assert schema_differences(engine) == []
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_a_failed_sqlite_migration_leaves_nothing_behind(tmp_path, monkeypatch):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0001")
    with engine.connect() as connection:
        before = connection.exec_driver_sql("SELECT name FROM sqlite_master ORDER BY 1").all()

    from alembic import op

    real = op.create_table
    created = []

    def fail_after_the_first_table(*args, **kwargs):
        if created:
            raise RuntimeError("disk pulled out")
        created.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(op, "create_table", fail_after_the_first_table)
    with pytest.raises(RuntimeError, match="disk pulled out"):
        upgrade(engine)
    monkeypatch.setattr(op, "create_table", real)
    assert created  # the first new table was created, then rolled back
    assert current_revision(engine) == "0001"
    with engine.connect() as connection:
        after = connection.exec_driver_sql("SELECT name FROM sqlite_master ORDER BY 1").all()
    assert after == before
    engine.dispose()


def test_postgres_upgrade_keeps_the_data_of_an_older_revision(postgres):
    url = create_postgres_database(postgres)
    engine = make_engine(url)
    try:
        upgrade(engine, "0001")
        _populate_first_revision(engine)
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        assert _rows(engine) == (["roubaix"], [("la-piscine", 1)])
    finally:
        engine.dispose()
        drop_postgres_database(postgres, url)


def _offers_with_codes(engine) -> None:
    """At revision 0003: two offers of a shop, the first with three codes issued, the other none."""
    _populate_first_revision(engine)
    now = "2026-01-01 00:00:00.000000"
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO shops (id, slug, territory_id, name, category, description, latitude,"
                " longitude, demo, created_at) VALUES (1, 'comptoir', 1, 'Le Comptoir', 'cafe',"
                " '{}', 50.69, 3.17, false, :now)"
            ),
            {"now": now},
        )
        for offer in (1, 2):
            connection.execute(
                text(
                    "INSERT INTO offers (id, slug, shop_id, kind, title, conditions, valid_from,"
                    " valid_until, quota, demo, created_at) VALUES (:id, :slug, 1, 'cross', '{}',"
                    " '{}', '2026-01-01', '2026-12-31', 5, false, :now)"
                ),
                {"id": offer, "slug": f"offer-{offer}", "now": now},
            )
        for n in range(3):
            connection.execute(
                text(
                    "INSERT INTO redemption_codes (code, offer_id, issued_at, expires_at)"
                    " VALUES (:code, 1, :now, :now)"
                ),
                {"code": f"CODE000{n}", "now": now},
            )


def _codes_issued(engine) -> list[tuple[int, int]]:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT id, codes_issued FROM offers ORDER BY id")).all()
    return [tuple(row) for row in rows]


@pytest.fixture
def empty_engine(database_kind, request, tmp_path):  # type: ignore[no-untyped-def]
    """An engine on an empty database of this kind."""
    if database_kind == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
        yield engine
        engine.dispose()
        return
    postgres = request.getfixturevalue("postgres")
    url = create_postgres_database(postgres)
    engine = make_engine(url)
    yield engine
    engine.dispose()
    drop_postgres_database(postgres, url)


def test_upgrade_counts_the_codes_offers_already_issued(empty_engine):
    upgrade(empty_engine, "0003")
    _offers_with_codes(empty_engine)
    upgrade(empty_engine)
    assert _codes_issued(empty_engine) == [(1, 3), (2, 0)]


def _stops_and_events(engine) -> None:
    """At revision 0005: stops of two feeds (one of them the demo's) and an imported event."""
    _populate_first_revision(engine)
    now = "2026-01-01 00:00:00.000000"
    with engine.begin() as connection:
        for n, (feed, demo) in enumerate([("ilevia", False), ("ilevia", False), ("demo", True)]):
            connection.execute(
                text(
                    "INSERT INTO transit_stops (id, feed, stop_id, name, latitude, longitude,"
                    " location_type, demo) VALUES (:id, :feed, :stop, 'Arrêt', 50.69, 3.17, 0,"
                    " :demo)"
                ),
                {"id": n + 1, "feed": feed, "stop": f"S{n}", "demo": demo},
            )
        connection.execute(
            text(
                "INSERT INTO events (id, uid, territory_id, title, description, latitude,"
                " longitude, starts_at, demo, created_at) VALUES (1, 'u@x#20260304T230000Z', 1,"
                " 'Marché', '{}', 50.69, 3.17, :now, false, :now)"
            ),
            {"now": now},
        )


def test_upgrade_gives_stored_stops_their_feeds_and_keeps_events(empty_engine):
    upgrade(empty_engine, "0005")
    _stops_and_events(empty_engine)
    upgrade(empty_engine)
    with empty_engine.connect() as connection:
        feeds = connection.execute(text("SELECT name, demo FROM transit_feeds ORDER BY name"))
        stops = connection.execute(
            text("SELECT stop_id, feed, parent_station, lines FROM transit_stops ORDER BY id")
        )
        events = connection.execute(text("SELECT uid, calendar, starts_on FROM events"))
        assert [tuple(row) for row in feeds] == [("demo", True), ("ilevia", False)]
        assert [
            (s, f, p, json.loads(lines) if isinstance(lines, str) else lines)
            for s, f, p, lines in stops
        ] == [
            ("S0", "ilevia", None, []),
            ("S1", "ilevia", None, []),
            ("S2", "demo", None, []),
        ]
        assert [tuple(row) for row in events] == [("u@x#20260304T230000Z", None, None)]
    assert schema_differences(empty_engine) == []


def test_the_taps_foreign_keys_come_back_on_a_downgrade_and_go_again(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'taps.db'}")
    upgrade(engine)

    def taps_keys() -> list[str]:
        with engine.connect() as connection:
            return sorted(
                key["referred_table"] for key in inspect(connection).get_foreign_keys("taps")
            )

    assert taps_keys() == []  # migration 0024: the drainer looks stickers and places up itself
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0023")
    assert taps_keys() == ["places", "stickers"]
    upgrade(engine)
    assert taps_keys() == [] and schema_differences(engine) == []
    engine.dispose()
