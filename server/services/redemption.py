"""Single-use codes for cross-offers: one per visitor and offer, valid for the day it is issued.

A code is 8 Crockford base32 symbols (40 bits), shown as two groups of four ("K7QM-4XPA") so it
can be read aloud or typed at a till; reading it back is forgiving (lower case, O for 0, I and L
for 1, hyphens and spaces ignored). The visitor is the pseudonymous id of the visitor cookie,
the same as in taps, so reloading the offer page shows the same code.

The bits are an HMAC of the offer, the visitor, the day and an attempt number under the server's
secret: unguessable from outside, and the same for two requests of one visitor at once, so the
unique index on codes lets only one of them be stored (the other finds it when it tries again).

The quota is held by the database, not by counting first and inserting after (two workers would
both see a place left): each new code takes one from the offer's counter with
`UPDATE offers SET codes_issued = codes_issued + 1 WHERE codes_issued < quota`, whose row count
decides. PostgreSQL locks the offer's row for the UPDATE and checks the condition again once
the earlier transaction ends; SQLite has a single writer, and the driver opens the transaction
at the UPDATE, so the condition is read under the write lock. The counter goes up in the same
transaction as the code: a code that cannot be stored (the same visitor twice at once) gives
its place back when the transaction rolls back.

Before any of that the offer's condition must hold (services.conditions: a tap at its place
today with this visitor id), or the request brings a passport from the partner's till, used by
one conditional UPDATE (... WHERE used_at IS NULL and not expired) in the same transaction. A
daily quota is held like the overall one, by a counter row per offer and day
(INSERT ... ON CONFLICT DO NOTHING, then the conditional UPDATE). The per-visitor limit counts
the visitor's codes: two requests of one visitor at once make the same code, so only one is
stored, and the other finds it on its next attempt.
"""

from __future__ import annotations

import datetime as dt
import enum
import hmac
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from server.db import rowcount
from server.models import (
    Offer,
    OfferCondition,
    OfferDayCodes,
    OfferKind,
    Passport,
    RedemptionCode,
)
from server.services import conditions
from server.services.rollups import mark_moments
from server.upsert import insert_ignoring_duplicates
from tags import crockford

CODE_SYMBOLS = 8


class Period(enum.StrEnum):
    """Where today falls in an offer's validity dates."""

    UPCOMING = "upcoming"
    CURRENT = "current"
    ENDED = "ended"


class Refusal(enum.StrEnum):
    """Why no code is issued (the offer page words each one for the visitor)."""

    NOT_CROSS = "not a cross-offer"
    NOT_TODAY = "not valid today"
    SOLD_OUT = "no codes left"
    NONE_TODAY = "no codes left today"
    VISITOR_LIMIT = "visitor limit"
    NO_TAP = conditions.Unmet.NO_TAP.value
    NO_VISITOR_ID = conditions.Unmet.NO_VISITOR_ID.value
    PASSPORT_NEEDED = conditions.Unmet.PASSPORT_NEEDED.value
    PASSPORT_MALFORMED = "passport malformed"
    PASSPORT_UNKNOWN = "passport unknown"
    PASSPORT_USED = "passport used"
    PASSPORT_EXPIRED = "passport expired"
    PASSPORT_OTHER_OFFER = "passport other offer"


class CodeRefused(Exception):
    """No code can be issued; `reason` says why (the offer page words it for the visitor)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def local_day(offer: Offer, now: dt.datetime) -> dt.date:
    """Today in the time zone of the offer's shop."""
    return now.astimezone(ZoneInfo(offer.shop.territory.timezone)).date()


def period(offer: Offer, now: dt.datetime) -> Period:
    """Whether the offer has not started, is running or has ended (dates are inclusive)."""
    today = local_day(offer, now)
    if today < offer.valid_from:
        return Period.UPCOMING
    return Period.CURRENT if today <= offer.valid_until else Period.ENDED


def shown(code: str) -> str:
    """The code as the visitor reads it: two groups of four."""
    return f"{code[:4]}-{code[4:]}"


def normalize(text: str) -> str:
    """A typed code in canonical form, or ValueError (crockford.DecodeError) if it cannot be."""
    canonical = crockford.normalize(text.replace(" ", ""))
    if len(canonical) != CODE_SYMBOLS:
        raise crockford.DecodeError(f"a code has {CODE_SYMBOLS} symbols, not {len(canonical)}")
    return canonical


def current_code(
    session: Session, offer: Offer, visitor_id: str, now: dt.datetime
) -> RedemptionCode | None:
    """The visitor's code for this offer that has not expired (used or not), if any."""
    return session.scalars(
        select(RedemptionCode)
        .where(RedemptionCode.offer_id == offer.id, RedemptionCode.visitor_id == visitor_id)
        .where(RedemptionCode.expires_at > now)
        .order_by(RedemptionCode.issued_at.desc())
        .limit(1)
    ).first()


def codes_left(offer: Offer) -> int | None:
    """How many more codes the offer's quota allows (None: no quota)."""
    if offer.quota is None:
        return None
    return max(0, offer.quota - offer.codes_issued)


def visitor_codes(session: Session, offer: Offer, visitor_id: str) -> int:
    """How many codes this visitor got for the offer, ever (for its per-visitor limit)."""
    return (
        session.scalar(
            select(func.count(RedemptionCode.id)).where(
                RedemptionCode.offer_id == offer.id, RedemptionCode.visitor_id == visitor_id
            )
        )
        or 0
    )


