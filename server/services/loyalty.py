"""Loyalty cards: joining (with recorded consent), stamps at the till, the reward once, leaving.

A visitor's cards hang on a wallet tied to the first-party visitor id (no account); the wallet's
recovery code (80 bits, written down by the visitor, stored only as an HMAC) moves it to a new
phone. Stamps are given at the till only, from the card's short code (typed or scanned), by one
conditional UPDATE each: "... SET stamps = stamps + 1 WHERE stamps < needed AND the last stamp
is older than the card's minimum interval". The database lets exactly one of many simultaneous
stamps through, on SQLite (one writer; the UPDATE opens the write transaction) and PostgreSQL
(the row is locked and the condition read again after the earlier transaction ends). The
reward is given the same way (... WHERE the card is full and its reward not expired), once.
Leaving deletes the wallet and its cards; the shop keeps anonymous stamp counts.
"""

from __future__ import annotations

import datetime as dt
import enum
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from server.db import rowcount
from server.errors import N_, Problem, Problems
from server.models import (
    LoyaltyCard,
    LoyaltyHolding,
    LoyaltyStamp,
    LoyaltyWallet,
    Shop,
    StampKind,
)
from server.services.listings import clean_fields, translated_texts, whole
from server.services.rollups import mark_moments
from tags import crockford

NOTICE = "2026-12"  # the version of the joining notice the visitor agreed to
CARD_SYMBOLS = 8
RECOVERY_SYMBOLS = 16


class Stamping(enum.StrEnum):
    """What the till is told about a card."""

    STAMPED = "stamped"
    FULL = "full"  # this stamp (or an earlier one) filled it: the reward can be given
    TOO_SOON = "too soon"  # a stamp was given less than the minimum interval ago
    REWARDED = "rewarded"
    NOT_FULL = "not full"
    EXPIRED = "expired"  # the full card's reward was not claimed in time
    ELSEWHERE = "elsewhere"  # a card of another shop
    UNKNOWN = "unknown"
    MALFORMED = "malformed"


@dataclass(frozen=True)
class CardVerdict:
    """The answer, and the card it is about."""

    answer: Stamping
    typed: str
    holding: LoyaltyHolding | None = None
    given: bool = False  # a stamp or the reward was given by this request


def shown(code: str) -> str:
    """A code in groups of four, as written down or read aloud."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def _normalize(typed: str, symbols: int) -> str:
    canonical = crockford.normalize(typed.replace(" ", ""))
    if len(canonical) != symbols:
        raise crockford.DecodeError(f"a code has {symbols} symbols, not {len(canonical)}")
    return canonical


def _recovery_hash(secret: str, code: str) -> str:
    return hmac.new(secret.encode(), f"taptrail-loyalty/{code}".encode(), "sha256").hexdigest()


def wallet_of(session: Session, visitor_id: str | None) -> LoyaltyWallet | None:
    """The wallet on this phone, if the visitor joined a card."""
    if visitor_id is None:
        return None
    return session.scalars(
        select(LoyaltyWallet).where(LoyaltyWallet.visitor_id == visitor_id)
    ).first()


def holdings(session: Session, wallet: LoyaltyWallet | None) -> list[LoyaltyHolding]:
    """The cards in a wallet, oldest first."""
    if wallet is None:
        return []
    return list(
        session.scalars(
            select(LoyaltyHolding)
            .where(LoyaltyHolding.wallet_id == wallet.id)
            .order_by(LoyaltyHolding.id)
        )
    )


def card_of(session: Session, shop: Shop) -> LoyaltyCard | None:
    """The shop's loyalty card (one per shop), active or not."""
    return session.scalars(
        select(LoyaltyCard).where(LoyaltyCard.shop_id == shop.id).order_by(LoyaltyCard.id)
    ).first()


