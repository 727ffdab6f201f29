"""Reading a figures' Scope from query arguments (`territory`, `from`, `to`, `place`, `sticker`),
the same way for the dashboard and /api/v1/stats."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.errors import Invalid, NotFound
from server.models import Place, Sticker, StickerStatus, Territory
from server.services.rollups import local_day
from server.services.stats import DEFAULT_DAYS, RangeError, Scope
from server.web.values import CALENDAR_YEARS, day
from tags.codes import MAX_TAG_ID


@dataclass(frozen=True)
class Chosen:
    """The scope asked for, with the rows it names (for headings and form defaults)."""

    scope: Scope
    territory: Territory
    place: Place | None


def local_today(territory: Territory, now: dt.datetime) -> dt.date:
    """Today in the territory's time zone."""
    return local_day(now, territory.timezone)


def _date(args: Mapping[str, str], name: str, default: dt.date) -> dt.date:
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    try:
        found = day(raw)
    except ValueError:
        raise RangeError(
            f"{name!r} must be a date written YYYY-MM-DD, like 2026-05-01, not {raw[:40]!r}",
            field=name,
        ) from None
    low, high = CALENDAR_YEARS
    if not low <= found.year <= high:
        raise RangeError(f"{name!r} must be a day of the years {low} to {high}", field=name)
    return found


def territory_named(session: Session, slug: str | None) -> Territory:
    """The territory with this slug, or when none is asked for, the one with the most stickers
    put up (the main deployment), then the first by name."""
    if slug:
        found = session.scalars(select(Territory).where(Territory.slug == slug)).first()
    else:
        installed = (
            select(func.count(Sticker.id))
            .join(Place, Place.id == Sticker.place_id)
            .where(Place.territory_id == Territory.id, Sticker.status == StickerStatus.INSTALLED)
            .scalar_subquery()
        )
        query = select(Territory).order_by(installed.desc(), Territory.name)
        found = session.scalars(query).first()
    if found is None:
        if slug:
            raise NotFound(f"there is no territory {slug!r}", field="territory")
        raise NotFound("there is no territory yet: load some content first", field="territory")
    return found


def read_scope(session: Session, args: Mapping[str, str], now: dt.datetime) -> Chosen:
    """The Scope the arguments ask for; by default the last 30 local days, territory-wide."""
    territory = territory_named(session, args.get("territory"))
    end = _date(args, "to", local_today(territory, now))
    start = _date(args, "from", end - dt.timedelta(days=DEFAULT_DAYS - 1))
    place = None
    if args.get("place"):
        place = session.scalars(
            select(Place).where(Place.slug == args["place"], Place.territory_id == territory.id)
        ).first()
        if place is None:
            raise NotFound(
                f"there is no place {args['place']!r} in {territory.name}", field="place"
            )
    sticker_id = None
    if args.get("sticker"):
        raw = str(args["sticker"])
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 10 and int(raw) <= MAX_TAG_ID):
            raise Invalid("sticker must be a sticker number, like 1042", field="sticker")
        sticker_id = int(raw)
    scope = Scope(territory.id, start, end, place.id if place else None, sticker_id)
    return Chosen(scope, territory, place)
