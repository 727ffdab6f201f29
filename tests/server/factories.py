"""Small builders of test data, so each test states only what matters to it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask

from server.config import keyring
from server.db import database
from server.models import Place, PlaceKind, Shop, Sticker, StickerStatus, Tap, Territory
from server.services.batches import issue_batch
from server.services.tokens import create_token
from tests.support.demo import PARIS


def spool_record(tap_id: str, at: str, tag_id: int | None, **fields: Any) -> dict[str, Any]:
    """A tap record as the tap path spools it: a person's GET with outcome "ok", unless
    `fields` say otherwise."""
    return {
        "id": tap_id,
        "at": at,
        "code": "X",
        "tag_id": tag_id,
        "outcome": "ok",
        "visitor_id": "v",
        "visitor_kind": "hash",
        "human": True,
        "method": "GET",
        **fields,
    }


PHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)


def territory(app: Flask, slug: str = "roubaix", **values: Any) -> int:
    """A territory; returns its id."""
    with database(app).transaction() as session:
        row = Territory(
            slug=slug,
            name=values.pop("name", slug.title()),
            latitude=50.69,
            longitude=3.17,
            **values,
        )
        session.add(row)
        session.flush()
        return row.id


def place(
    app: Flask, slug: str = "la-piscine", territory_id: int | None = None, **values: Any
) -> int:
    """A place (and its territory when none is given); returns its id."""
    territory_id = territory_id or territory(app)
    with database(app).transaction() as session:
        row = Place(
            slug=slug,
            territory_id=territory_id,
            name=values.pop("name", "La Piscine"),
            kind=values.pop("kind", PlaceKind.MUSEUM),
            latitude=values.pop("latitude", 50.69229),
            longitude=values.pop("longitude", 3.16782),
            **values,
        )
        session.add(row)
        session.flush()
        return row.id


def shop(
    app: Flask, slug: str, territory_id: int, latitude: float, longitude: float, **values: Any
) -> int:
    """A shop; returns its id."""
    with database(app).transaction() as session:
        row = Shop(
            slug=slug,
            territory_id=territory_id,
            name=values.pop("name", slug),
            category=values.pop("category", "shop"),
            latitude=latitude,
            longitude=longitude,
            **values,
        )
        session.add(row)
        session.flush()
        return row.id


def stickers(
    app: Flask, place_slug: str = "la-piscine", count: int = 1, **options: Any
) -> list[dict]:
    """Issue a batch; returns its manifest's sticker entries."""
    from server.services.batches import manifest

    with database(app).transaction() as session:
        batch = issue_batch(
            session,
            keyring(app),
            place_slug=place_slug,
            count=count,
            base_url=app.config["TAP_BASE_URL"],
            **options,
        )
        return manifest(batch)["stickers"]


def update_sticker(app: Flask, tag_id: int, **values: Any) -> None:
    """Change a sticker (status, uid, target...)."""
    with database(app).transaction() as session:
        sticker = session.get(Sticker, tag_id)
        for name, value in values.items():
            setattr(sticker, name, value)


def installed_sticker(app: Flask, uid: str = "04A1B2C3D4E5F6", **values: Any) -> dict:
    """A place with one installed sticker with a registered UID; returns its manifest entry."""
    place(app)
    entry = stickers(app)[0]
    update_sticker(
        app,
        entry["tag_id"],
        status=StickerStatus.INSTALLED,
        uid=uid,
        installed_at=dt.datetime.now(dt.UTC),
        **{"chip": "ntag213", **values},
    )
    return entry


def token(app: Flask, *scopes: str) -> str:
    """A bearer token with these scopes."""
    with database(app).transaction() as session:
        value, _ = create_token(session, "tests", list(scopes or ("encode",)))
    return value


def drained_taps(app: Flask) -> list:
    """Drain the spool and return every stored tap, oldest first."""
    from sqlalchemy import select

    from server.models import Tap
    from server.taps.recorder import recorder

    recorder(app).drain_now()
    with database(app).sessions() as session:
        return list(session.scalars(select(Tap).order_by(Tap.id)))


def spooled_taps(app: Flask) -> list[dict[str, Any]]:
    """Every tap record in the app's spool so far, as the drainer will read it."""
    import orjson

    from server.taps.recorder import recorder
    from server.taps.spool import segments

    spool = recorder(app).spool
    spool.sync()
    return [
        orjson.loads(line)
        for segment in segments(spool.directory)
        for line in segment.read_bytes().splitlines()
    ]


def tap_at(app: Flask, visitor_id: str, place_slug: str, at: dt.datetime) -> None:
    """Store a person's tap at one of the place's stickers at `at`, as the drainer stores it."""
    import hashlib

    from sqlalchemy import select

    from server.taps.store import store_taps

    with database(app).sessions() as session:
        sticker = session.scalars(
            select(Sticker).where(Sticker.place.has(slug=place_slug)).order_by(Sticker.id)
        ).first()
        assert sticker is not None, f"no sticker at {place_slug}"
        code, tag_id = sticker.code, sticker.id
    tap_id = hashlib.sha256(f"{visitor_id}|{place_slug}|{at}".encode()).hexdigest()[:32]
    record = {
        "id": tap_id,
        "at": at.astimezone(dt.UTC).isoformat(),
        "code": code,
        "tag_id": tag_id,
        "outcome": "ok",
        "visitor_id": visitor_id,
        "visitor_kind": "cookie",
        "human": True,
        "reason": None,
        "method": "GET",
        "browser": "Safari",
        "language": "fr",
    }
    store_taps(database(app), [record])


def later_that_day(tap: Tap, minutes: int) -> dt.datetime:
    """When a visitor asks at a shop after a tap stored at the machine's time: `minutes` later,
    or just before the local midnight if that comes first (the next day's page rightly asks for
    a new tap; tests that asked twenty minutes later failed for taps made just before midnight)."""
    local = tap.occurred_at.astimezone(PARIS)
    midnight = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(), PARIS)
    latest = midnight - dt.timedelta(seconds=1)
    return min(tap.occurred_at + dt.timedelta(minutes=minutes), latest)
