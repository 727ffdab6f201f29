"""Partner offers: another shop's cross-offer naming this shop goes live once this shop agrees."""

from __future__ import annotations

from flask import render_template, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from server import clock
from server.db import db_session
from server.errors import N_
from server.i18n import gettext
from server.models import Offer, Shop
from server.portal.access import KEEPERS, allow, by_slug, found, shop_for
from server.portal.blueprint import bp
from server.portal.forms import saved
from server.services import offer_editing


def _naming(shop: Shop, offer_slug: str) -> Offer:
    return found(by_slug(Offer, offer_slug), lambda offer: offer.partner_shop_id == shop.id)


@bp.get("/shops/<slug>/partners")
@allow(KEEPERS)
def partners(slug: str) -> str:
    """Other shops' offers that name this shop as their partner."""
    shop = shop_for(slug)
    rows = db_session().scalars(
        select(Offer).where(Offer.partner_shop_id == shop.id).order_by(Offer.valid_until.desc())
    )
    return render_template("portal/partners.html", shop=shop, offers=list(rows))


@bp.post("/shops/<slug>/partners/<offer_slug>/agree")
@allow(KEEPERS)
def agree(slug: str, offer_slug: str) -> Response:
    """Agree to a partner offer: it goes online."""
    shop = shop_for(slug)
    offer = _naming(shop, offer_slug)
    offer_editing.agree(offer, shop, clock.now())
    return saved(
        "offer.agree",
        ("offer", offer.id),
        f"{shop.name} agreed",
        message=gettext(N_("Thank you: the offer is online now.")),
        to=url_for("portal.partners", slug=shop.slug),
        changes={"partner_agreed_at": [None, offer.partner_agreed_at]},
    )


@bp.post("/shops/<slug>/partners/<offer_slug>/refuse")
@allow(KEEPERS)
def refuse_offer(slug: str, offer_slug: str) -> Response:
    """Do not agree to a partner offer: it stays offline, and the shop offering it sees why not."""
    shop = shop_for(slug)
    offer = _naming(shop, offer_slug)
    offer_editing.refuse(offer, shop, clock.now())
    return saved(
        "offer.refuse",
        ("offer", offer.id),
        f"{shop.name} refused",
        message=gettext(
            "Refused: the offer stays offline; %(shop)s sees your answer.", shop=offer.shop.name
        ),
        to=url_for("portal.partners", slug=shop.slug),
        changes={"partner_refused_at": [None, offer.partner_refused_at]},
    )


@bp.post("/shops/<slug>/partners/<offer_slug>/withdraw")
@allow(KEEPERS)
def withdraw(slug: str, offer_slug: str) -> Response:
    """No longer agree: the offer is taken offline until this shop agrees again."""
    shop = shop_for(slug)
    offer = _naming(shop, offer_slug)
    before = offer.partner_agreed_at
    offer_editing.withdraw(offer, shop)
    return saved(
        "offer.withdraw",
        ("offer", offer.id),
        f"{shop.name} withdrew",
        message=gettext(N_("The offer is offline until you agree again.")),
        to=url_for("portal.partners", slug=shop.slug),
        changes={"partner_agreed_at": [before, None]},
    )
