"""The analytics dashboard on two years of taps: every dashboard query timed, on SQLite and
PostgreSQL.

    python -m bench.analytics [--taps 10000000] [--days 730] [--stickers 500]
                              [--database sqlite|postgresql|both] [--runs 10] [--keep] [--quick]

Generates the taps (bench/analytics_data.py) with bulk inserts, rebuilds the rollups with
server.services.rollups, then times each entry of server.services.stats.DASHBOARD_QUERIES over
the last 30 and 365 days, for the territory and for its busiest museum: the first (cold) call,
then the median and p95 of --runs calls. Target: each query answers in under 500 ms. Prints the
row counts of the raw and rollup tables and the database sizes too; exits 0 whatever the
figures, which are the product. --keep reuses a database generated with the same --taps by an
earlier --keep run (generation is the slow part) and keeps it afterwards.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Table, create_engine, delete, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from bench.analytics_data import (
    CODE_COLUMNS,
    PARIS,
    TAP_COLUMNS,
    VIEW_COLUMNS,
    Generator,
    Rows,
    Size,
    build_world,
)
from server.db import Database
from server.migrate import upgrade
from server.models import Base, DirtyDay, Place, StickerDay, Tap
from server.models.offers import RedemptionCode
from server.models.portal import OfferView
from server.services import tap_partitions

BUDGET_MS = 500
SEED = 8
SQLITE_PATH = Path(tempfile.gettempdir()) / "taptrail-bench-analytics.db"
POSTGRES_ADMIN_URL = os.environ.get(
    "TAPTRAIL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
# Its own name lets two runs share one server (TAPTRAIL_BENCH_DATABASE_NAME).
POSTGRES_DATABASE = os.environ.get("TAPTRAIL_BENCH_DATABASE_NAME", "taptrail_bench_analytics")
LOADED_TABLES: list[Table] = [Tap.__table__, OfferView.__table__, RedemptionCode.__table__]
FLUSH_TAPS = 250_000  # rows buffered before a bulk insert: large chunks, bounded memory


def options() -> argparse.Namespace:
    """The sizes, which databases, how many runs, and whether to reuse a generated database."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--taps", type=int)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--stickers", type=int, default=500)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--keep", action="store_true", help="reuse and keep the database")
    parser.add_argument("--quick", action="store_true", help="300,000 taps unless --taps")
    chosen = parser.parse_args()
    if chosen.taps is None:
        chosen.taps = 300_000 if chosen.quick else 10_000_000
    return chosen


@dataclass
class Target:
    """One database under test, and what happened to it."""

    name: str
    database: Database
    reused: bool = False
    steps: dict[str, float] = field(default_factory=dict)  # step -> seconds

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Time a step of the set-up and print it when done."""
        started = time.perf_counter()
        yield
        self.steps[name] = self.steps.get(name, 0.0) + time.perf_counter() - started
        print(f"  {self.name}: {name} took {self.steps[name]:.1f} s", flush=True)


def sqlite_target(keep: bool) -> Target:
    """The SQLite file in the temporary folder; a fresh one unless kept."""
    if not keep:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
    return Target("sqlite", Database(f"sqlite:///{SQLITE_PATH}"))


def postgres_target(keep: bool) -> Target:
    """A throwaway database on the test server; created afresh unless kept."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": POSTGRES_DATABASE}
        )
        if exists and not keep:
            connection.exec_driver_sql(f"DROP DATABASE {POSTGRES_DATABASE} WITH (FORCE)")
        if not exists or not keep:
            connection.exec_driver_sql(f"CREATE DATABASE {POSTGRES_DATABASE}")
    admin.dispose()
    url = make_url(POSTGRES_ADMIN_URL).set(database=POSTGRES_DATABASE)
    return Target("postgresql", Database(url.render_as_string(hide_password=False)))


