"""The place page with 10,000 items in the database: median server time, SQL statements and
byte size printed, kept (server/visitor/pagecache.py) and rendered, on SQLite and PostgreSQL.

    python -m bench.pages [--items 10000] [--runs 300] [--database sqlite|postgresql|both]

The items are bench.nearby's (shops, offers and sights spread around the demo's places). A run
is one whole request through the app (routing, the version check or the nearby query and
rendering, the live block), on a warm process, timed in process so that only the server's own
work is measured (wall time, and the process's CPU time, which a busy machine disturbs less).
Each run asks for the page twice, in alternating order: with kept renderings, and rendered
afresh (PLACE_PAGE_CACHE=0, as before pages were kept). The clock moves a minute at every run,
so a kept page is rendered again whenever something listed opens or closes in that minute.
PostgreSQL: a throwaway database on TAPTRAIL_TEST_POSTGRES_URL's server. Target: a median of at
most 10 ms on PostgreSQL, and a page of at most 30 KB of HTML and CSS.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import secrets
import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from flask import Flask
from sqlalchemy import create_engine, event
from sqlalchemy.engine import make_url

from bench.nearby import populated_app

BUDGET_MS = 10
BUDGET_BYTES = 30 * 1024
POSTGRES_ADMIN_URL = os.environ.get(
    "TAPTRAIL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
# A statement only a rendering sends: a kept page reads the version and the live block only.
RENDERING = "FROM places"


@dataclass
class Timings:
    """One way of serving a page, over the runs."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    statements: list[int] = field(default_factory=list)
    rendered: int = 0

    def summary(self) -> str:
        """ "median 3.10 ms (CPU 2.05 ms), p90 4.00 ms, 1 SQL statement"."""
        return (
            f"median {statistics.median(self.wall):.2f} ms "
            f"(CPU {statistics.median(self.cpu):.2f} ms), "
            f"p90 {statistics.quantiles(self.wall, n=10)[-1]:.2f} ms, "
            f"{statistics.median(self.statements):g} SQL statements (median)"
        )


def options() -> argparse.Namespace:
    """--items, --runs and --database."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    return parser.parse_args()


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    """A throwaway PostgreSQL database's URL, dropped afterwards."""
    name = f"taptrail_bench_pages_{secrets.token_hex(4)}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()


def request(app: Flask, path: str, lang: str, keep: bool, into: Timings) -> bytes:
    """Ask for the page once, kept renderings on or off, and note its cost."""
    from server.db import database

    app.config["PLACE_PAGE_CACHE"] = 1000 if keep else 0
    sent: list[str] = []

    def note(*args: object) -> None:
        sent.append(str(args[2]))

    engine = database(app).engine
    event.listen(engine, "before_cursor_execute", note)
    client = app.test_client()
    try:
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(path, headers={"Accept-Language": lang})
        into.cpu.append((time.process_time() - started_cpu) * 1000)
        into.wall.append((time.perf_counter() - started) * 1000)
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert response.status_code == 200
    into.statements.append(len(sent))
    into.rendered += any(RENDERING in statement for statement in sent)
    return response.get_data()


def measure(kind: str, items: int, runs: int) -> None:
    """Fill the database, then time the place pages of La Piscine and the Wazemmes market."""
    # A Saturday afternoon, when most of the bench's shops are open.
    saturday = dt.datetime(2026, 11, 28, 14, 0, tzinfo=dt.UTC)
    with populated_app(items, FIXED_NOW=saturday) as app:
        from server.db import database

        dialect = database(app).dialect
        for slug in ("la-piscine", "marche-de-wazemmes"):
            for lang in ("fr", "en"):
                path = f"/{lang}/p/{slug}"
                kept, rendered = Timings(), Timings()
                app.config["FIXED_NOW"] = saturday
                body = request(app, path, lang, True, Timings())  # warm, and kept
                for run in range(runs):
                    app.config["FIXED_NOW"] = saturday + dt.timedelta(minutes=run + 1)
                    order = [(True, kept), (False, rendered)]
                    for keep, into in order if run % 2 else order[::-1]:
                        request(app, path, lang, keep, into)
                ratio = statistics.median(rendered.wall) / statistics.median(kept.wall)
                print(
                    f"{dialect} {path}: {items} items, {body.count(b'<h3>')} listed, "
                    f"{len(body):,} bytes (budget {BUDGET_BYTES:,}), {runs} runs, a minute apart\n"
                    f"  kept:     {kept.summary()}; rendered again in {kept.rendered} runs\n"
                    f"  rendered: {rendered.summary()}\n"
                    f"  kept is {ratio:.1f}x faster; target median <= {BUDGET_MS} ms"
                    f" ({'met' if statistics.median(kept.wall) <= BUDGET_MS else 'missed'})",
                    flush=True,
                )


def main() -> None:
    """Each database in turn."""
    chosen = options()
    kinds = ["sqlite", "postgresql"] if chosen.database == "both" else [chosen.database]
    for kind in kinds:
        if kind == "sqlite":
            os.environ.pop("TAPTRAIL_BENCH_DATABASE_URL", None)
            measure(kind, chosen.items, chosen.runs)
            continue
        with postgres_database() as url:
            os.environ["TAPTRAIL_BENCH_DATABASE_URL"] = url
            try:
                measure(kind, chosen.items, chosen.runs)
            finally:
                os.environ.pop("TAPTRAIL_BENCH_DATABASE_URL", None)


if __name__ == "__main__":
    main()
