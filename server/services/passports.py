"""Passports: the one-time proof a partner's till hands a customer, to unlock a cross-offer.

The partner shop (the one a cross-offer names) issues a passport at its till for a purchase; the
customer carries its code (8 symbols, or its QR code, which opens the offer page with the code
filled in) to the other shop's offer page, where it unlocks one code. It is used once
(services.redemption, with the code it unlocks); it is valid until the end of the local day.
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.errors import N_, Problem
from server.models import Offer, OfferCondition, OfferKind, Passport, Shop
from server.services import redemption
from server.services.rollups import mark_moments
from tags import crockford


def offers_to_issue(session: Session, shop: Shop) -> list[Offer]:
    """The live cross-offers of other shops that ask for a passport from `shop`'s till."""
    return list(
        session.scalars(
            select(Offer)
            .where(
                Offer.partner_shop_id == shop.id,
                Offer.partner_agreed_at.is_not(None),
                Offer.kind == OfferKind.CROSS,
                Offer.condition == OfferCondition.PASSPORT,
            )
            .order_by(Offer.id)
        )
    )


def issue(
    session: Session, offer: Offer, shop: Shop, user_id: int | None, now: dt.datetime
) -> Passport:
    """A new passport for `offer`, handed out at `shop`'s till (its named partner)."""
    if offer.partner_shop_id != shop.id or offer.condition is not OfferCondition.PASSPORT:
        raise Problem(N_("This offer does not take passports from your shop."))
    if offer.partner_agreed_at is None:
        raise Problem(N_("Agree to this offer on your partners page before handing passports."))
    if redemption.period(offer, now) is not redemption.Period.CURRENT:
        raise Problem(N_("This offer does not run today: no passport to hand out."))
    passport = Passport(
        code=crockford.encode(secrets.randbits(40), redemption.CODE_SYMBOLS),
        offer_id=offer.id,
        shop_id=shop.id,
        issued_by_id=user_id,
        issued_at=now,
        expires_at=redemption.expiry(offer, now),
    )
    session.add(passport)
    session.flush()
    mark_moments(session, shop.territory, [now])  # the day's passports changed
    return passport
