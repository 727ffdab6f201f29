"""Redeeming a visitor's code at the till: exactly once, even with two tills at the same moment.

The code is marked used by one conditional UPDATE (... WHERE redeemed_at IS NULL AND the code has
not expired); the database lets exactly one of two simultaneous requests change the row, and
the other then reads who used it and when. On SQLite the UPDATE is the transaction's first
write, so it waits for the other till's transaction instead of failing.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from server.db import rowcount
from server.models import Offer, RedemptionCode, Shop
from server.services import redemption
from server.services.rollups import mark_moments
from tags import crockford


class Answer(enum.StrEnum):
    """What the till is told."""

    VALID = "valid"  # and now used
    USED = "used"  # already used: when, where
    EXPIRED = "expired"
    ELSEWHERE = "elsewhere"  # a code for another shop's offer
    UNKNOWN = "unknown"
    MALFORMED = "malformed"


@dataclass(frozen=True)
class Verdict:
    """The answer, and the code it is about (None when there is no such code)."""

    answer: Answer
    typed: str
    code: RedemptionCode | None = None
    offer: Offer | None = None
    used_at_shop: Shop | None = None


def redeem(
    session: Session, typed: str, shop: Shop, user_id: int | None, now: dt.datetime
) -> Verdict:
    """Use a visitor's code for one of `shop`'s offers; the caller commits."""
    try:
        canonical = redemption.normalize(typed)
    except crockford.DecodeError:
        return Verdict(Answer.MALFORMED, typed)
    own_offers = select(Offer.id).where(Offer.shop_id == shop.id).scalar_subquery()
    used = session.execute(
        update(RedemptionCode)
        .where(
            RedemptionCode.code == canonical,
            RedemptionCode.offer_id.in_(own_offers),
            RedemptionCode.redeemed_at.is_(None),
            RedemptionCode.expires_at > now,
        )
        .values(redeemed_at=now, redeemed_shop_id=shop.id, redeemed_by_id=user_id)
        .execution_options(synchronize_session=False)
    )
    code = session.scalars(select(RedemptionCode).where(RedemptionCode.code == canonical)).first()
    if code is None:
        return Verdict(Answer.UNKNOWN, canonical)
    session.refresh(code)
    offer = session.get(Offer, code.offer_id)
    if offer is None or offer.shop_id != shop.id:
        return Verdict(Answer.ELSEWHERE, canonical)
    if rowcount(used) == 1:
        mark_moments(session, shop.territory, [now])  # the day's redemptions changed
        return Verdict(Answer.VALID, canonical, code, offer)
    if code.redeemed_at is not None:
        where = session.get(Shop, code.redeemed_shop_id) if code.redeemed_shop_id else None
        return Verdict(Answer.USED, canonical, code, offer, where)
    return Verdict(Answer.EXPIRED, canonical, code, offer)
