"""Sizing figures for docs/operations.md: what storing taps costs on PostgreSQL, and its room.

    python -m bench.sizing [--taps 200000] [--stickers 500]

Stores --taps taps through the drainer's own code (server.taps.store.store_taps, in batches
as the drainer reads them) into a fresh, migrated PostgreSQL database (the test server's;
TAPTRAIL_BENCH_DATABASE_NAME names it), with every column a real tap fills (visitor id, browser,
language, mirrored UID and counter), over one month. Prints the taps stored per second, the CPU
time per tap of the drainer process and of its PostgreSQL backend (read from /proc: the server
must run on this machine), and the bytes on disk per million taps: the partitions with their
indexes (`python -m bench.analytics` prints the rollups' sizes). No target: these are the
figures the sizing in docs/operations.md rests on.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import secrets
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.analytics_data import build_world
from server.db import Database
from server.migrate import upgrade
from server.taps.drain import BATCH_LINES
from server.taps.store import store_taps

ADMIN_URL = os.environ.get(
    "TAPTRAIL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
NAME = os.environ.get("TAPTRAIL_BENCH_DATABASE_NAME", "taptrail_bench_sizing")
BATCH = BATCH_LINES  # as the drainer reads them
TICKS = os.sysconf("SC_CLK_TCK")
BROWSERS = ["Safari 17", "Chrome 120", "Samsung Internet 23", "Firefox 121"]


def backend_cpu(pid: int) -> float:
    """CPU seconds (user and system) a PostgreSQL backend on this machine has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def records(spots: list, count: int, month: dt.datetime, rng: random.Random) -> list[dict]:
    """`count` spool records of people's taps spread over the month after `month`."""
    found = []
    for n in range(count):
        spot = rng.choice(spots)
        at = month + dt.timedelta(seconds=rng.randrange(28 * 86400))
        found.append(
            {
                "id": f"{int(at.timestamp() * 1000):012x}{secrets.token_hex(10)}",
                "at": at.isoformat(),
                "code": spot.code,
                "tag_id": spot.sticker_id,
                "outcome": "ok",
                "visitor_id": secrets.token_hex(16),
                "visitor_kind": "cookie",
                "human": True,
                "reason": None,
                "browser": BROWSERS[n % len(BROWSERS)],
                "language": "fr",
                "method": "GET",
                "mirror_uid": spot.uid,
                "mirror_counter": n + 1 if spot.uid else None,
            }
        )
    return found


def bytes_of(database: Database, table: str) -> int:
    """A table's bytes with its indexes, its partitions added up."""
    with database.engine.connect() as connection:
        return int(
            connection.scalar(
                text(f"SELECT sum(pg_total_relation_size(relid)) FROM pg_partition_tree('{table}')")
            )
            or 0
        )


def main() -> None:
    """Store the taps, then print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--taps", type=int, default=200_000)
    parser.add_argument("--stickers", type=int, default=500)
    chosen = parser.parse_args()
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {NAME} WITH (FORCE)")
        connection.exec_driver_sql(f"CREATE DATABASE {NAME}")
    database = Database(make_url(ADMIN_URL).set(database=NAME).render_as_string(False))
    try:
        upgrade(database.engine)
        with database.transaction() as session:
            world = build_world(session, chosen.stickers, 8)
        month = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
        rng = random.Random(8)
        batches = [
            records(world.spots, min(BATCH, chosen.taps - start), month, rng)
            for start in range(0, chosen.taps, BATCH)
        ]
        store_taps(database, batches.pop())  # warm: the partition made, the pool's connection
        with database.engine.connect() as connection:  # the pool's one connection, reused
            backend = connection.scalar(text("SELECT pg_backend_pid()"))
        stored = BATCH
        wall, cpu, server = time.perf_counter(), time.process_time(), backend_cpu(backend)
        for batch in batches:
            stored += store_taps(database, batch)[0]
        wall = time.perf_counter() - wall
        cpu = time.process_time() - cpu
        server = backend_cpu(backend) - server
        timed = stored - BATCH
        with database.engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
        taps_bytes = bytes_of(database, "taps")
        per_million = 1_000_000 / stored
        print(f"{stored:,} taps stored by store_taps in batches of {BATCH}, PostgreSQL")
        print(f"  {timed / wall:,.0f} taps/s stored (one drainer, wall time)")
        print(
            f"  drainer CPU {cpu / timed * 1e6:.0f} us/tap, "
            f"its PostgreSQL backend {server / timed * 1e6:.0f} us/tap"
        )
        print(f"  taps with indexes: {taps_bytes * per_million / 2**20:,.0f} MiB per million taps")
    finally:
        database.dispose()
        with admin.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {NAME} WITH (FORCE)")
        admin.dispose()


if __name__ == "__main__":
    main()