def join(
    session: Session,
    card: LoyaltyCard,
    visitor_id: str,
    now: dt.datetime,
    secret: str,
    consent: bool,
) -> tuple[LoyaltyHolding, str | None]:
    """Hold the card, after the visitor's explicit consent; returns the card and, for a new
    wallet, its recovery code (shown once: only its HMAC is stored)."""
    if not consent:
        raise Problem(N_("Tick the box to say you agree, or leave this page: nothing is kept."))
    if not card.active:
        raise Problem(N_("This shop no longer offers a loyalty card."))
    wallet, recovery = wallet_of(session, visitor_id), None
    if wallet is None:
        recovery = crockford.encode(secrets.randbits(80), RECOVERY_SYMBOLS)
        wallet = LoyaltyWallet(
            visitor_id=visitor_id,
            recovery_hash=_recovery_hash(secret, recovery),
            consented_at=now,
            notice=NOTICE,
        )
        session.add(wallet)
        session.flush()
    held = session.scalars(
        select(LoyaltyHolding).where(
            LoyaltyHolding.wallet_id == wallet.id, LoyaltyHolding.card_id == card.id
        )
    ).first()
    if held is None:
        held = LoyaltyHolding(
            wallet_id=wallet.id,
            card_id=card.id,
            code=crockford.encode(secrets.randbits(40), CARD_SYMBOLS),
            joined_at=now,
        )
        session.add(held)
        session.flush()
    return held, recovery


def new_recovery_code(session: Session, wallet: LoyaltyWallet, secret: str) -> str:
    """Replace the wallet's recovery code (the old one stops working); shown once."""
    recovery = crockford.encode(secrets.randbits(80), RECOVERY_SYMBOLS)
    wallet.recovery_hash = _recovery_hash(secret, recovery)
    return recovery


def recover(session: Session, visitor_id: str, typed: str, secret: str) -> LoyaltyWallet:
    """Move the wallet of a recovery code to this phone (its old phone loses it)."""
    try:
        canonical = _normalize(typed, RECOVERY_SYMBOLS)
    except crockford.DecodeError:
        raise Problem(
            N_("A recovery code has 16 letters and digits, like 7K2M-Q9XA-4HPT-ZR3B."),
            field="recovery",
        ) from None
    wallet = session.scalars(
        select(LoyaltyWallet).where(
            LoyaltyWallet.recovery_hash == _recovery_hash(secret, canonical)
        )
    ).first()
    if wallet is None:
        raise Problem(
            N_("We know no cards with this recovery code. Check it letter by letter."),
            field="recovery",
        )
    here = wallet_of(session, visitor_id)
    if here is not None and here.id != wallet.id:
        if holdings(session, here):
            raise Problem(
                N_("This phone holds cards already: leave them first, then recover the others."),
                field="recovery",
            )
        session.delete(here)
        session.flush()
    wallet.visitor_id = visitor_id
    return wallet


def leave(session: Session, visitor_id: str) -> int:
    """Delete this phone's wallet and cards; returns how many cards were deleted. The stamps
    given stay as anonymous counts (their card and visitor are cut off)."""
    wallet = wallet_of(session, visitor_id)
    if wallet is None:
        return 0
    ids = select(LoyaltyHolding.id).where(LoyaltyHolding.wallet_id == wallet.id)
    session.execute(
        update(LoyaltyStamp)
        .where(LoyaltyStamp.holding_id.in_(ids))
        .values(holding_id=None, visitor_id=None)
        .execution_options(synchronize_session=False)
    )
    deleted = rowcount(
        session.execute(
            delete(LoyaltyHolding)
            .where(LoyaltyHolding.wallet_id == wallet.id)
            .execution_options(synchronize_session=False)
        )
    )
    session.execute(delete(LoyaltyWallet).where(LoyaltyWallet.id == wallet.id))
    return deleted


