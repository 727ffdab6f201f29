"""Whether a cross-offer's condition holds for a visitor now, and why not when it does not.

A same-day tap is looked up in the stored taps: a person's tap (not a machine's), of a sticker
that verified, at the offer's place (or a place of its kind in the shop's territory), between
the local midnight of the shop's territory and now, with this browser's first-party visitor id.
The tap path sets that id, so the same phone's later request carries it. A visitor without an
id (a first visit, or one who chose not to be counted) has no tap that can be proven.
"""

from __future__ import annotations

import datetime as dt
import enum
from zoneinfo import ZoneInfo

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from server.models import Offer, OfferCondition, Outcome, Place, Tap


class Unmet(enum.StrEnum):
    """Why a condition does not hold yet (the offer page words each one for the visitor)."""

    NO_TAP = "no tap"  # no tap at the place (or kind of place) today with this visitor id
    NO_VISITOR_ID = "no visitor id"  # this browser carries no visitor id: no tap can be proven
    PASSPORT_NEEDED = "passport needed"  # a passport code must be typed or scanned


def needs_tap(offer: Offer) -> bool:
    """The offer asks for a tap today."""
    return offer.condition in (OfferCondition.TAP_PLACE, OfferCondition.TAP_KIND)


def day_start(offer: Offer, now: dt.datetime) -> dt.datetime:
    """The local midnight (in UTC) of today in the territory of the offer's shop."""
    zone = ZoneInfo(offer.shop.territory.timezone)
    return dt.datetime.combine(now.astimezone(zone).date(), dt.time(), zone).astimezone(dt.UTC)


def tapped_today(session: Session, offer: Offer, visitor_id: str, now: dt.datetime) -> bool:
    """A tap of this visitor at the offer's place (or kind of place) today, before now."""
    query = select(Tap.id).where(
        Tap.visitor_id == visitor_id,
        Tap.human.is_(True),
        Tap.outcome == Outcome.OK,
        Tap.occurred_at >= day_start(offer, now),
        Tap.occurred_at <= now,
    )
    if offer.condition is OfferCondition.TAP_PLACE:
        query = query.where(Tap.place_id == offer.trigger_place_id)
    else:
        places = select(Place.id).where(
            Place.kind == offer.trigger_kind, Place.territory_id == offer.shop.territory_id
        )
        query = query.where(Tap.place_id.in_(places))
    return bool(session.scalar(select(exists(query))))


def unmet(session: Session, offer: Offer, visitor_id: str | None, now: dt.datetime) -> Unmet | None:
    """Why the condition does not hold for this visitor (None: it holds, or is a passport
    that the request brings; services.passports checks that one)."""
    if needs_tap(offer):
        if visitor_id is None:
            return Unmet.NO_VISITOR_ID
        if not tapped_today(session, offer, visitor_id, now):
            return Unmet.NO_TAP
    return None
