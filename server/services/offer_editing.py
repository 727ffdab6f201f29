"""Offers as shops write them: checked, created with a slug, changed, ended; partner agreement.

A cross-offer names a partner shop ("15% for the Comptoir's customers"), a trigger place
("show your La Piscine ticket") or a kind of place (any museum). With a partner shop it goes live
only once that shop agreed; changing the partner asks again. A trigger place needs no agreement:
it is not a shop. What it names is also its condition, checked before a code is given (a tap
there today, or a passport from the partner's till), unless the shop chooses no check.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.errors import N_, Problem, Problems
from server.models import Offer, OfferCondition, OfferKind, Place, PlaceKind, RedemptionCode, Shop
from server.services import hours_editing
from server.services.content_slugs import add_under_free_slug, slugify
from server.services.listings import clean_fields, translated_texts, whole_number

MAX_DAYS = 2 * 366  # an offer runs at most two years; a longer one is surely a typo
FIELDS = (
    "kind",
    "title",
    "conditions",
    "valid_from",
    "valid_until",
    "hours",
    "quota",
    "partner_shop_id",
    "trigger_place_id",
    "trigger_kind",
    "condition",
    "per_visitor",
    "daily_quota",
)


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(N_("Choose a date, like 2026-05-01.")) from None


def _quota(value: str) -> int | None:
    if not value.strip():
        return None
    quota = whole_number(value, 1, 1_000_000)
    if quota is None:
        raise ValueError(N_("Write a whole number of codes, or leave it empty for no limit."))
    return quota


def _limit(value: str) -> int | None:
    if not value.strip():
        return None
    limit = whole_number(value, 1, 1_000_000)
    if limit is None:
        raise ValueError(N_("Write a whole number, or leave it empty for no limit."))
    return limit


def partners(session: Session, shop: Shop) -> tuple[list[Shop], list[Place]]:
    """The shops and places of the shop's territory a cross-offer can name."""
    shops = session.scalars(
        select(Shop)
        .where(Shop.territory_id == shop.territory_id, Shop.id != shop.id)
        .order_by(Shop.name)
    ).all()
    places = session.scalars(
        select(Place)
        .where(Place.territory_id == shop.territory_id, Place.shop_id.is_(None))
        .order_by(Place.name)
    ).all()
    return list(shops), list(places)


def _partner(
    session: Session, shop: Shop, value: str
) -> tuple[int | None, int | None, PlaceKind | None]:
    kind, _, slug = value.partition(":")
    shops, places = partners(session, shop)
    if kind == "shop":
        found = next((s.id for s in shops if s.slug == slug), None)
        if found:
            return found, None, None
    if kind == "place":
        found = next((p.id for p in places if p.slug == slug), None)
        if found:
            return None, found, None
    if kind == "kind" and slug in {k.value for k in PlaceKind}:
        return None, None, PlaceKind(slug)
    raise Problem(N_("Choose the partner shop or the place visitors come from."), field="partner")


def _hours(form: Mapping[str, str]) -> str | None:
    mode = form.get("hours_mode", "shop")
    if mode == "week":
        expression = hours_editing.to_expression(hours_editing.from_form(form))
        if expression is None:
            raise Problem(N_("Give the hours of at least one day, or choose another option."))
        return expression
    if mode == "raw":
        return hours_editing.check_expression(form.get("hours", ""), field="hours")
    return None


def clean_offer(
    session: Session, shop: Shop, form: Mapping[str, str], today: dt.date
) -> dict[str, Any]:
    """The offer's values from a form, or Problems naming each wrong field."""
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    for part in (
        lambda: {"title": translated_texts(form, "title", 120)},
        lambda: {"conditions": translated_texts(form, "conditions", 600)},
        lambda: clean_fields(form, {"valid_from": _date, "valid_until": _date, "quota": _quota}),
        lambda: clean_fields(form, {"per_visitor": _limit, "daily_quota": _limit}),
        lambda: {"hours": _hours(form)},
    ):
        try:
            values.update(part())
        except Problems as refused:
            problems += refused.problems
        except Problem as refused:
            problems.append(refused)
    if "title" in values and not values["title"]:
        problems.append(
            Problem(N_("Give the offer a title, in French at least."), field="title_fr")
        )
    values["kind"] = OfferKind.CROSS if form.get("kind") == "cross" else OfferKind.DEAL
    values["partner_shop_id"] = values["trigger_place_id"] = values["trigger_kind"] = None
    values["condition"] = OfferCondition.NONE
    if values["kind"] is OfferKind.CROSS:
        try:
            values["partner_shop_id"], values["trigger_place_id"], values["trigger_kind"] = (
                _partner(session, shop, form.get("partner", ""))
            )
            if form.get("check") != "none":
                values["condition"] = condition_of(values)
        except Problem as refused:
            problems.append(refused)
    if not problems:
        problems += _dates(values["valid_from"], values["valid_until"], today)
    if problems:
        raise Problems(problems)
    return values