def drop_postgres() -> None:
    """Remove the throwaway PostgreSQL database."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {POSTGRES_DATABASE} WITH (FORCE)")
    admin.dispose()


def generated(target: Target, taps: int) -> bool:
    """The database already holds a generation of `taps` taps (from an earlier --keep run)."""
    with target.database.sessions() as session:
        return session.scalar(select(func.count()).select_from(Tap)) == taps


def rolled_up(target: Target) -> bool:
    """The rollups were built (a --keep run may have stopped before)."""
    with target.database.sessions() as session:
        return bool(session.scalar(select(func.count()).select_from(StickerDay)))


class SqliteLoader:
    """executemany through the sqlite3 driver, a transaction per chunk, foreign keys unchecked
    (the generator's ids are consistent), no fsync: the file is rebuilt if the load fails."""

    def __init__(self, engine: Engine) -> None:
        self.raw = engine.raw_connection()
        self.driver = self.raw.driver_connection
        for pragma in ("foreign_keys=OFF", "synchronous=OFF", "cache_size=-1000000"):
            self.driver.execute(f"PRAGMA {pragma}")
        self.inserts = [_insert_sql(table, columns) for table, columns in _loaded_columns()]

    def write(self, taps: list[tuple], views: list[tuple], codes: list[tuple]) -> None:
        """Insert one chunk of each table and commit."""
        for sql, rows in zip(self.inserts, (taps, views, codes), strict=True):
            self.driver.executemany(sql, rows)
        self.driver.commit()

    def close(self) -> None:
        """Back to the settings the application runs with."""
        for pragma in ("foreign_keys=ON", "synchronous=NORMAL", "wal_checkpoint(TRUNCATE)"):
            self.driver.execute(f"PRAGMA {pragma}")
        self.raw.close()


class PostgresLoader:
    """COPY FROM STDIN through psycopg, a transaction per chunk; the foreign key triggers are
    skipped (session_replication_role, the generator's ids are consistent)."""

    def __init__(self, engine: Engine) -> None:
        self.raw = engine.raw_connection()
        self.driver = self.raw.driver_connection
        with self.driver.cursor() as cursor:
            # Timestamps arrive as naive UTC text, as SQLite stores them.
            cursor.execute("SET TIME ZONE 'UTC'")
            cursor.execute("SET session_replication_role = replica")
        self.driver.commit()
        self.copies = [
            f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            for table, columns in _loaded_columns()
        ]

    def write(self, taps: list[tuple], views: list[tuple], codes: list[tuple]) -> None:
        """COPY one chunk of each table and commit."""
        with self.driver.cursor() as cursor:
            for sql, rows in zip(self.copies, (taps, views, codes), strict=True):
                with cursor.copy(sql) as copy:
                    for row in rows:
                        copy.write_row(row)
        self.driver.commit()

    def close(self) -> None:
        """Back to the settings the application runs with."""
        with self.driver.cursor() as cursor:
            cursor.execute("RESET session_replication_role")
            cursor.execute("RESET TIME ZONE")
        self.driver.commit()
        self.raw.close()


def _loaded_columns() -> list[tuple[str, tuple[str, ...]]]:
    """The bulk-loaded tables and the generator's column order for each."""
    return [
        ("taps", TAP_COLUMNS),
        ("offer_views", VIEW_COLUMNS),
        ("redemption_codes", CODE_COLUMNS),
    ]


def _insert_sql(table: str, columns: tuple[str, ...]) -> str:
    """A positional INSERT for sqlite3's executemany."""
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


@contextlib.contextmanager
def without_indexes(target: Target) -> Iterator[None]:
    """Drop the loaded tables' secondary indexes for the load, then build them in one go:
    maintaining three indexes row by row would dominate the load."""
    with target.database.engine.begin() as connection:
        for table in LOADED_TABLES:
            for index in table.indexes:
                index.drop(connection, checkfirst=True)
    yield
    with target.step("index building"), target.database.engine.begin() as connection:
        for table in LOADED_TABLES:
            for index in table.indexes:
                index.create(connection)
        # What the tap path keeps up to date row by row, and sticker health reads.
        connection.execute(
            text(
                "UPDATE stickers SET last_tap_at = (SELECT max(occurred_at) FROM taps "
                "WHERE taps.sticker_id = stickers.id), installed_at = (SELECT min(occurred_at) "
                "FROM taps WHERE taps.sticker_id = stickers.id)"
            )
        )


def generate(targets: list[Target], size: Size) -> None:
    """Fill every target with the same generated rows, in one pass of the generator."""
    worlds = []
    for target in targets:
        with target.step("places, stickers and offers"), target.database.transaction() as s:
            worlds.append(build_world(s, size.stickers, SEED))
    generator = Generator(worlds[0], size, SEED)
    for target in targets:  # PostgreSQL's taps are partitioned by month: make those to load
        with target.database.transaction() as session:
            connection = session.connection()
            if tap_partitions.is_partitioned(connection):
                first = size.first_day - dt.timedelta(days=1)  # local days, UTC partitions
                months = tap_partitions.months_between(
                    dt.date(first.year, first.month, 1),
                    dt.date(size.last_day.year, size.last_day.month, 1),
                )
                tap_partitions.create(connection, months)
    loaders: list[Any] = []
    with contextlib.ExitStack() as stack:
        for target in targets:
            stack.enter_context(without_indexes(target))
            loader = SqliteLoader if target.name == "sqlite" else PostgresLoader
            loaders.append(loader(target.database.engine))
        started = time.perf_counter()
        for chunk in _chunks(generator.days()):
            for target, loader in zip(targets, loaders, strict=True):
                with _quietly(target, "bulk inserts"):
                    loader.write(*chunk)
        for target, loader in zip(targets, loaders, strict=True):
            loader.close()
            target.steps["generating and inserting"] = time.perf_counter() - started
            print(
                f"  {target.name}: {size.taps:,} taps generated and inserted in "
                f"{target.steps['generating and inserting']:.1f} s (of which the database's "
                f"inserts {target.steps['bulk inserts']:.1f} s)",
                flush=True,
            )


@contextlib.contextmanager
def _quietly(target: Target, name: str) -> Iterator[None]:
    """Add a repeated step's time to its total, without printing each time."""
    started = time.perf_counter()
    yield
    target.steps[name] = target.steps.get(name, 0.0) + time.perf_counter() - started


def _chunks(days: Iterator[Rows]) -> Iterator[tuple[list, list, list]]:
    """Days gathered into chunks of about FLUSH_TAPS taps; progress printed every 10 %."""
    taps: list[tuple] = []
    views: list[tuple] = []
    codes: list[tuple] = []
    for rows in days:
        taps += rows.taps
        views += rows.views
        codes += rows.codes
        if len(taps) >= FLUSH_TAPS:
            print(f"    ... up to {rows.day}", flush=True)
            yield taps, views, codes
            taps, views, codes = [], [], []
    if taps:
        yield taps, views, codes


def rebuild(target: Target) -> None:
    """Recompute every rollup from the raw rows, as `taptrail rollups rebuild` does."""
    from server.services import rollups

    with target.database.transaction() as session:
        session.execute(delete(DirtyDay))  # marks an interrupted --keep run left behind
    with target.step("rollup rebuild"):
        rollups.rebuild(target.database)


def analyze(target: Target) -> None:
    """Fresh planner statistics, as autovacuum or PRAGMA optimize would leave them."""
    with target.step("ANALYZE"):
        autocommit = target.database.engine.execution_options(isolation_level="AUTOCOMMIT")
        with autocommit.connect() as connection:
            if target.name == "sqlite":
                connection.exec_driver_sql("ANALYZE")
                connection.exec_driver_sql("PRAGMA optimize")
            else:
                # VACUUM too: a bulk load leaves no visibility map, so no index-only scans.
                connection.exec_driver_sql("VACUUM ANALYZE")


@dataclass
class Timing:
    """One query on one scope, on one database."""

    query: str
    scope: str
    database: str
    cold_ms: float
    median_ms: float
    p95_ms: float

    @property
    def meets(self) -> bool:
        """Both the median and the p95 under the budget."""
        return self.p95_ms < BUDGET_MS


def scopes(target: Target) -> list[tuple[str, Any]]:
    """The last 30 and 365 days, for the territory and for its busiest museum."""
    from server.services.stats import Scope

    with target.database.sessions() as session:
        last = session.scalar(select(Tap.occurred_at).order_by(Tap.occurred_at.desc()).limit(1))
        museum = session.execute(
            select(Place.id, Place.territory_id).where(Place.kind == "museum").order_by(Place.id)
        ).first()
    end = last.astimezone(PARIS).date()
    found = []
    for days in (30, 365):
        start = end - dt.timedelta(days=days - 1)
        found.append((f"{days} d", Scope(museum.territory_id, start, end)))
        found.append((f"{days} d, museum", Scope(museum.territory_id, start, end, museum.id)))
    return found


def time_queries(target: Target, runs: int) -> list[Timing]:
    """Every dashboard query on every scope: the cold call, then `runs` timed calls. A place
    row is left out when the query ignores the place (same answer as the territory's)."""
    from server.services.stats import DASHBOARD_QUERIES

    timings = []
    answers: dict[tuple[str, str], object] = {}
    for scope_name, scope in scopes(target):
        for query_name, query in DASHBOARD_QUERIES:
            with target.database.sessions() as session:
                cold, answer = _timed(query, session, scope)
                territory_answer = answers.get((query_name, scope_name.split(",")[0]))
                answers[(query_name, scope_name)] = answer
                if scope.place_id is not None and answer == territory_answer:
                    continue
                # A query slower than 5 s is not worth ten more runs: three say enough.
                count = runs if cold < 5000 else 3
                warm = [_timed(query, session, scope)[0] for _ in range(count)]
            timing = Timing(
                query_name, scope_name, target.name, cold, statistics.median(warm), _p95(warm)
            )
            timings.append(timing)
            print(f"    {_row(timing)}", flush=True)
    return timings


def _timed(query: Callable, session: Any, scope: Any) -> tuple[float, object]:
    """Milliseconds one call took, and its answer (materialised, as the dashboard would)."""
    started = time.perf_counter()
    answer = query(session, scope)
    if isinstance(answer, Iterator):
        answer = list(answer)
    return (time.perf_counter() - started) * 1000, answer


def _p95(values: list[float]) -> float:
    """The 95th percentile, interpolated between the runs."""
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


HEADER = f"{'query':<28} {'range':<15} {'database':<10} {'cold':>9} {'median':>9} {'p95':>9}  <500"


def _row(timing: Timing) -> str:
    """One line of the timing table."""
    return (
        f"{timing.query:<28} {timing.scope:<15} {timing.database:<10} {timing.cold_ms:>9.1f} "
        f"{timing.median_ms:>9.1f} {timing.p95_ms:>9.1f}  {'yes' if timing.meets else 'NO'}"
    )


def table_counts(target: Target) -> dict[str, int]:
    """Rows in the raw tables and in every rollup table."""
    names = [table.name for table in LOADED_TABLES] + sorted(
        name for name in Base.metadata.tables if name.startswith("rollup_")
    )
    with target.database.engine.connect() as connection:
        return {name: connection.scalar(text(f"SELECT count(*) FROM {name}")) for name in names}


def table_sizes(target: Target, names: list[str]) -> tuple[int, dict[str, int]]:
    """The whole database's bytes, and each table's with its indexes where the database says."""
    with target.database.engine.connect() as connection:
        if target.name == "postgresql":
            total = connection.scalar(text("SELECT pg_database_size(current_database())"))
            # A partitioned table (the taps) holds nothing itself: add up its partitions.
            sizes = {
                name: connection.scalar(
                    text(
                        "SELECT sum(pg_total_relation_size(relid))"
                        f" FROM pg_partition_tree('{name}')"
                    )
                )
                for name in names
            }
            return total, sizes
        total = sum(
            Path(f"{SQLITE_PATH}{suffix}").stat().st_size
            for suffix in ("", "-wal")
            if Path(f"{SQLITE_PATH}{suffix}").exists()
        )
        return total, _sqlite_table_sizes(connection, names)


def _sqlite_table_sizes(connection: Any, names: list[str]) -> dict[str, int]:
    """Bytes per table and its indexes from the dbstat table, when SQLite was built with it."""
    try:
        rows = connection.execute(
            text(
                "SELECT coalesce(m.tbl_name, d.name), sum(d.pgsize) FROM dbstat d "
                "LEFT JOIN sqlite_master m ON m.name = d.name GROUP BY 1"
            )
        ).all()
    except DBAPIError:  # dbstat is a compile-time option of SQLite
        return {}
    found = dict(rows)
    return {name: found.get(name, 0) for name in names}


def report(targets: list[Target], timings: list[Timing]) -> None:
    """The set-up times, the row counts and sizes, and the timing table."""
    print("\nset-up (seconds):")
    for target in targets:
        steps = ", ".join(f"{name} {seconds:.1f}" for name, seconds in target.steps.items())
        print(f"  {target.name}{' (reused)' if target.reused else ''}: {steps}")
    for target in targets:
        counts = table_counts(target)
        total, sizes = table_sizes(target, list(counts))
        print(f"\n{target.name}: {total / 2**20:,.0f} MiB in all")
        for name, rows in counts.items():
            size = f"{sizes[name] / 2**20:>9,.1f} MiB" if name in sizes else ""
            print(f"  {name:<24} {rows:>12,} rows {size}")
    print(f"\n{HEADER}")
    for timing in timings:
        print(_row(timing))
    missed = [timing for timing in timings if not timing.meets]
    print(
        f"\n{len(timings) - len(missed)} of {len(timings)} under {BUDGET_MS} ms at p95 "
        f"(times in ms; cold is the first call of a fresh session)"
    )


def main() -> None:
    """Generate (or reuse), rebuild the rollups, time the dashboard, print the figures."""
    chosen = options()
    last_day = dt.datetime.now(PARIS).date() - dt.timedelta(days=1)
    size = Size(chosen.taps, chosen.days, chosen.stickers, last_day)
    names = ["sqlite", "postgresql"] if chosen.database == "both" else [chosen.database]
    makers = {"sqlite": sqlite_target, "postgresql": postgres_target}
    targets = [makers[name](chosen.keep) for name in names]
    try:
        fresh = []
        for target in targets:
            upgrade(target.database.engine)
            target.reused = chosen.keep and generated(target, size.taps)
            if not target.reused:
                fresh.append(target)
        for target in targets:
            if target.reused:
                print(f"  {target.name}: reusing the {size.taps:,} taps of an earlier --keep run")
        if fresh:
            print(f"generating {size.taps:,} taps over {size.days} days")
            generate(fresh, size)
        timings = []
        for target in targets:
            if not (target.reused and rolled_up(target)):
                # Statistics on the raw rows first, or the planner guesses its way through
                # the rebuild's joins (autovacuum would have analysed them by then).
                analyze(target)
                rebuild(target)
            analyze(target)
            print(f"  {target.name}: timing the dashboard queries", flush=True)
            timings += time_queries(target, chosen.runs)
        report(targets, timings)
    finally:
        for target in targets:
            target.database.dispose()
        if not chosen.keep and "sqlite" in names:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
        if not chosen.keep and "postgresql" in names:
            drop_postgres()


if __name__ == "__main__":
    main()
