"""At the till: type or scan the visitor's code; it is used once, and only once. The answer says
what to check (today's ticket of the museum the offer is for). The till also hands out
passports, for partner shops' offers that ask for one, and stamps loyalty cards."""

from __future__ import annotations

from flask import Response, render_template, request, url_for

from server import clock
from server.db import db_session
from server.models import Offer, Passport
from server.portal.access import KEEPERS, allow, by_slug, found, shop_for, user
from server.portal.blueprint import bp
from server.services import audit, loyalty, passports
from server.services import till as till_service
from server.services.redemption import shown
from server.visitor.present import PLACE_KINDS
from server.visitor.qr import qr_svg


def render_till(shop_slug: str, **values: object) -> str:
    """The till page, with the answers in `values` (a code's, a passport's, a card's)."""
    shop = shop_for(shop_slug)
    card = loyalty.card_of(db_session(), shop)
    return render_template(
        "portal/till.html",
        shop=shop,
        zone=shop.territory.timezone,
        passport_offers=passports.offers_to_issue(db_session(), shop),
        place_kinds=PLACE_KINDS,
        loyalty_card=card if card and card.active else None,
        **({"verdict": None, "passport": None, "card_verdict": None} | values),
    )


@bp.route("/shops/<slug>/till", methods=["GET", "POST"])
@allow(KEEPERS)
def till(slug: str) -> str:
    """The code field, and the answer about the last code checked."""
    shop = shop_for(slug)
    if request.method == "GET":
        return render_till(slug)
    typed = request.form.get("code", "")[:40]
    verdict = till_service.redeem(db_session(), typed, shop, user().id, clock.now())
    if verdict.answer is till_service.Answer.VALID and verdict.code is not None:
        audit.record(
            db_session(),
            user().id,
            "code.redeem",
            ("code", verdict.code.id),
            f"{shop.name}: code {verdict.code.code} used",
        )
    db_session().commit()
    # Every answer is a page that worked (the till reads it); the answer is in the page.
    return render_till(
        slug,
        verdict=verdict,
        shown=shown(verdict.typed) if len(verdict.typed) == 8 else verdict.typed,
    )


@bp.get("/till-scanner.js")
@allow(KEEPERS)
def scanner() -> Response:
    """The till's camera scanner: reads a QR code into the field it sits beside (where the
    browser has a BarcodeDetector; typing works everywhere)."""
    response = Response(render_template("portal/till_scanner.js"), mimetype="text/javascript")
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.post("/shops/<slug>/till/passport/<offer_slug>")
@allow(KEEPERS)
def passport(slug: str, offer_slug: str) -> str:
    """Hand a customer a one-time passport for a partner shop's cross-offer."""
    shop = shop_for(slug)
    offer = found(by_slug(Offer, offer_slug), lambda o: o.partner_shop_id == shop.id)
    issued: Passport = passports.issue(db_session(), offer, shop, user().id, clock.now())
    audit.record(
        db_session(),
        user().id,
        "passport.issue",
        ("offer", offer.id),
        f"{shop.name}: passport for {offer.slug}",
    )
    db_session().commit()
    link = url_for("offers.offer", slug=offer.slug, passport=issued.code, _external=True)
    return render_till(
        slug,
        passport=issued,
        passport_offer=offer,
        passport_shown=shown(issued.code),
        passport_qr=qr_svg(link, shown(issued.code)),
    )
