"""PostgreSQL keeps the taps in monthly partitions: made ahead by the drainer, made on demand for
a tap of any month, dropped whole past retention, and built from an existing table by 0017."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic import command
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import IntegrityError

from server.commands.database import partitions_command
from server.db import database, make_engine
from server.migrate import (
    alembic_config,
    current_revision,
    head_revision,
    schema_differences,
    upgrade,
)
from server.models import Tap
from server.services import tap_partitions
from server.services.retention import purge
from server.taps.drainer import DrainerLoop
from tests.server import factories
from tests.server.rollups.helpers import NOW, store, tap
from tests.support.postgres import create_postgres_database, drop_postgres_database

pytestmark = pytest.mark.postgres
UTC = dt.UTC


@pytest.fixture
def database_kind() -> str:
    """These tests are about PostgreSQL's partitions alone."""
    return "postgresql"


def names(app) -> list[str]:
    with database(app).sessions() as session:
        return [part.name for part in tap_partitions.existing(session.connection())]


def where_stored(app) -> dict[str, str]:
    """Each tap's id and the partition holding it."""
    with database(app).sessions() as session:
        rows = session.execute(text("SELECT id, tableoid::regclass::text FROM taps"))
        return {tap_id: table for tap_id, table in rows}


def test_the_taps_are_partitioned_by_month_with_a_key_holding_the_time(app):
    with database(app).sessions() as session:
        connection = session.connection()
        assert tap_partitions.is_partitioned(connection)
        key = connection.execute(
            text(
                "SELECT array_agg(a.attname ORDER BY a.attname) FROM pg_index i JOIN pg_attribute"
                " a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)"
                " WHERE i.indrelid = 'taps'::regclass AND i.indisprimary"
            )
        ).scalar()
    assert key == ["id", "occurred_at"]
    this_month = tap_partitions.month_of(dt.datetime.now(UTC))
    for ahead in range(tap_partitions.AHEAD_MONTHS + 1):
        assert tap_partitions.partition(tap_partitions.add_months(this_month, ahead)).name in (
            names(app)
        )


def test_taps_either_side_of_a_month_boundary_land_in_their_months_once(app):
    entry = factories.installed_sticker(app)
    last = tap(entry["tag_id"], dt.datetime(2031, 1, 31, 23, 59, 59, 999999, tzinfo=UTC))
    first = tap(entry["tag_id"], dt.datetime(2031, 2, 1, tzinfo=UTC))
    assert "taps_y2031m01" not in names(app)  # no drainer made these months: the batch does
    store(app, [last, first])
    assert where_stored(app) == {last["id"]: "taps_y2031m01", first["id"]: "taps_y2031m02"}
    store(app, [last, first])  # drained twice (a crash before the spool was trimmed)
    with database(app).sessions() as session:
        assert session.scalar(select(func.count()).select_from(Tap)) == 2


def test_a_batch_asks_for_its_months_partitions_once_per_process_not_every_batch(app):
    entry = factories.installed_sticker(app)
    now = dt.datetime.now(UTC)
    statements: list[str] = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = database(app).engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        store(app, [tap(entry["tag_id"], now)])
        first = [s for s in statements if "to_regclass" in s]
        statements.clear()
        for _ in range(3):  # the drainer's next batches, the same month
            store(app, [tap(entry["tag_id"], now)])
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert first  # the first batch of this month looked its partition up...
    assert not [s for s in statements if "to_regclass" in s or "pg_advisory" in s]  # ...once


def test_the_drainer_makes_the_coming_months_ahead_of_the_taps(app, tmp_path):
    this_month = tap_partitions.month_of(dt.datetime.now(UTC))
    coming = [tap_partitions.add_months(this_month, n) for n in range(1, 3)]
    with database(app).transaction() as session:
        for month in coming:
            session.execute(text(f"DROP TABLE {tap_partitions.partition(month).name}"))
    assert not {tap_partitions.partition(m).name for m in coming} & set(names(app))
    spool = tmp_path / "spool"
    spool.mkdir(exist_ok=True)
    DrainerLoop(database(app), spool).round(0.0, 1.0)
    assert {tap_partitions.partition(m).name for m in coming} <= set(names(app))


