"""The tap path against a bare Flask redirect, same gunicorn settings, same run, wrk on loopback.

    python -m bench.tap [--seconds 15] [--rounds 2] [--exact 20000]

Prints requests per second and p99 latency of both, their ratio (target: at least 0.8), how long
the drainer took to empty the spool once wrk stopped, then sends exactly N human taps with 64
concurrent clients and checks that exactly N are stored.
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

from sqlalchemy import func, select

from bench.harness import PHONE, WrkResult, deployment, gunicorn, wrk

WORKERS = 2 * (os.cpu_count() or 1)


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


def stored_human_taps() -> int:
    """Drain whatever is spooled, then count the human taps in the database."""
    from server.db import database
    from server.models import Tap
    from server.taps.recorder import recorder

    app = _app()
    recorder(app).drain_now()
    with database(app).sessions() as session:
        count = session.scalar(select(func.count(Tap.id)).where(Tap.human.is_(True)))
    database(app).dispose()
    return int(count or 0)


def wait_for_drain(spool: str, timeout: float = 300.0) -> tuple[int, float]:
    """Wait until the spool is empty; returns (taps waiting at the start, seconds it took)."""
    from server.taps.drain import backlog, backlog_bytes

    started = time.monotonic()
    waiting = backlog(spool)
    # Polled by size: counting lines would read the whole backlog every time, beside the drainer.
    while backlog_bytes(spool) and time.monotonic() - started < timeout:
        time.sleep(0.05)
    if backlog_bytes(spool):
        raise RuntimeError(f"{backlog(spool)} taps still spooled after {timeout:.0f} s")
    return waiting, time.monotonic() - started


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


def measure_bare(env: dict[str, str], path: str, seconds: int) -> WrkResult:
    """wrk against the bare Flask redirect."""
    with gunicorn("bench.bare:app", env, WORKERS) as base:
        return wrk(base + path, seconds)


def measure_tap(env: dict[str, str], path: str, seconds: int) -> tuple[WrkResult, int, float]:
    """wrk against the tap path, then the spool backlog it left and how long it took to drain."""
    with gunicorn("server:create_app()", env, WORKERS) as base:
        send_exactly(base, path, 200)  # warm up each worker's caches
        result = wrk(base + path, seconds)
        # The drainer runs at the lowest priority: under load it lets the workers go first.
        waiting, drained_in = wait_for_drain(env["TAPTRAIL_SPOOL_DIR"])
    return result, waiting, drained_in


def main() -> None:
    """Run the comparison and the exactly-N check, and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--exact", type=int, default=20000)
    options = parser.parse_args()
    with deployment() as env:
        os.environ.update(env)
        path = demo_path()
        print(f"gunicorn: {WORKERS} sync workers; wrk -t2 -c64 -d{options.seconds}s; path {path}")
        bare, tap, ratios = [], [], []
        for round_number in range(1, options.rounds + 1):
            # Every other round the tap goes first, so a drift in the machine's load (two shared
            # cores) does not always favour the same side.
            if round_number % 2:
                bare.append(measure_bare(env, path, options.seconds))
                tap_result, waiting, seconds = measure_tap(env, path, options.seconds)
            else:
                tap_result, waiting, seconds = measure_tap(env, path, options.seconds)
                bare.append(measure_bare(env, path, options.seconds))
            tap.append(tap_result)
            ratios.append(tap[-1].per_second / bare[-1].per_second)
            print(
                f"round {round_number}: bare {bare[-1].per_second:8.0f} req/s p99 "
                f"{bare[-1].p99_ms:6.1f} ms | tap {tap[-1].per_second:8.0f} req/s p99 "
                f"{tap[-1].p99_ms:6.1f} ms | ratio {ratios[-1]:.2f} | spool backlog when wrk "
                f"stopped: {waiting} taps, drained in {seconds:.1f} s",
                flush=True,
            )
        bare_rate = statistics.mean(r.per_second for r in bare)
        tap_rate = statistics.mean(r.per_second for r in tap)
        print(
            f"bare Flask redirect: {bare_rate:.0f} req/s, p99 {max(r.p99_ms for r in bare):.1f} ms"
        )
        print(f"TapTrail tap path:   {tap_rate:.0f} req/s, p99 {max(r.p99_ms for r in tap):.1f} ms")
        print(
            f"ratio: {tap_rate / bare_rate:.2f} (target >= 0.80); per round: median "
            f"{statistics.median(ratios):.2f}, {min(ratios):.2f} to {max(ratios):.2f}; "
            f"wrk errors: {tap[-1].errors}"
        )
        answered = sum(r.requests for r in tap)
        stored = stored_human_taps()
        print(
            f"under wrk: {answered} responses counted by wrk, {stored} human taps stored "
            f"(wrk does not count the up to 64 requests in flight when it stops)"
        )
        before = stored
        with gunicorn("server:create_app()", env, WORKERS) as base:
            redirected = send_exactly(base, path, options.exact)
        after = stored_human_taps()
        verdict = "exact" if after - before == options.exact == redirected else "MISMATCH"
        print(
            f"exactly-N: sent {options.exact} human taps (64 at a time), {redirected} redirected, "
            f"{after - before} stored: {verdict}"
        )


if __name__ == "__main__":
    main()
