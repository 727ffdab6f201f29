"""What visitors (and search engines) may see right now: the pages the sitemap lists.

The same rules as the pages themselves: a shop whose keeper's account was erased is
unpublished; an offer is shown once its partner agreed, while its shop is published and until
its last day (in its territory's time zone); an event until it ends. Read at each request, so
what leaves the site leaves the sitemap at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, load_only

from server.models import Event, Offer, Place, PointOfInterest, Shop, Territory, Walk
from server.models.offers import agreed_offers
from server.services import redemption


@dataclass(frozen=True)
class Published:
    """One visitor page: what it shows (kind), which one (key), and when it was last edited."""

    kind: str  # territory, place, shop, poi, walk, event or offer
    key: str  # the slug, or an event's id
    updated_at: dt.datetime


def pages(session: Session, now: dt.datetime) -> list[Published]:
    """Every page a visitor may open now, in a stable order (kind, then key)."""
    return list(_pages(session, now))


def _pages(session: Session, now: dt.datetime) -> Iterator[Published]:
    for kind, model in (
        ("territory", Territory),
        ("place", Place),
        ("shop", Shop),
        ("poi", PointOfInterest),
        ("walk", Walk),
    ):
        query = select(model.slug, model.updated_at).order_by(model.slug)
        if model is Shop:
            query = query.where(Shop.published)
        for slug, updated_at in session.execute(query):
            yield Published(kind, slug, updated_at)
    ends = func.coalesce(Event.ends_at, Event.starts_at)
    events = select(Event.id, Event.updated_at).where(ends >= now).order_by(Event.id)
    for event_id, updated_at in session.execute(events):
        yield Published("event", str(event_id), updated_at)
    # Offers end on a local day: those past it by a day anywhere are left out in SQL, the rest
    # are checked in their own time zone.
    offers = (
        select(Offer)
        .join(Offer.shop)
        .where(
            agreed_offers(),
            Shop.published,
            Offer.valid_until >= (now - dt.timedelta(days=1)).date(),
        )
        # Only what the page's key, its date and redemption.period read: whole offers with
        # their shops took two thirds of a sitemap's time (10,000 items, bench.sitemap).
        .options(
            load_only(Offer.slug, Offer.updated_at, Offer.valid_from, Offer.valid_until),
            joinedload(Offer.shop)
            .load_only(Shop.territory_id)
            .joinedload(Shop.territory)
            .load_only(Territory.timezone),
        )
        .order_by(Offer.slug)
    )
    for offer in session.scalars(offers):
        if redemption.period(offer, now) is not redemption.Period.ENDED:
            yield Published("offer", offer.slug, offer.updated_at)
