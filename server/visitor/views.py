"""Offer views: a person opening an offer's page is counted, for shop owners and analytics.

One INSERT per page a person opens; machines are told apart as on the tap path (HEAD,
prefetches, link previews, crawlers) and not recorded, nor are kept copies served while the
database is away. The visitor id is the tap cookie's (none for a visitor without it), so
analytics can follow a museum visitor from a tap to an offer and to the till.
"""

from __future__ import annotations

import datetime as dt
import logging

from flask import request
from sqlalchemy.orm import Session

from server.db import UNAVAILABLE
from server.models import Offer, OfferView, Place
from server.services.rollups import mark_moments
from server.taps.classify import classify

log = logging.getLogger(__name__)


def is_person() -> bool:
    """This request is a person opening the page, not a machine or a speculative load."""
    return request.method == "GET" and classify(request.method, request.headers).human


def record(
    session: Session, offer: Offer, visitor_id: str | None, origin: Place | None, now: dt.datetime
) -> None:
    """Count a view of `offer` by a person; a failure to count never fails the page."""
    if not is_person():
        return
    try:
        session.add(
            OfferView(
                offer_id=offer.id,
                occurred_at=now,
                visitor_id=visitor_id,
                place_id=origin.id if origin else None,
            )
        )
        mark_moments(session, offer.shop.territory, [now])
        session.commit()
    except UNAVAILABLE:
        session.rollback()
        log.warning("an offer view of %s could not be recorded", offer.slug)
