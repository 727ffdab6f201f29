"""A shop's offers: deals and cross-offers, written in three languages, with days and hours."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from flask import redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from server import clock
from server.db import db_session
from server.errors import N_, Invalid
from server.i18n import LANGUAGES, gettext
from server.models import Offer, OfferKind, Shop
from server.portal import merchant_mail
from server.portal.access import KEEPERS, allow, by_slug, found, shop_for, user
from server.portal.blueprint import bp
from server.portal.branded import brand_name
from server.portal.forms import done, problems_of, refused, saved, values
from server.portal.hours import form_week, week_rows
from server.portal.listing import pending_change
from server.services import accounts, audit, hours_editing, offer_editing, redemption, review
from server.visitor.present import PLACE_KINDS


def today(shop: Shop) -> dt.date:
    """Today in the shop's time zone."""
    return clock.now().astimezone(ZoneInfo(shop.territory.timezone)).date()


def own_offer(shop: Shop, offer_slug: str) -> Offer:
    """One of the shop's offers, or 404."""
    return found(by_slug(Offer, offer_slug), lambda offer: offer.shop_id == shop.id)


def offer_form(values_: dict[str, Any]) -> dict[str, Any]:
    """Offer values as form fields."""
    form: dict[str, Any] = {
        "kind": OfferKind(values_["kind"]).value,
        "valid_from": str(values_["valid_from"]),
        "valid_until": str(values_["valid_until"]),
        "quota": values_.get("quota") or "",
        "per_visitor": values_.get("per_visitor") or "",
        "daily_quota": values_.get("daily_quota") or "",
        "hours": values_.get("hours") or "",
    }
    for field in ("title", "conditions"):
        for lang in LANGUAGES:
            form[f"{field}_{lang}"] = (values_.get(field) or {}).get(lang, "")
    hours = values_.get("hours")
    form["hours_mode"] = (
        "shop" if not hours else "week" if hours_editing.from_expression(hours) else "raw"
    )
    partner_shop, place = values_.get("partner_shop_id"), values_.get("trigger_place_id")
    form["partner"] = _partner_value(partner_shop, place)
    if values_.get("trigger_kind"):
        form["partner"] = f"kind:{values_['trigger_kind']}"
    cross = form["kind"] == "cross"
    form["check"] = "none" if cross and values_.get("condition", "none") == "none" else "check"
    return form


def _partner_value(shop_id: int | None, place_id: int | None) -> str:
    from server.models import Place

    if shop_id:
        found = db_session().get(Shop, shop_id)
        return f"shop:{found.slug}" if found else ""
    if place_id:
        place = db_session().get(Place, place_id)
        return f"place:{place.slug}" if place else ""
    return ""


def _render(shop: Shop, form: dict[str, Any], errors: dict, offer: Offer | None, rows: list) -> str:
    shops, places = offer_editing.partners(db_session(), shop)
    return render_template(
        "portal/offer.html",
        shop=shop,
        offer=offer,
        form=form,
        errors=errors,
        rows=rows,
        partner_shops=shops,
        partner_places=places,
        place_kinds=PLACE_KINDS,
        waiting=pending_change(shop, "offer", offer.id) if offer else None,
    )


@bp.get("/shops/<slug>/offers")
@allow(KEEPERS)
def offers(slug: str) -> str:
    """The shop's offers, running, coming and ended, with their codes."""
    shop = shop_for(slug)
    rows = db_session().scalars(
        select(Offer).where(Offer.shop_id == shop.id).order_by(Offer.valid_until.desc())
    )
    listed = [
        (
            offer,
            redemption.period(offer, clock.now()).value,
            offer_editing.codes_count(db_session(), offer),
        )
        for offer in rows
    ]
    new = pending_change(shop, "offer")
    return render_template(
        "portal/offers.html",
        shop=shop,
        offers=listed,
        proposed=new if new and new.target_id is None else None,
    )


