"""The tap path against a bare Flask redirect, same gunicorn settings, same run, wrk on loopback.

    python -m bench.tap [--seconds 15] [--rounds 3] [--exact 20000]

The figure that counts is the *sustained* rate: taps stored per second over the load time plus
the time until the last answered tap is stored (the drainer lets a rush pass, then catches up),
against the bare redirect's requests per second (it has nothing to store). Target: at least 1.0.
Per round it prints both rates, their ratio, the burst ratio (answers alone), the CPU per
request of the workers, of the drainer and (PostgreSQL) of the database's backends, read from
/proc, and checks that every answered tap is stored; then the median ratio beside the target,
and exactly N human taps from 64 concurrent clients, checked to be stored exactly.
The drainer refreshes the analytics rollups on its usual schedule throughout.
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import Engine, create_engine, func, select, text

from bench.harness import (
    PHONE,
    WrkResult,
    cpu_between,
    cpu_seconds,
    deployment,
    gunicorn,
    serving,
    wrk,
)

WORKERS = 2 * (os.cpu_count() or 1)
CONNECTIONS = 64  # wrk -c: also the most requests a stopping wrk leaves answered but uncounted
TARGET = 1.0


def demo_path() -> str:
    """The path of an installed demo sticker."""
    from server.db import database
    from server.models import Sticker

    app = _app()
    with database(app).sessions() as session:
        code = session.scalar(select(Sticker.code).where(Sticker.demo.is_(True)).limit(1))
    database(app).dispose()
    return f"/{code}"


def _app():
    from server import create_app

    return create_app({"DRAIN_THREAD": False})


def stored_human_taps(engine: Engine) -> int:
    """The human taps in the database (what the drainer has stored so far)."""
    from server.models import Tap

    with engine.connect() as connection:
        return int(connection.scalar(select(func.count()).where(Tap.human.is_(True))) or 0)


def drain_and_count() -> int:
    """Drain whatever is spooled, then count the human taps in the database."""
    from server.db import database
    from server.taps.recorder import recorder

    app = _app()
    recorder(app).drain_now()
    database(app).dispose()
    engine = create_engine(os.environ["TAPTRAIL_DATABASE_URL"])
    try:
        return stored_human_taps(engine)
    finally:
        engine.dispose()


def wait_for_drain(spool: str, timeout: float = 300.0) -> float:
    """Wait until the spool holds no undrained tap; returns the seconds it took."""
    from server.taps.drain import backlog, backlog_bytes

    started = time.monotonic()
    # Polled by size: counting lines would read the whole backlog every time, beside the drainer.
    while backlog_bytes(spool) and time.monotonic() - started < timeout:
        time.sleep(0.02)
    if backlog_bytes(spool):
        raise RuntimeError(f"{backlog(spool)} taps still spooled after {timeout:.0f} s")
    return time.monotonic() - started


def send_exactly(base: str, path: str, total: int, concurrency: int = 64) -> int:
    """Send `total` tap requests from `concurrency` clients; returns how many got a 303."""
    host, port = urlsplit(base).hostname, urlsplit(base).port

    def one(_: int) -> int:
        connection = http.client.HTTPConnection(host, port, timeout=30)
        try:
            connection.request("GET", path, headers={"User-Agent": PHONE})
            return connection.getresponse().status
        finally:
            connection.close()

    with ThreadPoolExecutor(concurrency) as pool:
        return sum(status == 303 for status in pool.map(one, range(total)))


def backends(engine: Engine) -> list[int]:
    """The PostgreSQL backends serving the bench database, but the bench's own (empty on SQLite)."""
    if engine.dialect.name != "postgresql":
        return []
    query = text(
        "SELECT pid FROM pg_stat_activity"
        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
    with engine.connect() as connection:
        return list(connection.scalars(query))


@dataclass
class BareRound:
    """wrk against the bare redirect, and the workers' CPU per request."""

    load: WrkResult
    worker_us: float


@dataclass
class TapRound:
    """wrk against the tap path, the storing that followed, and the CPU it all took."""

    load: WrkResult
    stored: int  # human taps stored from this round's load
    drained_in: float  # seconds from wrk's end until the last answered tap was stored
    worker_us: float
    drainer_us: float
    database_us: float | None  # PostgreSQL backends; None on SQLite

    @property
    def sustained(self) -> float:
        """Taps stored per second over the load time and the storing after it."""
        return self.stored / (self.load.seconds + self.drained_in)


def measure_bare(env: dict[str, str], path: str, seconds: int) -> BareRound:
    """wrk against the bare Flask redirect."""
    with serving("bench.bare:app", env, WORKERS) as server:
        send_exactly(server.url, path, 200)  # every worker up and warm, as for the tap path
        workers = server.workers()
        before = cpu_seconds(workers)
        result = wrk(server.url + path, seconds, connections=CONNECTIONS)
        used = cpu_between(before, cpu_seconds(workers))
    return BareRound(result, used / max(result.requests, 1) * 1e6)


def measure_tap(env: dict[str, str], path: str, seconds: int, engine: Engine) -> TapRound:
    """wrk against the tap path, then the wait until every answered tap is stored."""
    spool = env["TAPTRAIL_SPOOL_DIR"]
    with serving("server:create_app()", env, WORKERS) as server:
        send_exactly(server.url, path, 200)  # warm up each worker's caches
        wait_for_drain(spool)
        first = stored_human_taps(engine)
        workers, drainer, database = server.workers(), server.drainer(), backends(engine)
        before = cpu_seconds([*workers, *([drainer] if drainer else []), *database])
        result = wrk(server.url + path, seconds, connections=CONNECTIONS)
        after_load = cpu_seconds(workers)
        drained_in = wait_for_drain(spool)
        after = cpu_seconds([*([drainer] if drainer else []), *database])
        stored = stored_human_taps(engine) - first
    taps = max(stored, 1)
    return TapRound(
        load=result,
        stored=stored,
        drained_in=drained_in,
        worker_us=cpu_between({p: before[p] for p in workers if p in before}, after_load)
        / taps
        * 1e6,
        drainer_us=cpu_between({drainer: before[drainer]} if drainer in before else {}, after)
        / taps
        * 1e6,
        database_us=(
            cpu_between({p: before[p] for p in database if p in before}, after) / taps * 1e6
            if engine.dialect.name == "postgresql"
            else None
        ),
    )


def print_round(number: int, bare: BareRound, tap: TapRound) -> str:
    """Print one round's figures; returns what went wrong with its counts ("" when nothing)."""
    answered, stored = tap.load.requests, tap.stored
    # wrk does not count the requests in flight when it stops, which the server answered.
    counts_ok = answered <= stored <= answered + CONNECTIONS
    database = f", database {tap.database_us:.0f}" if tap.database_us is not None else ""
    print(
        f"round {number} (load {os.getloadavg()[0]:.1f}): bare {bare.load.per_second:6.0f} req/s"
        f" | tap {tap.load.per_second:6.0f} req/s answered, {tap.sustained:6.0f} taps/s "
        f"sustained ({stored} stored in {tap.load.seconds:.1f} s + {tap.drained_in:.2f} s) | "
        f"ratio sustained {tap.sustained / bare.load.per_second:.2f}, burst "
        f"{tap.load.per_second / bare.load.per_second:.2f}",
        flush=True,
    )
    print(
        f"  CPU per request: bare workers {bare.worker_us:.0f} us | tap workers "
        f"{tap.worker_us:.0f} us, drainer {tap.drainer_us:.0f} us{database} | p99 bare "
        f"{bare.load.p99_ms:.1f} ms, tap {tap.load.p99_ms:.1f} ms | answered {answered} "
        f"(+ up to {CONNECTIONS} in flight), stored {stored}: "
        f"{'every answered tap stored' if counts_ok else 'MISMATCH'}",
        flush=True,
    )
    return "" if counts_ok else f"round {number}: {answered} answered, {stored} stored"


def main() -> None:
    """Run the comparison and the exactly-N check, and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--exact", type=int, default=20000)
    options = parser.parse_args()
    with deployment() as env:
        os.environ.update(env)
        path = demo_path()
        engine = create_engine(env["TAPTRAIL_DATABASE_URL"])
        print(
            f"{engine.dialect.name}; gunicorn: {WORKERS} sync workers; wrk -t2 "
            f"-c{CONNECTIONS} -d{options.seconds}s; path {path}; rollup refresh on its schedule "
            f"(TAPTRAIL_ROLLUP_INTERVAL={os.environ.get('TAPTRAIL_ROLLUP_INTERVAL', '60')} s)"
        )
        ratios, bursts, problems = [], [], []
        for number in range(1, options.rounds + 1):
            # Every other round the tap goes first, so a drift in the machine's load (two shared
            # cores) does not always favour the same side.
            if number % 2:
                bare = measure_bare(env, path, options.seconds)
                tap = measure_tap(env, path, options.seconds, engine)
            else:
                tap = measure_tap(env, path, options.seconds, engine)
                bare = measure_bare(env, path, options.seconds)
            ratios.append(tap.sustained / bare.load.per_second)
            bursts.append(tap.load.per_second / bare.load.per_second)
            problem = print_round(number, bare, tap)
            if problem:
                problems.append(problem)
        print(
            f"sustained ratio, median of {len(ratios)} rounds: {statistics.median(ratios):.2f} "
            f"(target >= {TARGET:.1f}); rounds {min(ratios):.2f} to {max(ratios):.2f}; burst "
            f"ratio median {statistics.median(bursts):.2f}"
        )
        print(
            "every answered tap stored in every round"
            if not problems
            else "MISMATCH: " + "; ".join(problems)
        )
        before = drain_and_count()
        with gunicorn("server:create_app()", env, WORKERS) as base:
            redirected = send_exactly(base, path, options.exact)
        after = drain_and_count()
        verdict = "exact" if after - before == options.exact == redirected else "MISMATCH"
        print(
            f"exactly-N: sent {options.exact} human taps (64 at a time), {redirected} redirected, "
            f"{after - before} stored: {verdict}"
        )
        engine.dispose()


if __name__ == "__main__":
    main()
