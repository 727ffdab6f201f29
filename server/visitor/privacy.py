"""The privacy page and the legal notice, and objecting to audience measurement in one tap.

Audience is measured without asking for consent, under the CNIL's exemption; its conditions
are that visitors are told and can object. The privacy page says who runs the service (from the
operator settings), what is measured and for how long, and has the button: from then on this
browser's taps are answered and counted with no visitor id at all (server/tap_route.py), its
audience cookie is deleted, and a small cookie remembers the choice. A browser that sends
Global Privacy Control (`Sec-GPC: 1`) is taken as having objected, at every request.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Flask,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response as BaseResponse

from server.config import OPERATOR_FACTS
from server.taps.visitor import (
    COOKIE_MAX_AGE,
    COOKIE_NAME,
    OBJECTION_COOKIE,
    OBJECTION_MAX_AGE,
    objects,
)
from server.visitor import localized
from server.visitor.blueprint import visitor_blueprint

bp = visitor_blueprint("privacy", __name__)

RAW_MONTHS = 25  # as server/services/retention.py keeps raw rows
COOKIE_MONTHS = 13


def operator(app: Flask | None = None) -> dict[str, str]:
    """The operator's facts (TAPTRAIL_OPERATOR_NAME...) by lower-case name; unset ones empty."""
    config = (app or current_app).config
    return {fact.lower(): str(config.get(f"OPERATOR_{fact}") or "") for fact in OPERATOR_FACTS}


def _choice() -> str:
    """Whether this browser objected, and how: "gpc", "cookie", or "" (it did not)."""
    if objects(None, request.headers.get("Sec-GPC")):
        return "gpc"
    return "cookie" if objects(request.cookies.get(OBJECTION_COOKIE), None) else ""


@localized.page(bp, "/privacy")
def privacy() -> Response:
    """Who measures what, why and for how long, the visitor's rights, and the objection."""
    html = render_template(
        "privacy.html",
        operator=operator(),
        choice=_choice(),
        cookie_days=COOKIE_MAX_AGE // 86400,
        cookie_months=COOKIE_MONTHS,
        raw_months=RAW_MONTHS,
        visitor_cookie=COOKIE_NAME,
        objection_cookie=OBJECTION_COOKIE,
    )
    response = Response(html)
    response.vary.add("Sec-GPC")  # the page says whether the browser objects
    return response


@localized.page(bp, "/legal")
def legal() -> Response:
    """The legal notice (mentions légales): publisher, director of publication, host."""
    return Response(render_template("legal.html", operator=operator()))


def _from_this_site() -> bool:
    """The form was sent from one of our own pages, not by another site (a forged POST could
    otherwise switch a visitor's choice): the browser's Sec-Fetch-Site, else the Origin."""
    fetched_from = request.headers.get("Sec-Fetch-Site")
    if fetched_from is not None:
        return fetched_from in ("same-origin", "none")
    origin = request.headers.get("Origin")
    return origin is None or urlsplit(origin).netloc == request.host


@localized.form(bp, "/privacy/object")
def object_to_measurement() -> BaseResponse:
    """Object: the audience cookie goes, and a small cookie remembers the choice."""
    if not _from_this_site():
        abort(403)
    response = redirect(url_for("privacy.privacy") + "#choice", code=303)
    response.set_cookie(
        OBJECTION_COOKIE,
        "1",
        max_age=OBJECTION_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure,
    )
    response.delete_cookie(COOKIE_NAME, httponly=True, samesite="Lax", secure=request.is_secure)
    return response


@localized.form(bp, "/privacy/withdraw")
def withdraw_objection() -> BaseResponse:
    """Take the objection back: the next tap gets a new audience cookie, unlinked to the old."""
    if not _from_this_site():
        abort(403)
    response = redirect(url_for("privacy.privacy") + "#choice", code=303)
    response.delete_cookie(
        OBJECTION_COOKIE, httponly=True, samesite="Lax", secure=request.is_secure
    )
    return response