def condition_of(values: Mapping[str, Any]) -> OfferCondition:
    """The check a cross-offer's partner implies: a tap there today, or the partner's passport."""
    if values.get("trigger_kind"):
        return OfferCondition.TAP_KIND
    if values.get("trigger_place_id"):
        return OfferCondition.TAP_PLACE
    if values.get("partner_shop_id"):
        return OfferCondition.PASSPORT
    return OfferCondition.NONE


def _dates(starts: dt.date, ends: dt.date, today: dt.date) -> list[Problem]:
    if ends < starts:
        return [Problem(N_("The last day comes before the first day."), field="valid_until")]
    if ends < today:
        return [Problem(N_("The last day is already past."), field="valid_until")]
    if (ends - starts).days > MAX_DAYS:
        return [Problem(N_("An offer runs two years at most."), field="valid_until")]
    return []


def offer_values(offer: Offer) -> dict[str, Any]:
    """The stored offer, in the shape clean_offer returns."""
    return {name: getattr(offer, name) for name in FIELDS}


def to_payload(values: Mapping[str, Any]) -> dict[str, Any]:
    """Offer values as JSON (held for review)."""
    return {
        name: value.isoformat() if isinstance(value, dt.date) else value
        for name, value in values.items()
    }


def from_payload(payload: Mapping[str, Any]) -> dict[str, Any]:
    """Offer values back from JSON."""
    values = dict(payload)
    for name in ("valid_from", "valid_until"):
        values[name] = dt.date.fromisoformat(values[name])
    values["kind"] = OfferKind(values["kind"])
    values["condition"] = OfferCondition(values.get("condition", "none"))
    if values.get("trigger_kind"):
        values["trigger_kind"] = PlaceKind(values["trigger_kind"])
    return values


def create(
    session: Session, shop: Shop, values: Mapping[str, Any], agreed_at: dt.datetime | None
) -> Offer:
    """A new offer of `shop`; `agreed_at` when the partner shop's keeper is the one creating it."""
    title = values["title"].get("fr") or next(iter(values["title"].values()))
    offer = Offer(shop_id=shop.id, **values)
    if offer.partner_shop_id is not None:
        offer.partner_agreed_at = agreed_at
    # Its slug: the shop's, then the title's words ("comptoir-de-la-piscine-cafe-offert").
    add_under_free_slug(session, offer, f"{shop.slug[:36]} {slugify(title, 40)}", "offer")
    return offer


def update(offer: Offer, values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Change an offer; a new partner shop must agree again, and a changed offer its partner
    refused is proposed to it again. Returns {field: [before, after]}."""
    changed = {}
    for name, value in values.items():
        if getattr(offer, name) != value:
            changed[name] = [getattr(offer, name), value]
            setattr(offer, name, value)
    if "partner_shop_id" in changed:
        offer.partner_agreed_at = offer.partner_refused_at = None
    elif changed and offer.partner_refused_at is not None:
        changed["partner_refused_at"] = [offer.partner_refused_at, None]
        offer.partner_refused_at = None
    return changed


def end(offer: Offer, today: dt.date) -> None:
    """Stop the offer: its last day becomes yesterday (codes already given expire tonight)."""
    offer.valid_until = min(offer.valid_until, today - dt.timedelta(days=1))
    offer.valid_from = min(offer.valid_from, offer.valid_until)


def agree(offer: Offer, partner: Shop, now: dt.datetime) -> None:
    """The partner shop agrees to the cross-offer naming it: it goes live."""
    if offer.partner_shop_id != partner.id:
        raise Problem(N_("This offer does not name your shop as partner."))
    offer.partner_agreed_at = offer.partner_agreed_at or now
    offer.partner_refused_at = None


def refuse(offer: Offer, partner: Shop, now: dt.datetime) -> None:
    """The partner shop does not agree: the offer stays offline, and its shop is told so."""
    if offer.partner_shop_id != partner.id:
        raise Problem(N_("This offer does not name your shop as partner."))
    offer.partner_agreed_at, offer.partner_refused_at = None, now


def withdraw(offer: Offer, partner: Shop) -> None:
    """The partner shop no longer agrees: the offer is hidden from visitors."""
    if offer.partner_shop_id != partner.id:
        raise Problem(N_("This offer does not name your shop as partner."))
    offer.partner_agreed_at = None


def codes_count(session: Session, offer: Offer) -> tuple[int, int]:
    """Codes issued and codes used for an offer."""
    issued, used = session.execute(
        select(func.count(RedemptionCode.id), func.count(RedemptionCode.redeemed_at)).where(
            RedemptionCode.offer_id == offer.id
        )
    ).one()
    return issued, used
