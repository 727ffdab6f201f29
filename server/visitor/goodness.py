"""How long a rendered place page reads the same: until the first change of anything it lists.

What it says changes with time only at these moments: an opening or closing (hours), an event's
start or end, an event coming within the listing's horizon, and local midnight (offers' dates,
"tomorrow", week days). server.visitor.pagecache keeps a rendering until the first of them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from server.models import Place, Territory
from server.services.nearby import Item, Kind


def changes(items: Iterable[Item]) -> list[dt.datetime | None]:
    """The moments at which the listed items change: their next opening or closing, and each
    event's start and end (a repeated event's next date is listed once its date before ends)."""
    found: list[dt.datetime | None] = []
    for item in items:
        found.append(item.next_change)
        if item.kind is Kind.EVENT:
            for name in ("starts_at", "ends_at"):
                value = item.details.get(name)
                if value:
                    found.append(dt.datetime.fromisoformat(value))
    return found


def next_midnight(now: dt.datetime, zone: str) -> dt.datetime:
    """The next local midnight in `zone`, in UTC."""
    here = ZoneInfo(zone)
    tomorrow = now.astimezone(here).date() + dt.timedelta(days=1)
    return dt.datetime.combine(tomorrow, dt.time(), here).astimezone(dt.UTC)


def first(now: dt.datetime, zone: str, moments: Iterable[dt.datetime | None]) -> dt.datetime:
    """The first of `moments` after `now`, and at the latest the next midnight in `zone`."""
    later = [moment for moment in moments if moment is not None and moment > now]
    return min([next_midnight(now, zone), *later])


def standin(place: Place) -> Place:
    """A copy of `place` and its territory outside any session, for the live block of the
    requests that reuse its page (the row it came from belongs to the request that read it)."""
    known = place.territory
    territory = Territory(
        id=known.id,
        slug=known.slug,
        name=known.name,
        timezone=known.timezone,
        country=known.country,
        latitude=known.latitude,
        longitude=known.longitude,
        brand=known.brand,
    )
    return Place(
        id=place.id,
        slug=place.slug,
        name=place.name,
        kind=place.kind,
        latitude=place.latitude,
        longitude=place.longitude,
        radius_m=place.radius_m,
        shop_id=place.shop_id,
        territory_id=place.territory_id,
        territory=territory,
    )
