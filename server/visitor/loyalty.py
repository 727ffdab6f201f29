"""Loyalty cards on the visitor's phone: join one (an explicit choice, after a notice), show a
card's code at the till, move the cards to a new phone with the recovery code, leave.

The cards hang on the first-party visitor id. Holding one is personal data beyond audience
measurement, so joining asks for a ticked box, and the consent (moment and notice version) is
stored with the wallet; leaving deletes the wallet and its cards at once. These pages are one
person's: never cached, never kept.
"""

from __future__ import annotations

import datetime as dt

from flask import Response, abort, current_app, render_template, request, url_for
from sqlalchemy.exc import IntegrityError
from werkzeug.utils import redirect
from werkzeug.wrappers import Response as BaseResponse

from server import clock
from server.db import UNAVAILABLE, db_session
from server.errors import Problem
from server.i18n import gettext
from server.models import Shop
from server.services import loyalty
from server.taps.visitor import COOKIE_MAX_AGE, COOKIE_NAME, Visitor, identify
from server.visitor import kept, lookup
from server.visitor.blueprint import visitor_blueprint
from server.visitor.qr import qr_svg

bp = visitor_blueprint("loyalty", __name__)
# The same phone joining twice at once (a double tap, two tabs): the wallet or the card clashes
# with the one just stored, and the next attempt finds it; then a rare clash of two card codes.
JOIN_ATTEMPTS = 3


def _visitor(now: dt.datetime) -> Visitor:
    return identify(
        request.cookies.get(COOKIE_NAME),
        human=True,
        address="",
        agent="",
        secret=current_app.config["VISITOR_SALT_SECRET"],
        now=now,
    )


def _personal(html: str, visitor: Visitor | None = None, status: int = 200) -> Response:
    response = Response(html, status=status)
    response.headers["Cache-Control"] = "private, no-store"
    if visitor is not None and visitor.sets_cookie:
        response.set_cookie(
            COOKIE_NAME,
            visitor.id,
            max_age=COOKIE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure,
        )
    return response


def _known(visitor: Visitor) -> str | None:
    """The visitor's id if the browser sent it (a new one has no cards yet)."""
    return None if visitor.sets_cookie else visitor.id


def _cards_page(visitor_id: str | None, **extra: object) -> str:
    session = db_session()
    wallet = loyalty.wallet_of(session, visitor_id)
    held = loyalty.holdings(session, wallet)
    zone = held[0].card.shop.territory.timezone if held else "Europe/Paris"
    cards = [
        {
            "holding": h,
            "shown": loyalty.shown(h.code),
            "qr": qr_svg(
                h.code, gettext("QR code of your card at %(shop)s", shop=h.card.shop.name)
            ),
            "until": loyalty.reward_until(h),
        }
        for h in held
    ]
    return render_template(
        "loyalty.html", wallet=wallet, cards=cards, zone=zone, **({"problem": None} | extra)
    )


@bp.get("/cards")
def cards() -> BaseResponse:
    """The visitor's cards: each with its code for the till, its stamps and reward."""
    try:
        return _personal(_cards_page(_known(_visitor(clock.now()))))
    except UNAVAILABLE:
        return kept.unavailable()


@bp.route("/cards/join/<shop_slug>", methods=["GET", "POST"])
def join(shop_slug: str) -> BaseResponse:
    """The notice, the consent box, and joining the shop's card."""
    try:
        shop = lookup.by_slug(Shop, shop_slug)
        card = loyalty.card_of(db_session(), shop)
        if card is None or not card.active:
            abort(404)
        now = clock.now()
        visitor = _visitor(now)
        if request.method == "GET":
            return _personal(render_template("loyalty_join.html", shop=shop, card=card))
        for attempt in range(JOIN_ATTEMPTS):
            try:
                _held, recovery = loyalty.join(
                    db_session(),
                    card,
                    visitor.id,
                    now,
                    current_app.config["SECRET_KEY"],
                    request.form.get("consent") == "yes",
                )
                db_session().commit()
                break
            except IntegrityError:  # stored by the same phone a moment ago: found next time
                db_session().rollback()
                if attempt == JOIN_ATTEMPTS - 1:
                    raise
            except Problem as refused:
                db_session().rollback()
                html = render_template(
                    "loyalty_join.html", shop=shop, card=card, problem=gettext(refused.message)
                )
                return _personal(html, status=422)
        html = _cards_page(visitor.id, recovery=loyalty.shown(recovery) if recovery else None)
        return _personal(html, visitor)
    except UNAVAILABLE:
        return kept.unavailable()


@bp.post("/cards/recover")
def recover() -> BaseResponse:
    """Bring the cards of a recovery code onto this phone."""
    now = clock.now()
    visitor = _visitor(now)
    try:
        try:
            loyalty.recover(
                db_session(),
                visitor.id,
                request.form.get("recovery", "")[:40],
                current_app.config["SECRET_KEY"],
            )
        except Problem as refused:
            db_session().rollback()
            html = _cards_page(_known(visitor), problem=gettext(refused.message))
            return _personal(html, visitor, status=422)
        db_session().commit()
    except UNAVAILABLE:
        return kept.unavailable()
    response = redirect(url_for("loyalty.cards"), code=303)
    if visitor.sets_cookie:
        response.set_cookie(
            COOKIE_NAME,
            visitor.id,
            max_age=COOKIE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure,
        )
    return response


@bp.post("/cards/recovery-code")
def new_recovery_code() -> BaseResponse:
    """A new recovery code for this phone's cards (the old one stops working), shown once."""
    visitor = _visitor(clock.now())
    try:
        wallet = loyalty.wallet_of(db_session(), _known(visitor))
        if wallet is None:
            return redirect(url_for("loyalty.cards"), code=303)
        code = loyalty.new_recovery_code(db_session(), wallet, current_app.config["SECRET_KEY"])
        db_session().commit()
        return _personal(_cards_page(visitor.id, recovery=loyalty.shown(code)))
    except UNAVAILABLE:
        return kept.unavailable()


@bp.post("/cards/leave")
def leave() -> BaseResponse:
    """Delete this phone's cards and wallet, now."""
    visitor = _visitor(clock.now())
    try:
        if not visitor.sets_cookie:
            loyalty.leave(db_session(), visitor.id)
            db_session().commit()
        return _personal(_cards_page(_known(visitor), left=True))
    except UNAVAILABLE:
        return kept.unavailable()
