"""The place page with and without its live mobility block: the median cost of the block.

    python -m bench.mobility [--items 10000] [--runs 300]

bench.pages' app (the demo and 10,000 more items), with mobility feeds the size of Lille's:
300 bike stations and 60 car parks spread over the metropolis, and a GTFS-RT snapshot of 500
trip updates; the demo's timetable gives La Piscine's stops their departures. Runs alternate
between the page as it is and the page with the block left out (its function replaced by one
that finds nothing), in the same process: first a new minute at every run (the first page of a
minute: its figures moved, so the page's kept copy is written again), then a second apart (the
other pages of the minute). Target: the block costs at most 1 ms of median wall time.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import time

from bench.nearby import options, populated_app

BUDGET_MS = 1.0


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
        from server.mobility.live import Mobility, mobility
        from server.visitor import pages

        store = mobility(app).store
        app.extensions["taptrail.mobility"] = Mobility(snapshots(store, saturday), store)
        real = pages.mobility_block

        def nothing(*_: object) -> dict[str, object]:
            return {"any": False}

        client = app.test_client()
        page = client.get("/p/la-piscine").get_data(as_text=True)
        assert "Station 0" in page and "Parking 0" in page and "de retard" in page, page[-3000:]
        # A new minute at every run: the first page of a minute, which also rewrites the page's
        # kept copy (server/visitor/kept.py) since its figures moved; then runs a second apart,
        # as the other pages of that minute are served.
        for step, said in (
            (dt.timedelta(minutes=1), "a new minute"),
            (dt.timedelta(seconds=1), "within a minute"),
        ):
            timings: dict[str, list[float]] = {"with": [], "without": []}
            cpu: dict[str, list[float]] = {"with": [], "without": []}
            for run in range(chosen.runs * 2):
                which = "with" if run % 2 == 0 else "without"
                pages.mobility_block = real if which == "with" else nothing  # type: ignore[assignment]
                app.config["FIXED_NOW"] = saturday + step * (run // 2 + 1)
                started, started_cpu = time.perf_counter(), time.process_time()
                response = client.get("/p/la-piscine")
                cpu[which].append((time.process_time() - started_cpu) * 1000)
                timings[which].append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
            pages.mobility_block = real  # type: ignore[assignment]
            with_ms, without_ms = (statistics.median(timings[k]) for k in ("with", "without"))
            with_cpu, without_cpu = (statistics.median(cpu[k]) for k in ("with", "without"))
            print(
                f"/p/la-piscine, {said} at each run: with mobility median {with_ms:.2f} ms, "
                f"without {without_ms:.2f} ms: the block costs {with_ms - without_ms:+.2f} ms "
                f"({with_ms / without_ms:.2f}x) over {chosen.runs} runs each "
                f"(target <= {BUDGET_MS:g} ms more); CPU time {with_cpu:.2f} ms against "
                f"{without_cpu:.2f} ms: {with_cpu - without_cpu:+.2f} ms "
                f"(a busy machine disturbs it less; load {os.getloadavg()[0]:.1f})"
            )


if __name__ == "__main__":
    main()