def codes_left_today(session: Session, offer: Offer, now: dt.datetime) -> int | None:
    """How many more codes the daily quota allows today (None: no daily quota)."""
    if offer.daily_quota is None:
        return None
    issued = session.scalar(
        select(OfferDayCodes.issued).where(
            OfferDayCodes.offer_id == offer.id, OfferDayCodes.day == local_day(offer, now)
        )
    )
    return max(0, offer.daily_quota - (issued or 0))


def _take_one_today(session: Session, offer: Offer, now: dt.datetime) -> bool:
    """Count one more code against today's quota, if one is left (the database decides)."""
    if offer.daily_quota is None:
        return True
    day = local_day(offer, now)
    row = {"offer_id": offer.id, "day": day, "issued": 0}
    table = OfferDayCodes.metadata.tables[OfferDayCodes.__tablename__]  # __table__ is a FromClause
    insert_ignoring_duplicates(session, table, [row], ["offer_id", "day"])
    taken = session.execute(
        update(OfferDayCodes)
        .where(OfferDayCodes.offer_id == offer.id, OfferDayCodes.day == day)
        .where(OfferDayCodes.issued < offer.daily_quota)
        .values(issued=OfferDayCodes.issued + 1)
        .execution_options(synchronize_session=False)
    )
    return rowcount(taken) == 1


def _use_passport(session: Session, offer: Offer, typed: str, now: dt.datetime) -> Passport:
    """Use a passport for this offer, once; CodeRefused says why it cannot be."""
    try:
        canonical = normalize(typed)
    except crockford.DecodeError:
        raise CodeRefused(Refusal.PASSPORT_MALFORMED) from None
    taken = session.execute(
        update(Passport)
        .where(
            Passport.code == canonical,
            Passport.offer_id == offer.id,
            Passport.used_at.is_(None),
            Passport.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    found = session.scalars(select(Passport).where(Passport.code == canonical)).first()
    if found is None:
        raise CodeRefused(Refusal.PASSPORT_UNKNOWN)
    session.refresh(found)
    if rowcount(taken) == 1:
        return found
    if found.offer_id != offer.id:
        raise CodeRefused(Refusal.PASSPORT_OTHER_OFFER)
    if found.used_at is not None:
        raise CodeRefused(Refusal.PASSPORT_USED)
    raise CodeRefused(Refusal.PASSPORT_EXPIRED)


def _take_one(session: Session, offer: Offer) -> bool:
    """Count one more code against the quota, if one is left (the database decides)."""
    taken = session.execute(
        update(Offer)
        .where(Offer.id == offer.id)
        .where(or_(Offer.quota.is_(None), Offer.codes_issued < Offer.quota))
        .values(codes_issued=Offer.codes_issued + 1)
        .execution_options(synchronize_session=False)
    )
    session.expire(offer, ["codes_issued"])
    return rowcount(taken) == 1


def expiry(offer: Offer, now: dt.datetime) -> dt.datetime:
    """The end of the local day the code is issued (the last day of the offer at the latest)."""
    zone = ZoneInfo(offer.shop.territory.timezone)
    day = min(local_day(offer, now), offer.valid_until)
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), zone).astimezone(dt.UTC)


def code_for(secret: str, offer: Offer, visitor_id: str, day: dt.date, attempt: int = 0) -> str:
    """The code a visitor gets for an offer on a day (the next attempt after a clash)."""
    message = f"taptrail-redemption/{offer.id}/{visitor_id}/{day.isoformat()}/{attempt}"
    digest = hmac.new(secret.encode(), message.encode(), "sha256").digest()
    return crockford.encode(int.from_bytes(digest[:5], "big"), CODE_SYMBOLS)


def issue(
    session: Session,
    offer: Offer,
    visitor_id: str,
    now: dt.datetime,
    secret: str,
    attempt: int = 0,
    passport: str | None = None,
    has_id: bool = True,
) -> RedemptionCode:
    """The visitor's code for a cross-offer: the one already issued, or a new one once the
    condition holds and the limits allow (`passport`: the code the visitor brought; `has_id`:
    False when `visitor_id` is only this request's, so no earlier tap can be proven).

    Storing a new code raises IntegrityError when the same code is there already: stored by the
    same visitor a moment ago, or (about once in a million codes) another visitor's. The caller
    rolls back and calls again with the next `attempt`, which finds the first or makes another.
    """
    existing = current_code(session, offer, visitor_id, now)
    if existing is not None:
        return existing
    if offer.kind is not OfferKind.CROSS:
        raise CodeRefused(Refusal.NOT_CROSS)
    if period(offer, now) is not Period.CURRENT:
        raise CodeRefused(Refusal.NOT_TODAY)
    unmet = conditions.unmet(session, offer, visitor_id if has_id else None, now)
    if unmet is not None:
        raise CodeRefused(Refusal(unmet.value))
    if offer.per_visitor is not None and visitor_codes(session, offer, visitor_id) >= (
        offer.per_visitor
    ):
        raise CodeRefused(Refusal.VISITOR_LIMIT)
    used: Passport | None = None
    if offer.condition is OfferCondition.PASSPORT:
        if not passport:
            raise CodeRefused(Refusal.PASSPORT_NEEDED)
        used = _use_passport(session, offer, passport, now)
    if not _take_one_today(session, offer, now):
        raise CodeRefused(Refusal.NONE_TODAY)
    if not _take_one(session, offer):
        raise CodeRefused(Refusal.SOLD_OUT)
    code = RedemptionCode(
        code=code_for(secret, offer, visitor_id, local_day(offer, now), attempt),
        offer_id=offer.id,
        visitor_id=visitor_id,
        issued_at=now,
        expires_at=expiry(offer, now),
    )
    session.add(code)
    session.flush()
    if used is not None:
        used.redemption_code_id = code.id
    mark_moments(session, offer.shop.territory, [now])
    return code
