"""The place page with and without its live mobility block: the median cost of the block.

    python -m bench.mobility [--items 10000] [--runs 300]

bench.pages' app (the demo and 10,000 more items), with mobility feeds the size of Lille's:
300 bike stations and 60 car parks spread over the metropolis, and a GTFS-RT snapshot of 500
trip updates; the demo's timetable gives La Piscine's stops their departures. Pages alternate
between the page as it is and the page with the block left out (its function replaced by one
that returns nothing), in the same process, in pairs whose order alternates; every page is
served at its own moment, one step after the page before: first a minute (every page is the
first of its minute: ages and minutes to departure moved, departures passed, so the kept block
is filled anew or rebuilt and the page's kept copy written again), then a second (the other
pages of a minute). Target: the block costs at most 1 ms of median time; CPU time is printed
beside wall time, as other processes on the machine disturb it less.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import time

from bench.nearby import options, populated_app

BUDGET_MS = 1.0
PATH = "/fr/p/la-piscine"


def snapshots(store, now: dt.datetime) -> list:
    """Lille-sized snapshots written into `store`; the feeds that hold them."""
    from server.mobility.feeds import FeedSettings
    from server.mobility.store import Snapshot

    shuffle = random.Random(15)
    stamp = now.isoformat()

    def spot(number: int) -> tuple[float, float]:
        return 50.55 + shuffle.random() * 0.2, 2.95 + shuffle.random() * 0.3

    stations = []
    for number in range(300):
        lat, lon = spot(number)
        stations.append(
            {
                "id": str(number),
                "name": {"fr": f"Station {number}"},
                "lat": lat,
                "lon": lon,
                "capacity": 20,
                "bikes": number % 21,
                "docks": 20 - number % 21,
                "installed": True,
                "renting": True,
                "returning": True,
                "updated_at": stamp,
            }
        )
    stations[0] |= {"lat": 50.69205, "lon": 3.16745}  # one beside La Piscine
    parks = []
    for number in range(60):
        lat, lon = spot(number)
        parks.append(
            {
                "id": f"LIL{number:04d}",
                "name": {"fr": f"Parking {number}"},
                "address": "",
                "lat": lat,
                "lon": lon,
                "free": number * 3,
                "capacity": 400,
                "open": True,
                "updated_at": stamp,
            }
        )
    parks[0] |= {"lat": 50.69110, "lon": 3.17560}
    trips = [
        {
            "type": "trip",
            "trip_id": f"L25-A-{hour:02d}{minute:02d}",
            "route_id": "L25",
            "start_date": None,
            "cancelled": False,
            "delay": None,
            "stops": [
                {"stop_id": None, "sequence": 1, "delay": 120, "time": None, "skipped": False}
            ],
            "updated_at": stamp,
        }
        for hour in range(6, 23)
        for minute in range(0, 60, 2)
    ][:500]
    feeds = [
        FeedSettings("vlille", "gbfs", "http://127.0.0.1/", 60, 10**9),
        FeedSettings("parkings", "lille-parkings", "http://127.0.0.1/", 60, 10**9),
        FeedSettings("live", "gtfs-rt", "http://127.0.0.1/", 60, 10**9, gtfs_feed="demo"),
    ]
    for feed, items in zip(feeds, (stations, parks, trips), strict=True):
        store.save_snapshot(Snapshot(feed.name, feed.kind, now, items, {"updated_at": stamp}))
    return feeds


def main() -> None:
    """Time La Piscine's page with and without the block, alternating, in one process."""
    chosen = options(__doc__)
    saturday = dt.datetime(2026, 11, 28, 14, 0, tzinfo=dt.UTC)
    with populated_app(chosen.items, FIXED_NOW=saturday) as app:
        from markupsafe import Markup

        from server.mobility.live import Mobility, mobility
        from server.visitor import pages

        store = mobility(app).store
        app.extensions["taptrail.mobility"] = Mobility(snapshots(store, saturday), store)
        real = pages.mobility_block
        inside: list[float] = []

        def timed(*args: object, **options: object) -> Markup:
            started = time.process_time()
            made = real(*args, **options)  # type: ignore[arg-type]
            inside.append((time.process_time() - started) * 1000)
            return made

        def nothing(*_: object, **__: object) -> Markup:
            return Markup("")

        client = app.test_client()
        page = client.get(PATH).get_data(as_text=True)
        assert "Station 0" in page and "Parking 0" in page and "de retard" in page, page[-3000:]
        for step, said in (
            (dt.timedelta(minutes=1), "a new minute"),
            (dt.timedelta(seconds=1), "a new second"),
        ):
            wall: dict[str, list[float]] = {"with": [], "without": []}
            cpu: dict[str, list[float]] = {"with": [], "without": []}
            inside.clear()
            moment = saturday + dt.timedelta(hours=1)
            for run in range(chosen.runs):
                # Each page at its own moment, one step after the page before, whichever it is;
                # the pair's order alternates, so neither always follows the other.
                order = ("with", "without") if run % 2 == 0 else ("without", "with")
                for which in order:
                    moment += step
                    app.config["FIXED_NOW"] = moment
                    pages.mobility_block = timed if which == "with" else nothing  # type: ignore[assignment]
                    started, started_cpu = time.perf_counter(), time.process_time()
                    response = client.get(PATH)
                    cpu[which].append((time.process_time() - started_cpu) * 1000)
                    wall[which].append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200
            pages.mobility_block = real  # type: ignore[assignment]
            with_ms, without_ms = (statistics.median(wall[k]) for k in ("with", "without"))
            with_cpu, without_cpu = (statistics.median(cpu[k]) for k in ("with", "without"))
            print(
                f"{PATH}, {said} at each page, {chosen.runs} pairs: the block costs "
                f"{with_cpu - without_cpu:+.2f} ms of median CPU time ({with_cpu:.2f} against "
                f"{without_cpu:.2f} ms, {with_cpu / without_cpu:.3f}x) and "
                f"{with_ms - without_ms:+.2f} ms of median wall time ({with_ms:.2f} against "
                f"{without_ms:.2f} ms); target: at most +{BUDGET_MS:g} ms "
                f"(load {os.getloadavg()[0]:.2f}). The block's function itself, timed inside "
                f"the pages: median {statistics.median(inside):.3f} ms of CPU time, p90 "
                f"{statistics.quantiles(inside, n=10)[-1]:.3f} ms"
            )


if __name__ == "__main__":
    main()