def _find(session: Session, typed: str, shop: Shop) -> CardVerdict | LoyaltyHolding:
    try:
        canonical = _normalize(typed, CARD_SYMBOLS)
    except crockford.DecodeError:
        return CardVerdict(Stamping.MALFORMED, typed)
    held = session.scalars(select(LoyaltyHolding).where(LoyaltyHolding.code == canonical)).first()
    if held is None:
        return CardVerdict(Stamping.UNKNOWN, canonical)
    if held.card.shop_id != shop.id:
        return CardVerdict(Stamping.ELSEWHERE, canonical)
    return held


def _record(
    session: Session, held: LoyaltyHolding, kind: StampKind, user_id: int | None, now: dt.datetime
) -> None:
    wallet = session.get(LoyaltyWallet, held.wallet_id)
    session.add(
        LoyaltyStamp(
            card_id=held.card_id,
            shop_id=held.card.shop_id,
            holding_id=held.id,
            visitor_id=wallet.visitor_id if wallet else None,
            kind=kind,
            at=now,
            by_id=user_id,
        )
    )
    mark_moments(session, held.card.shop.territory, [now])


def stamp(
    session: Session, typed: str, shop: Shop, user_id: int | None, now: dt.datetime
) -> CardVerdict:
    """Give a card one stamp at `shop`'s till, if the minimum interval has passed; a full card
    whose reward expired starts again. The caller commits."""
    found = _find(session, typed, shop)
    if isinstance(found, CardVerdict):
        return found
    card = found.card
    rested = now - dt.timedelta(minutes=card.min_interval_minutes)
    expired = now - dt.timedelta(days=card.reward_days)
    row = LoyaltyHolding
    interval_ok = (row.last_stamp_at.is_(None)) | (row.last_stamp_at <= rested)
    given = session.execute(
        update(row)
        .where(row.id == found.id, row.stamps < card.stamps_needed, interval_ok)
        .values(stamps=row.stamps + 1, last_stamp_at=now)
        .execution_options(synchronize_session=False)
    )
    if rowcount(given) == 1:  # the stamp that fills the card starts the reward's validity
        session.execute(
            update(row)
            .where(row.id == found.id, row.stamps >= card.stamps_needed, row.full_at.is_(None))
            .values(full_at=now)
            .execution_options(synchronize_session=False)
        )
    if rowcount(given) == 0:  # a full card whose reward expired: this stamp starts a new card
        given = session.execute(
            update(row)
            .where(row.id == found.id, row.stamps >= card.stamps_needed, row.full_at <= expired)
            .where(interval_ok)
            .values(stamps=1, last_stamp_at=now, full_at=None)
            .execution_options(synchronize_session=False)
        )
    session.refresh(found)
    if rowcount(given) == 1:
        _record(session, found, StampKind.STAMP, user_id, now)
        full = found.stamps >= card.stamps_needed
        return CardVerdict(Stamping.FULL if full else Stamping.STAMPED, found.code, found, True)
    if found.stamps >= card.stamps_needed:
        return CardVerdict(Stamping.FULL, found.code, found)
    return CardVerdict(Stamping.TOO_SOON, found.code, found)


def reward(
    session: Session, typed: str, shop: Shop, user_id: int | None, now: dt.datetime
) -> CardVerdict:
    """Give a full card's reward, exactly once: the card starts again. The caller commits."""
    found = _find(session, typed, shop)
    if isinstance(found, CardVerdict):
        return found
    card, row = found.card, LoyaltyHolding
    expired = now - dt.timedelta(days=card.reward_days)
    given = session.execute(
        update(row)
        .where(row.id == found.id, row.stamps >= card.stamps_needed, row.full_at > expired)
        .values(stamps=0, full_at=None, rewards=row.rewards + 1)
        .execution_options(synchronize_session=False)
    )
    session.refresh(found)
    if rowcount(given) == 1:
        _record(session, found, StampKind.REWARD, user_id, now)
        return CardVerdict(Stamping.REWARDED, found.code, found, True)
    if found.stamps >= card.stamps_needed:
        return CardVerdict(Stamping.EXPIRED, found.code, found)
    return CardVerdict(Stamping.NOT_FULL, found.code, found)


