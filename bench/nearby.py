"""The nearby query with 10,000 shops, offers and points of interest: median time printed.

    python -m bench.nearby [--items 10000] [--runs 300]

Items are spread around the demo's places (most within a few kilometres, as in a city), so a
place's radius holds a realistic crowd. Target: a median of at most 5 ms.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import random
import statistics
import time
from collections.abc import Iterator
from typing import Any

from flask import Flask
from sqlalchemy import select

from bench.harness import deployment
from server.models import Offer, Place, PointOfInterest, Shop, Territory


def populate(session, total: int, seed: int = 4) -> None:
    """Add `total` items: 40 % shops, 20 % offers on them, 40 % points of interest."""
    rng = random.Random(seed)
    places = session.scalars(select(Place)).all()
    territory_id = session.scalar(select(Territory.id).limit(1))
    hours = [
        "Mo-Sa 09:00-19:00",
        "Tu-Su 10:00-18:00; PH off",
        "24/7",
        "Mo-Fr 08:00-12:00,14:00-18:00",
    ]
    shops = []
    for n in range(int(total * 0.4)):
        centre = rng.choice(places)
        shop = Shop(
            slug=f"bench-shop-{n}",
            territory_id=territory_id,
            name=f"Shop {n}",
            category="shop",
            latitude=rng.gauss(centre.latitude, 0.02),
            longitude=rng.gauss(centre.longitude, 0.03),
            opening_hours=rng.choice(hours),
        )
        shops.append(shop)
    session.add_all(shops)
    session.flush()
    for n in range(int(total * 0.2)):
        session.add(
            Offer(
                slug=f"bench-offer-{n}",
                shop_id=rng.choice(shops).id,
                title={"fr": f"Offre {n}"},
                valid_from=dt.date(2026, 1, 1),
                valid_until=dt.date(2027, 12, 31),
            )
        )
    for n in range(total - len(shops) - int(total * 0.2)):
        centre = rng.choice(places)
        session.add(
            PointOfInterest(
                slug=f"bench-poi-{n}",
                territory_id=territory_id,
                name=f"Sight {n}",
                category="sight",
                latitude=rng.gauss(centre.latitude, 0.02),
                longitude=rng.gauss(centre.longitude, 0.03),
                opening_hours=rng.choice([None, *hours]),
            )
        )


def options(description: str) -> argparse.Namespace:
    """--items and --runs, as the benchmarks over many items take them."""
    parser = argparse.ArgumentParser(description=description.splitlines()[0])
    parser.add_argument("--items", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=300)
    return parser.parse_args()


@contextlib.contextmanager
def populated_app(items: int, **config: Any) -> Iterator[Flask]:
    """The app on a throwaway demo deployment with `items` more items in its database."""
    with deployment() as env:
        os.environ.update(env)
        from server import create_app
        from server.db import database

        app = create_app({"DRAIN_THREAD": False, **config})
        with database(app).transaction() as session:
            populate(session, items)
        try:
            yield app
        finally:
            database(app).dispose()


def main() -> None:
    """Fill the database, then time the nearby query for La Piscine."""
    chosen = options(__doc__)
    with populated_app(chosen.items) as app:
        from server.db import database
        from server.services import nearby

        db = database(app)
        start = dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC)
        for slug in ("la-piscine", "marche-de-wazemmes"):
            with db.sessions() as session:
                place = session.scalars(select(Place).where(Place.slug == slug)).one()
                found = nearby.for_place(session, place, start, limit=10_000)
                timings = []
                for run in range(chosen.runs):
                    # A new minute at every run: opening states are memoised per minute.
                    now = start + dt.timedelta(minutes=run + 1)
                    started = time.perf_counter()
                    nearby.for_place(session, place, now)
                    timings.append((time.perf_counter() - started) * 1000)
            print(
                f"{slug}: {chosen.items} items in the database, {len(found)} within "
                f"{place.radius_m} m; median {statistics.median(timings):.2f} ms, "
                f"p90 {statistics.quantiles(timings, n=10)[-1]:.2f} ms over {chosen.runs} runs "
                f"({db.dialect}; target median <= 5 ms)"
            )


if __name__ == "__main__":
    main()
