"""Offer pages: what the deal is and on what conditions; for a cross-offer, the visitor's code.

A code is asked for with a button (a POST, so link previews and prefetches never use up an
offer's quota), then shown on the offer page as text and as a QR code. It is tied to the
visitor cookie that taps already use (the same pseudonymous id), so the page shows the same
code on every visit that day. These pages are personal: never kept on disk, never cached.

A cross-offer's condition is checked before a code is given (services.conditions): the page
says what is still needed ("tap the sticker at La Piscine's exit") instead of offering a button
that would fail, and a passport offer asks for the passport's code (its QR code opens this page
with the code filled in).

A visitor who objected to audience measurement (see server/visitor/privacy.py) has no such
cookie: their views are counted without an id, and a code they ask for is tied to a random id
kept in a browser-session cookie of its own, used for nothing but showing them their codes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response as BaseResponse

from server import clock
from server.db import UNAVAILABLE, db_session
from server.i18n import gettext, translated
from server.models import Offer, OfferCondition, OfferKind
from server.services import conditions, hours, redemption
from server.services.nearby import Kind
from server.taps.visitor import (
    COOKIE_MAX_AGE,
    COOKIE_NAME,
    OBJECTION_COOKIE,
    Visitor,
    identify,
    objects,
)
from server.visitor import formats, jsonld, kept, localized, lookup, present, views
from server.visitor.blueprint import visitor_blueprint
from server.visitor.qr import qr_svg

bp = visitor_blueprint("offers", __name__)
ISSUE_ATTEMPTS = 3  # the same visitor twice at once, then a rare clash with another's code
REFUSALS = {refusal.value: refusal for refusal in redemption.Refusal}
CODE_COOKIE = "tt_code"  # the code holder of a visitor who objected (ends with the browser)


@localized.page(bp, "/offer/<slug>")
def offer(slug: str) -> Response:
    """The offer, its conditions, and the visitor's code for a cross-offer."""
    try:
        return _offer_page(slug)
    except UNAVAILABLE:
        return kept.unavailable()


def _agreed(slug: str) -> Offer:
    """The offer, if visitors may see it (a partner offer once its partner agreed); else 404,
    or 410 once its shop is unpublished (it was public, and is gone)."""
    found = lookup.by_slug(Offer, slug)
    if not found.agreed:
        abort(404)
    if not found.shop.published:
        abort(410)
    return found


def _offer_page(slug: str) -> Response:
    found = _agreed(slug)
    origin = lookup.origin()
    now = clock.now()
    zone, country = found.shop.territory.timezone, found.shop.territory.country
    period = redemption.period(found, now)
    cross = found.kind is OfferKind.CROSS
    visitor = _visitor(now)
    known = cross and not visitor.sets_cookie
    code = redemption.current_code(db_session(), found, visitor.id, now) if known else None
    left = redemption.codes_left(found) if cross and code is None else None
    session = db_session()
    waiting = cross and code is None and period is redemption.Period.CURRENT
    today_left = redemption.codes_left_today(session, found, now) if waiting else None
    unmet = None
    if waiting:
        # A browser that objected has no tap id: its code id (tt_code) never appears in a tap.
        tapped_as = visitor.id if known and not _objected() else None
        unmet = conditions.unmet(session, found, tapped_as, now)
    limit_reached = (
        waiting
        and known
        and found.per_visitor is not None
        and redemption.visitor_codes(session, found, visitor.id) >= found.per_visitor
    )
    refused = REFUSALS.get(request.args.get("refused", "")) if waiting else None
    state = hours.state(found.hours or found.shop.opening_hours, now, zone, country)
    ended = period is redemption.Period.ENDED
    status = present.status(Kind.OFFER, state.open, state.next_change, now, zone)
    html = render_template(
        "offer.html",
        offer=found,
        zone=zone,
        origin=origin,
        cross=cross,
        period=period.value,
        title=translated(found.title),
        conditions=translated(found.conditions),
        status=None if ended else status,
        state=present.state_class(Kind.OFFER, state.open),
        valid_from=formats.full_date(found.valid_from),
        valid_until=formats.full_date(found.valid_until),
        code=code,
        shown=redemption.shown(code.code) if code else None,
        qr=qr_svg(code.code, gettext("QR code of your code")) if code else None,
        code_day=formats.full_date(redemption.local_day(found, code.issued_at)) if code else None,
        used_at=formats.moment_range(code.redeemed_at, None, zone)
        if code and code.redeemed_at
        else None,
        sold_out=left == 0,
        sold_out_today=today_left == 0,
        unmet=unmet.value if unmet else None,
        limit_reached=limit_reached,
        refused=refused.value if refused else None,
        passport=found.condition is OfferCondition.PASSPORT,
        passport_typed=request.args.get("passport", "")[:20],
        place_kind=present.PLACE_KINDS.get(found.trigger_kind or "", ""),
        spot=present.whereabouts(found.shop.latitude, found.shop.longitude, origin),
        ld=jsonld.offer(found),
    )
    counted = None if visitor.sets_cookie or _objected() else visitor.id
    views.record(db_session(), found, counted, origin, now)
    response = Response(html, status=410 if ended else 200)
    if code is not None:
        response.headers["Cache-Control"] = "private, no-store"  # one visitor's code
    return response


