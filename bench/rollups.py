"""The full rollup rebuild (`taptrail rollups rebuild`, set-based) timed on generated taps.

    python -m bench.rollups [--taps 1000000] [--days 730] [--stickers 500]
                            [--database postgresql|sqlite] [--by-day] [--keep]

Generates the taps as bench/analytics.py does (bench/analytics_data.py, one territory, two
years), then times `rollups.rebuild` from empty rollup tables, and prints its wall time, taps
per second, where the time went, and the time extrapolated linearly to 10 million taps beside
the target (5 minutes on PostgreSQL). The extrapolation is a figure computed here, not
measured: say so wherever it is quoted. --by-day times the old day-at-a-time path on the same
database too (slow: minutes at a million taps) and checks both give the same row counts.
--keep reuses and keeps the generated database (generation is the slow part); without it the
database is dropped at the end, whatever happens.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time
from pathlib import Path

from sqlalchemy import delete, text

from bench import analytics
from bench.analytics_data import PARIS, Size
from server.migrate import upgrade
from server.models import Base, DirtyDay
from server.services import rollups

TARGET_SECONDS = 300
TARGET_TAPS = 10_000_000
ROLLUP_TABLES = sorted(name for name in Base.metadata.tables if name.startswith("rollup_"))


def options() -> argparse.Namespace:
    """Sizes, which database, and whether to time the day-at-a-time path too."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--taps", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--stickers", type=int, default=500)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--by-day", action="store_true", help="time the old path too")
    parser.add_argument("--keep", action="store_true", help="reuse and keep the database")
    return parser.parse_args()


def emptied(target: analytics.Target) -> None:
    """No rollup row and no mark: the rebuild starts from nothing, as on a new deployment."""
    with target.database.transaction() as session:
        session.execute(delete(DirtyDay))
        for name in ROLLUP_TABLES:
            session.execute(text(f"DELETE FROM {name}"))
    analytics.analyze(target)


def counts(target: analytics.Target) -> dict[str, int]:
    """Rows per rollup table."""
    with target.database.engine.connect() as connection:
        return {
            name: connection.scalar(text(f"SELECT count(*) FROM {name}")) or 0
            for name in ROLLUP_TABLES
        }


def backend_pid(target: analytics.Target, fresh: bool = True) -> int | None:
    """The PostgreSQL backend the next transaction will use: the pool is emptied first
    (`fresh`), so it holds just this connection when the rebuild asks for one."""
    if target.name != "postgresql":
        return None
    if fresh:
        target.database.engine.dispose()
    with target.database.engine.connect() as connection:
        return connection.scalar(text("SELECT pg_backend_pid()"))


def cpu_seconds(pid: int | None) -> float | None:
    """Seconds of CPU a local process has used (None when unknown): from /proc, as ps reads."""
    stat = Path(f"/proc/{pid}/stat")
    if pid is None or not stat.exists():
        return None
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(name: str, run: object, taps: int) -> float:
    """Run a rebuild, print its figures; its wall seconds."""
    started = time.perf_counter()
    report = run()  # type: ignore[operator]
    seconds = time.perf_counter() - started
    load = os.getloadavg()
    extrapolated = seconds * TARGET_TAPS / taps
    print(
        f"  {name}: {seconds:.1f} s wall for {taps:,} taps = {taps / seconds:,.0f} taps/s; "
        f"{report.days} days; load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
        flush=True,
    )
    if report.seconds:
        steps = ", ".join(f"{step} {value:.1f} s" for step, value in report.seconds.items())
        print(f"    steps: {steps}")
    how = "MEASURED" if taps == TARGET_TAPS else "EXTRAPOLATED (linear, not measured)"
    print(
        f"    10M taps {how}: {extrapolated:.0f} s vs target {TARGET_SECONDS} s: "
        f"{'met' if extrapolated <= TARGET_SECONDS else 'NOT met'}",
        flush=True,
    )
    return seconds


def main() -> None:
    """Generate (or reuse) the taps, rebuild the rollups from nothing, print the figures."""
    chosen = options()
    analytics.POSTGRES_DATABASE = os.environ.get(
        "TAPTRAIL_BENCH_DATABASE_NAME", "taptrail_bench_rollups"
    )
    last_day = dt.datetime.now(PARIS).date() - dt.timedelta(days=1)
    size = Size(chosen.taps, chosen.days, chosen.stickers, last_day)
    maker = analytics.sqlite_target if chosen.database == "sqlite" else analytics.postgres_target
    target = maker(chosen.keep)
    try:
        upgrade(target.database.engine)
        if not (chosen.keep and analytics.generated(target, size.taps)):
            print(f"generating {size.taps:,} taps over {size.days} days", flush=True)
            analytics.generate([target], size)
        print(f"rebuilding on {target.name} ({os.cpu_count()} cores)", flush=True)
        emptied(target)
        pid = backend_pid(target)
        cpu = cpu_seconds(pid)
        timed("set-based rebuild", lambda: rollups.rebuild(target.database), size.taps)
        after = cpu_seconds(pid)
        if cpu is not None and after is not None and backend_pid(target, fresh=False) == pid:
            print(f"    PostgreSQL backend CPU: {after - cpu:.1f} s (parallel workers apart)")
        rebuilt = counts(target)
        for name, rows in rebuilt.items():
            print(f"    {name:<26} {rows:>12,} rows")
        if chosen.by_day:
            emptied(target)
            timed("day at a time", lambda: rollups.rebuild_by_day(target.database), size.taps)
            by_day = counts(target)
            same = {name: rows for name, rows in by_day.items() if name != "rollup_dirty_days"}
            expected = {n: r for n, r in rebuilt.items() if n != "rollup_dirty_days"}
            print(f"    same row counts on both paths: {same == expected}")
    finally:
        target.database.dispose()
        if not chosen.keep:
            if target.name == "postgresql":
                analytics.drop_postgres()
            else:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{analytics.SQLITE_PATH}{suffix}").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
