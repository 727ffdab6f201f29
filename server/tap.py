"""The tap: verify the code, classify the request, record the tap, send the visitor on."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import time
from typing import Any

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for

from server.config import keyring
from server.models import Outcome
from server.taps.classify import Classification, classify
from server.taps.recorder import recorder
from server.taps.stickers import DirectoryUnavailable, StickerDirectory, StickerInfo
from server.taps.visitor import COOKIE_MAX_AGE, COOKIE_NAME, Visitor, identify
from tags import codes
from tags.urls import MIRROR_PARAM, UrlError, parse_mirror

log = logging.getLogger(__name__)
bp = Blueprint("tap", __name__)

MAX_CODE_CHARS = 64  # longer paths are recorded truncated
GONE = {Outcome.REVOKED_KEY, Outcome.RETIRED_STICKER}


def new_tap_id(now_ns: int) -> str:
    """A unique, time-ordered id: microseconds since 1970 and 72 random bits, in hex."""
    return f"{now_ns // 1000:014x}{secrets.token_hex(9)}"


@bp.route("/<code>", methods=["GET", "HEAD"])
def tap(code: str) -> Response:
    """Every request on a short path, valid or not, people and machines alike."""
    now_ns = time.time_ns()
    now = dt.datetime.fromtimestamp(now_ns / 1e9, dt.UTC)
    outcome, tag_id, shown_code = _verify(code)
    seen = classify(request.method, request.headers)
    visitor = identify(
        request.cookies.get(COOKIE_NAME),
        human=seen.human,
        address=request.remote_addr or "",
        agent=request.headers.get("User-Agent", ""),
        secret=current_app.config["VISITOR_SALT_SECRET"],
        now=now,
    )
    sticker: StickerInfo | None = None
    unavailable = False
    if outcome is Outcome.OK:
        try:
            sticker = directory().get(tag_id) if tag_id is not None else None
            if sticker is None:
                outcome = Outcome.UNKNOWN_STICKER
            elif sticker.status == "retired":
                outcome = Outcome.RETIRED_STICKER
        except DirectoryUnavailable:
            unavailable = True  # recorded as ok; the drainer resolves the sticker later
    _record(now_ns, now, shown_code, tag_id, outcome, seen, visitor)
    response = _respond(outcome, seen, sticker, unavailable)
    response.headers["Cache-Control"] = "no-store"  # a cached redirect would hide the next tap
    if visitor.sets_cookie:
        response.set_cookie(
            COOKIE_NAME,
            visitor.id,
            max_age=COOKIE_MAX_AGE,
            secure=request.is_secure,
            httponly=True,
            samesite="Lax",
        )
    return response


def directory() -> StickerDirectory:
    """The app's sticker directory."""
    return current_app.extensions["taptrail.stickers"]


def _verify(code: str) -> tuple[Outcome, int | None, str]:
    try:
        tag_id = codes.verify(keyring(), code)
    except codes.CodeError as error:
        return Outcome(error.reason.value), None, code[:MAX_CODE_CHARS]
    return Outcome.OK, tag_id, codes.canonical(code)


def _mirror() -> dict[str, Any]:
    value = request.args.get(MIRROR_PARAM) or request.args.get(MIRROR_PARAM.lower())
    if not value:
        return {}
    try:
        mirrored = parse_mirror(value)
    except UrlError as error:
        return {"mirror_error": str(error)[:120]}
    if mirrored is None:
        return {}
    return {"mirror_uid": mirrored.uid_hex, "mirror_counter": mirrored.counter}


def _record(
    now_ns: int,
    now: dt.datetime,
    code: str,
    tag_id: int | None,
    outcome: Outcome,
    seen: Classification,
    visitor: Visitor,
) -> None:
    language = request.accept_languages.best
    tap = {
        "id": new_tap_id(now_ns),
        "at": now.isoformat(),
        "code": code,
        "tag_id": tag_id,
        "outcome": outcome.value,
        "visitor_id": visitor.id,
        "visitor_kind": visitor.kind.value,
        "human": seen.human,
        "reason": seen.reason,
        "browser": seen.browser,
        "language": language[:16] if language else None,
        "method": request.method,
        **_mirror(),
    }
    try:
        recorder(current_app).record(tap)
    except Exception:  # the visitor comes first: serve the page even if this tap is lost
        log.exception("tap %s could not be recorded", tap["id"])


def _respond(
    outcome: Outcome, seen: Classification, sticker: StickerInfo | None, unavailable: bool
) -> Response:
    if outcome is not Outcome.OK:
        status = 410 if outcome in GONE else 404
        home = (
            url_for("visitor.territory", slug=sticker.territory_slug)
            if sticker
            else url_for("visitor.home")
        )
        page = render_template("tap_refused.html", outcome=outcome, gone=status == 410, home=home)
        return Response(page, status=status)
    if sticker is None:  # the database is away and this sticker was never seen here
        return Response(render_template("unavailable.html"), status=503)
    destination = sticker.target_url or url_for("visitor.place", slug=sticker.place_slug)
    if seen.preview:
        page = render_template("preview.html", sticker=sticker, destination=destination)
        return Response(page, status=200)
    return redirect(destination, code=303)