@bp.route("/shops/<slug>/offers/new", methods=["GET", "POST"])
@allow(KEEPERS)
def new_offer(slug: str) -> Response | str | tuple[str, int]:
    """Write a new offer."""
    shop = shop_for(slug)
    if request.method == "GET":
        start = today(shop)
        blank = {"kind": "deal", "valid_from": start, "valid_until": start + dt.timedelta(days=30)}
        return _render(shop, offer_form(blank), {}, None, week_rows(None))
    form = values()
    try:
        cleaned = offer_editing.clean_offer(db_session(), shop, form, today(shop))
    except Invalid as refused:
        return _render(shop, form, problems_of(refused), None, form_week(form)), 422
    account = user()
    if review.needs_review(shop, account):
        review.propose(db_session(), shop, account, "offer", offer_editing.to_payload(cleaned))
        done(
            gettext(
                N_("Sent for review: the %(service)s team will put it online."),
                service=brand_name(),
            )
        )
    else:
        partner = cleaned.get("partner_shop_id")
        agreed = clock.now() if partner and accounts.owns(db_session(), account, partner) else None
        offer = offer_editing.create(db_session(), shop, cleaned, agreed)
        audit.record(
            db_session(),
            account.id,
            "offer.create",
            ("offer", offer.id),
            f"{shop.name}: new offer",
            offer_editing.to_payload(cleaned),
        )
        done(_saved_message(offer))
        db_session().commit()  # the partner is asked only once the offer is kept
        tell_partner(offer)
        return redirect(url_for("portal.offers", slug=shop.slug), code=303)
    db_session().commit()
    return redirect(url_for("portal.offers", slug=shop.slug), code=303)


def tell_partner(offer: Offer) -> None:
    """Ask the partner shop's keepers by mail to agree to a committed cross-offer waiting for
    them, and say on the next page whether they were reached."""
    partner = offer.partner_shop
    if partner is None or offer.agreed:
        return
    outcome = merchant_mail.consent_request(offer)
    if outcome.sent and not outcome.unsent:
        done(gettext("%(partner)s was asked by mail to agree.", partner=partner.name))
    elif outcome.sent or outcome.unsent:
        refused(
            gettext(
                "No mail could be sent to %(emails)s: %(partner)s sees the offer on its partner"
                " page at its next sign-in; tell them it waits for their agreement.",
                emails=", ".join(outcome.unsent),
                partner=partner.name,
            )
        )
    else:
        refused(
            gettext(
                "%(partner)s has no account on TapTrail yet: ask the TapTrail team to reach them.",
                partner=partner.name,
            )
        )


def _saved_message(offer: Offer) -> str:
    if not offer.agreed:
        return gettext(N_("Saved. It goes online once the partner shop agrees."))
    return gettext(N_("Saved. Visitors see it now."))


@bp.route("/shops/<slug>/offers/<offer_slug>", methods=["GET", "POST"])
@allow(KEEPERS)
def edit_offer(slug: str, offer_slug: str) -> Response | str | tuple[str, int]:
    """Change an offer (a new partner shop must agree again)."""
    shop = shop_for(slug)
    offer = own_offer(shop, offer_slug)
    if request.method == "GET":
        stored = offer_editing.offer_values(offer)
        waiting = pending_change(shop, "offer", offer.id)
        if waiting:
            stored = offer_editing.from_payload(waiting.payload)
        return _render(
            shop,
            offer_form(stored),
            {},
            offer,
            week_rows(hours_editing.from_expression(stored.get("hours"))),
        )
    form = values()
    try:
        cleaned = offer_editing.clean_offer(
            db_session(), shop, form, min(today(shop), offer.valid_until)
        )
    except Invalid as refused:
        return _render(shop, form, problems_of(refused), offer, form_week(form)), 422
    account = user()
    if review.needs_review(shop, account):
        review.propose(
            db_session(), shop, account, "offer", offer_editing.to_payload(cleaned), offer.id
        )
        done(
            gettext(
                N_("Sent for review: the %(service)s team will put it online."),
                service=brand_name(),
            )
        )
    else:
        changes = offer_editing.update(offer, cleaned)
        if changes:
            audit.record(
                db_session(),
                account.id,
                "offer.update",
                ("offer", offer.id),
                f"{shop.name}: offer",
                changes,
            )
        done(_saved_message(offer))
        db_session().commit()  # the new partner is asked only once the change is kept
        if {"partner_shop_id", "partner_refused_at"} & set(changes):  # asked (again)
            tell_partner(offer)
        return redirect(url_for("portal.offers", slug=shop.slug), code=303)
    db_session().commit()
    return redirect(url_for("portal.offers", slug=shop.slug), code=303)


@bp.post("/shops/<slug>/offers/<offer_slug>/end")
@allow(KEEPERS)
def end_offer(slug: str, offer_slug: str) -> Response:
    """Stop an offer now (ending is never held for review: it only takes something down)."""
    shop = shop_for(slug)
    offer = own_offer(shop, offer_slug)
    before = offer.valid_until
    offer_editing.end(offer, today(shop))
    return saved(
        "offer.end",
        ("offer", offer.id),
        f"{shop.name}: offer ended",
        message=gettext(N_("The offer has ended. Codes given today still work until tonight.")),
        to=url_for("portal.offers", slug=shop.slug),
        changes={"valid_until": [before, offer.valid_until]},
    )