def test_a_purge_drops_whole_months_past_retention_and_deletes_the_rest(app):
    entry = factories.installed_sticker(app)
    # NOW is 2026-11-28 12:00: the cutoff is 2024-10-28 12:00 (25 months).
    moments = {
        "august": dt.datetime(2024, 8, 10, tzinfo=UTC),
        "september": dt.datetime(2024, 9, 30, 23, 59, tzinfo=UTC),
        "october, before": dt.datetime(2024, 10, 28, 11, 59, tzinfo=UTC),
        "october, after": dt.datetime(2024, 10, 28, 12, 1, tzinfo=UTC),
        "recent": dt.datetime(2026, 11, 1, tzinfo=UTC),
    }
    records = {name: tap(entry["tag_id"], at, visitor=name) for name, at in moments.items()}
    store(app, list(records.values()))
    assert {"taps_y2024m08", "taps_y2024m09", "taps_y2024m10"} <= set(names(app))
    assert purge(database(app), NOW, dry_run=True).taps == 3
    report = purge(database(app), NOW)
    assert report.taps == 3
    left = set(names(app))
    assert not {"taps_y2024m08", "taps_y2024m09"} & left  # detached and dropped whole
    assert "taps_y2024m10" in left  # it still holds taps kept
    assert set(where_stored(app)) == {records["october, after"]["id"], records["recent"]["id"]}


def test_the_partitions_command_makes_the_months_asked_for(app):
    result = app.test_cli_runner().invoke(partitions_command, ["--ahead", "5"])
    assert result.exit_code == 0, result.output
    this_month = tap_partitions.month_of(dt.datetime.now(UTC))
    fifth = tap_partitions.partition(tap_partitions.add_months(this_month, 5)).name
    assert fifth in result.output and fifth in names(app)
    assert "monthly partitions" in result.output


def test_the_partitions_command_follows_the_machines_clock_as_taps_do_not_a_pinned_now(app):
    # Screenshots and demos pin the pages' "now"; taps and the drainer keep the machine's clock.
    app.config["FIXED_NOW"] = "2041-06-15T12:00:00+00:00"
    result = app.test_cli_runner().invoke(partitions_command, ["--ahead", "7"])
    assert result.exit_code == 0, result.output
    this_month = tap_partitions.month_of(dt.datetime.now(UTC))
    seventh = tap_partitions.partition(tap_partitions.add_months(this_month, 7)).name
    assert seventh in names(app) and "taps_y2041m06" not in names(app)


def test_migration_0019_moves_the_taps_of_an_existing_database_into_months(postgres):
    url = create_postgres_database(postgres)
    engine = make_engine(url)
    taps = {
        "a": "2025-03-31 23:59:59+00",
        "b": "2025-04-01 00:00:00+00",
        "c": "2026-11-20 10:00:00+00",
    }
    try:
        upgrade(engine, "0018")
        with engine.begin() as connection:
            for tap_id, at in taps.items():
                connection.execute(
                    text(
                        "INSERT INTO taps (id, occurred_at, code, outcome, visitor_id,"
                        " visitor_kind, human, method) VALUES (:id, :at, 'X', 'malformed',"
                        " :visitor, 'cookie', true, 'GET')"
                    ),
                    {"id": tap_id, "at": at, "visitor": f"v{tap_id}"},
                )
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        assert schema_differences(engine) == []
        with engine.connect() as connection:
            assert tap_partitions.is_partitioned(connection)
            stored = dict(
                connection.execute(text("SELECT id, tableoid::regclass::text FROM taps")).all()
            )
            months = [part.name for part in tap_partitions.existing(connection)]
            kept = connection.execute(text("SELECT to_regclass('taps_unpartitioned')")).scalar()
        assert stored == {"a": "taps_y2025m03", "b": "taps_y2025m04", "c": "taps_y2026m11"}
        # Every month from the oldest tap's to two months past now, none missing between.
        assert months[0] == "taps_y2025m03" and kept is None
        assert (
            len(months)
            == len(set(months))
            == len(
                tap_partitions.months_between(
                    dt.date(2025, 3, 1),
                    tap_partitions.add_months(tap_partitions.month_of(dt.datetime.now(UTC)), 2),
                )
            )
        )
        # The same tap again is refused by the new key.
        twice = r"\(id, occurred_at\)=\(a,"
        with engine.connect() as connection, pytest.raises(IntegrityError, match=twice):
            connection.execute(text("INSERT INTO taps SELECT * FROM taps WHERE id = 'a'"))
        config = alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0018")
        with engine.connect() as connection:
            assert not tap_partitions.is_partitioned(connection)
            assert sorted(connection.execute(text("SELECT id FROM taps")).scalars()) == [
                "a",
                "b",
                "c",
            ]
    finally:
        engine.dispose()
        drop_postgres_database(postgres, url)