def _objected() -> bool:
    """This browser objected to audience measurement (its cookie, or Global Privacy Control)."""
    return objects(request.cookies.get(OBJECTION_COOKIE), request.headers.get("Sec-GPC"))


def _cookie_name() -> str:
    """Where this browser's id for codes is kept: the taps' cookie, unless it objected."""
    return CODE_COOKIE if _objected() else COOKIE_NAME


def _visitor(now: dt.datetime) -> Visitor:
    """The visitor of the taps' cookie, or a new one (whose cookie the response must set)."""
    return identify(
        request.cookies.get(_cookie_name()),
        human=True,  # only used for a new id when there is no cookie, never hashed here
        address="",
        agent="",
        secret=current_app.config["VISITOR_SALT_SECRET"],
        now=now,
    )


@localized.form(bp, "/offer/<slug>/code")
def get_code(slug: str) -> BaseResponse:
    """Issue the visitor's code (or find the one issued), then show it on the offer page."""
    now = clock.now()
    visitor = _visitor(now)
    passport = request.form.get("passport", "")[:40] or None
    refused: redemption.Refusal | None = None
    try:
        secret = current_app.config["SECRET_KEY"]
        for attempt in range(ISSUE_ATTEMPTS):
            try:
                found = _agreed(slug)
                redemption.issue(
                    db_session(),
                    found,
                    visitor.id,
                    now,
                    secret,
                    attempt,
                    passport=passport,
                    has_id=not visitor.sets_cookie and not _objected(),
                )
                db_session().commit()
                break
            except IntegrityError:
                db_session().rollback()
                if attempt == ISSUE_ATTEMPTS - 1:
                    raise
            except redemption.CodeRefused as refusal:
                db_session().rollback()  # a refused UPDATE still opened SQLite's write lock
                refused = REFUSALS.get(refusal.reason)
                break  # the offer page says why (ended, no codes left, no tap today...)
    except UNAVAILABLE:
        return kept.unavailable()
    origin = request.args.get("from")
    query: dict[str, Any] = {"from": origin} if origin else {}  # `from` is a Python keyword
    if refused is not None and refused.value.startswith("passport"):
        query |= {"refused": refused.value, "passport": passport or ""}
    target = url_for("offers.offer", slug=slug, **query)
    response = redirect(target + "#code", code=303)
    if visitor.sets_cookie:
        objected = _objected()
        response.set_cookie(
            CODE_COOKIE if objected else COOKIE_NAME,
            visitor.id,
            max_age=None if objected else COOKIE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure,
        )
    return response
