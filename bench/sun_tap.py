"""SUN taps (NTAG 424 DNA) against plain taps, in the same run: the tap path and the drainer.

    python -m bench.sun_tap [--taps 20000] [--rounds 4] [--chunk 1000] [--http SECONDS]

On the demo deployment, one demo sticker becomes an NTAG 424 DNA (its chip and UID set) and
gets N SUN URLs with fresh read counters, made as the chip makes them (keys derived from the
deployment's keyring). Each round sends N plain taps of another demo sticker and the N SUN
taps through the app's WSGI callable (no network: the route's own cost, spool append
included), in chunks of --chunk taps per side taking turns to go first (so that other work on
the machine falls on both sides alike), and prints taps per CPU second of both and their ratio
beside the target (at least 0.8). Then the drainer's share: the CPU time of this process to
store the spooled taps of each kind, drained after each chunk. A SUN tap's message is checked
there (AES and CMAC: the tap path only finds it and spools it), and its counter accepted with
the conditional UPDATE of its sticker; the difference per tap is the cost moved off the
answer's path. (The database server's own time is not in it.) Last, a check that every SUN tap
was accepted once (all ok, none replayed).

With --http SECONDS, the same comparison as bench.tap makes, through gunicorn (TapTrail's
settings) and wrk on loopback, taking turns: the plain tap path against SUN URLs that a wrk Lua
script takes in turn from a file (wrk's two threads each run through it, so half of them are
replays: the tap path does the same work for both, the drainer decides).
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select, update

from bench.harness import PHONE, deployment

UID = bytes.fromhex("04DE5F1EACC040")
TARGET = 0.8  # issue 18: the SUN tap path at least 0.8 times as fast as the plain one


def _sun_paths(app: Any, code: str, count: int) -> list[str]:
    from server.config import keyring
    from tags import codes
    from tags.ntag424 import keys as sun_keys
    from tags.ntag424.sun import encrypt_picc_data, sdm_mac

    kid = codes.split(code)[0]
    key = keyring(app).get(kid)
    assert key is not None
    keys = sun_keys.sticker_keys(sun_keys.master_key(key.secret), UID, kid)
    paths = []
    for counter in range(1, count + 1):
        picc = encrypt_picc_data(keys.meta_read, UID, counter, os.urandom(5))
        mac = sdm_mac(keys.file_read, UID, counter)
        paths.append(f"/{code}?e={picc.hex().upper()}&c={mac.hex().upper()}")
    return paths


def _environ(path: str) -> dict[str, Any]:
    route, _, query = path.partition("?")
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": route,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_USER_AGENT": PHONE,
        "HTTP_ACCEPT_LANGUAGE": "fr-FR,fr;q=0.9",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": io.StringIO(),
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def _send(app: Any, paths: list[str]) -> float:
    """Taps per second for `paths`, each answered by the app as a server would call it."""
    statuses: list[str] = []

    def start_response(status: str, headers: list, exc_info: Any = None) -> Callable:
        statuses.append(status)
        return lambda data: None

    environs = [_environ(path) for path in paths]
    # CPU time of this process: other work on the machine's shared cores moves it far less
    # than wall time (the spool's writes are in it; the disk's own time is not).
    started = time.process_time()
    for environ in environs:
        for _chunk in app.wsgi_app(environ, start_response):
            pass
    seconds = time.process_time() - started
    assert all(status.startswith("303") for status in statuses), statuses[:3]
    return len(paths) / seconds


def _drain(app: Any) -> float:
    """CPU seconds of this process to drain the spool (as _send, the CPU: the same clock)."""
    from server.taps.recorder import recorder

    started = time.process_time()
    recorder(app).drain_now()
    return time.process_time() - started


WRK_SCRIPT = """
local paths = {}
for line in io.lines(os.getenv("SUN_PATHS")) do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i - 1) % #paths + 1])
end
"""


def _over_http(env: dict[str, str], plain: str, sun_paths: list[str], seconds: int) -> None:
    """Plain and SUN taps through gunicorn and wrk, two rounds taking turns to go first."""
    from bench.harness import gunicorn, wrk
    from bench.tap import WORKERS, send_exactly

    folder = env["BENCH_FOLDER"]
    script = os.path.join(folder, "sun.lua")
    listing = os.path.join(folder, "sun-paths.txt")
    plain_listing = os.path.join(folder, "plain-paths.txt")
    with open(script, "w") as file:
        file.write(WRK_SCRIPT)
    with open(listing, "w") as file:
        file.write("\n".join(sun_paths) + "\n")
    # The plain side runs the same script over its one path: wrk's Lua costs both sides alike.
    with open(plain_listing, "w") as file:
        file.write(plain + "\n")
    ratios = []
    with gunicorn("server:create_app()", env, WORKERS) as base:
        send_exactly(base, plain, 200)  # warm up each worker's caches
        for round_number in range(2):
            runs = [("plain", plain_listing), ("SUN", listing)]
            results = {}
            for name, paths in runs[:: 1 if round_number == 0 else -1]:
                run_env = {**env, "SUN_PATHS": paths}
                results[name] = wrk(base + "/", seconds, script=script, env=run_env)
            ratios.append(results["SUN"].per_second / results["plain"].per_second)
            print(
                f"http round {round_number + 1}: plain {results['plain'].per_second:8.0f} req/s "
                f"p99 {results['plain'].p99_ms:.1f} ms | SUN {results['SUN'].per_second:8.0f} "
                f"req/s p99 {results['SUN'].p99_ms:.1f} ms | ratio {ratios[-1]:.2f} "
                f"(target >= {TARGET:.2f}) | errors "
                f"{results['SUN'].errors}",
                flush=True,
            )
    overall = statistics.mean(ratios)
    verdict = "met" if overall >= TARGET else "NOT MET"
    print(f"over HTTP, SUN / plain: {overall:.3f}, target >= {TARGET:.2f}: {verdict}")


def main() -> None:
    """Run the rounds and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--taps", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument(
        "--chunk", type=int, default=1000, help="taps per side before the other side's turn"
    )
    parser.add_argument("--http", type=int, metavar="SECONDS", help="also through gunicorn+wrk")
    options = parser.parse_args()
    with deployment() as env:
        os.environ.update(env)
        from server import create_app
        from server.db import database
        from server.models import Outcome, Sticker, Tap

        app = create_app({"DRAIN_THREAD": False})
        with database(app).transaction() as session:
            demo = select(Sticker.id, Sticker.code).where(Sticker.demo.is_(True))
            (_, plain_code), (sun_id, sun_code) = session.execute(
                demo.order_by(Sticker.id).limit(2)
            ).all()
            session.execute(
                update(Sticker)
                .where(Sticker.id == sun_id)
                .values(chip="ntag424", uid=UID.hex().upper(), sun_counter=None)
            )
        count = options.taps
        warm, *sun_paths = _sun_paths(app, sun_code, count * options.rounds + 1)
        plain_paths = [f"/{plain_code}"] * count
        _send(app, plain_paths[:200])  # warm both paths (caches, the verifier, the keys)
        _send(app, [warm])
        _drain(app)
        print(f"{count} taps per side and round, in process (WSGI calls), path {plain_code}")
        ratios, plain_rates, sun_rates = [], [], []
        drained: dict[str, float] = {"plain": 0.0, "SUN": 0.0}  # drainer CPU seconds, all rounds
        chunk = max(1, min(options.chunk, count))
        for round_number in range(options.rounds):
            sun = sun_paths[round_number * count : (round_number + 1) * count]
            # CPU seconds answering and draining per side, summed over chunks taken in turn.
            spent = {"plain": [0.0, 0.0], "SUN": [0.0, 0.0]}
            for turn, start in enumerate(range(0, count, chunk)):
                sides = [
                    ("plain", plain_paths[start : start + chunk]),
                    ("SUN", sun[start : start + chunk]),
                ]
                for name, paths in sides[:: 1 if (round_number + turn) % 2 == 0 else -1]:
                    spent[name][0] += len(paths) / _send(app, paths)
                    spent[name][1] += _drain(app)
            plain_rate, sun_rate = count / spent["plain"][0], count / spent["SUN"][0]
            drained["plain"] += spent["plain"][1]
            drained["SUN"] += spent["SUN"][1]
            plain_rates.append(plain_rate)
            sun_rates.append(sun_rate)
            ratios.append(sun_rate / plain_rate)
            print(
                f"round {round_number + 1}: plain {plain_rate:8.0f} taps/s | SUN "
                f"{sun_rate:8.0f} taps/s | ratio {ratios[-1]:.2f} (target >= {TARGET:.2f}) | "
                f"drainer CPU: plain {1e6 * spent['plain'][1] / count:.0f} us/tap, "
                f"SUN {1e6 * spent['SUN'][1] / count:.0f} us/tap",
                flush=True,
            )
        overall = statistics.mean(sun_rates) / statistics.mean(plain_rates)
        print(
            f"SUN / plain: {overall:.3f}, target >= {TARGET:.2f}: "
            f"{'met' if overall >= TARGET else 'NOT MET'}; per round median "
            f"{statistics.median(ratios):.2f}, {min(ratios):.2f} to {max(ratios):.2f}"
        )
        total = count * options.rounds
        plain_us, sun_us = (1e6 * drained[side] / total for side in ("plain", "SUN"))
        print(
            f"drainer CPU per tap: plain {plain_us:.1f} us, SUN {sun_us:.1f} us "
            f"(+{sun_us - plain_us:.1f} us: the SUN check and the counter, off the answer's path)"
        )
        with database(app).sessions() as session:
            outcomes = dict(
                session.execute(
                    select(Tap.outcome, func.count())
                    .where(Tap.mirror_uid == UID.hex().upper())
                    .group_by(Tap.outcome)
                ).all()
            )
        accepted = outcomes.get(Outcome.OK, 0)
        sent = count * options.rounds + 1
        verdict = "exact" if accepted == sent and len(outcomes) == 1 else "WRONG"
        print(f"SUN taps stored: {outcomes}: every fresh counter accepted once: {verdict}")
        database(app).dispose()
        if options.http:
            fresh = _sun_paths(app, sun_code, 60000)[count * options.rounds + 1 :]
            _over_http(env, f"/{plain_code}", fresh, options.http)


if __name__ == "__main__":
    main()