def reward_until(held: LoyaltyHolding) -> dt.datetime | None:
    """Until when a full card's reward can be claimed (None: not full)."""
    if held.full_at is None or held.stamps < held.card.stamps_needed:
        return None
    return held.full_at + dt.timedelta(days=held.card.reward_days)


def define(
    session: Session, shop: Shop, values: dict[str, object], now: dt.datetime
) -> LoyaltyCard:
    """Create or change the shop's card ("n visits, then a reward"). Cards held keep their
    stamps: those the new number fills are full from now (their reward's clock starts), those
    it no longer fills are not full any more (stamping and the reward go by full_at)."""
    card = card_of(session, shop)
    if card is None:
        card = LoyaltyCard(shop_id=shop.id)
        session.add(card)
    for name, value in values.items():
        setattr(card, name, value)
    session.flush()
    row = LoyaltyHolding
    ours = row.card_id == card.id
    for where, full_at in (
        ((row.stamps >= card.stamps_needed, row.full_at.is_(None)), now),
        ((row.stamps < card.stamps_needed, row.full_at.is_not(None)), None),
    ):
        session.execute(
            update(row)
            .where(ours, *where)
            .values(full_at=full_at)
            .execution_options(synchronize_session=False)
        )
    return card


def figures(session: Session, shop: Shop, since: dt.datetime, until: dt.datetime) -> dict[str, int]:
    """A shop's card figures: cards held now, stamps and rewards given in [since, until),
    returning customers (cards stamped at least twice in that time)."""
    card = card_of(session, shop)
    if card is None:
        return {"cards": 0, "stamps": 0, "rewards": 0, "returning": 0}
    cards = session.scalar(
        select(func.count(LoyaltyHolding.id)).where(LoyaltyHolding.card_id == card.id)
    )
    window = (LoyaltyStamp.shop_id == shop.id, LoyaltyStamp.at >= since, LoyaltyStamp.at < until)
    counts = dict(
        session.execute(
            select(LoyaltyStamp.kind, func.count(LoyaltyStamp.id))
            .where(*window)
            .group_by(LoyaltyStamp.kind)
        ).all()
    )
    returning = session.scalar(
        select(func.count()).select_from(
            select(LoyaltyStamp.holding_id)
            .where(*window, LoyaltyStamp.kind == StampKind.STAMP)
            .where(LoyaltyStamp.holding_id.is_not(None))
            .group_by(LoyaltyStamp.holding_id)
            .having(func.count(LoyaltyStamp.id) >= 2)
            .subquery()
        )
    )
    return {
        "cards": cards or 0,
        "stamps": counts.get(StampKind.STAMP, 0),
        "rewards": counts.get(StampKind.REWARD, 0),
        "returning": returning or 0,
    }


def clean_card(form: Mapping[str, str]) -> dict[str, Any]:
    """A card's values from the shop's form, or Problems naming each wrong field."""
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    try:
        values["reward"] = translated_texts(form, "reward", 200)
    except Problems as refused:
        problems += refused.problems
    try:
        values |= clean_fields(
            form,
            {
                "stamps_needed": whole(2, 50, N_("Write a number of visits from 2 to 50.")),
                "reward_days": whole(1, 366, N_("Write a number of days from 1 to 366.")),
                "min_interval_minutes": whole(
                    0, 7 * 24 * 60, N_("Write a number of minutes from 0 to 10080 (a week).")
                ),
            },
        )
    except Problems as refused:
        problems += refused.problems
    if "reward" in values and not values["reward"]:
        problems.append(
            Problem(N_("Say what the reward is, in French at least."), field="reward_fr")
        )
    if problems:
        raise Problems(problems)
    values["active"] = form.get("active") == "yes"
    return values
