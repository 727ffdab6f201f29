"""The tap route, /<code>: verify the code, classify the request, record the tap, send the
visitor on (the spool, drainer and storage behind it are server.taps)."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import logging
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    render_template,
    request,
    url_for,
)
from werkzeug.datastructures import ImmutableMultiDict, LanguageAccept, MultiDict
from werkzeug.http import HTTP_STATUS_CODES, parse_accept_header
from werkzeug.sansio.http import parse_cookie
from werkzeug.urls import iri_to_uri
from werkzeug.utils import redirect as werkzeug_redirect

from server.clock import machine_now
from server.config import keyring
from server.db import UNAVAILABLE, db_session
from server.i18n import COOKIE_NAME as LANGUAGE_COOKIE
from server.i18n import choose_locale
from server.models import Outcome, VisitorKind
from server.taps.classify import Classification, classify_environ
from server.taps.recorder import recorder
from server.taps.stickers import DirectoryUnavailable, StickerInfo
from server.taps.sun import NO_SUN, SUN_CHIP, SUN_MESSAGE, locate
from server.taps.visitor import (
    COOKIE_MAX_AGE,
    COOKIE_NAME,
    OBJECTION_COOKIE,
    identify,
    objects,
)
from server.visitor import pictures as covers
from tags import codes
from tags.keyring import Keyring
from tags.ntag424.layout import QR_LABEL_PREFIX
from tags.ntag424.sun import SunError
from tags.urls import MIRROR_PARAM, UrlError, parse_mirror

log = logging.getLogger(__name__)
bp = Blueprint("tap", __name__)

MAX_CODE_CHARS = 64  # longer paths are recorded truncated
VERIFIED_CODES = 65536  # memoised verdicts; bounded so made-up codes cannot fill memory
# Max-Age alone sets the lifetime (every browser since IE 11 honours it); never extended.
_COOKIE_FLAGS = f"Max-Age={COOKIE_MAX_AGE}; Path=/; HttpOnly; SameSite=Lax"
_EXPIRED_COOKIE = f"{COOKIE_NAME}=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax"
OBJECTED_KIND = VisitorKind.OBJECTED.value
GONE = {Outcome.REVOKED_KEY, Outcome.RETIRED_STICKER}
NO_STORE = "no-store"  # on every answer: a cached redirect would hide the next tap
NOINDEX = "noindex"  # on every answer too: a sticker's address is no page for search engines
HTML = "text/html; charset=utf-8"
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
MICROSECOND = dt.timedelta(microseconds=1)
QR_SCAN_MARK = "taptrail.qr_scan"  # in the WSGI environ of a request on a QR label's URL
# In the WSGI environ of a tap the front decided but left to Flask (a page to render, a URL not
# built yet): the view takes that decision instead of verifying and classifying it again.
DECIDED = "taptrail.tap_decision"
SEE_OTHER = f"303 {HTTP_STATUS_CODES[303].upper()}"  # the status line werkzeug writes
_NO_COOKIES: MultiDict[str, str] = ImmutableMultiDict()


class _TapIds:
    """Where tap ids get their uniqueness: a random tag per process and a counter within it."""

    def __init__(self) -> None:
        self.renew()

    def renew(self) -> None:
        """A new 48-bit tag (also in each forked child, which must not share its parent's)."""
        self.tag = secrets.token_hex(6)
        self.counter = itertools.count()  # next() on it is atomic: safe with threaded workers


_ids = _TapIds()
os.register_at_fork(after_in_child=_ids.renew)


def new_tap_id(now: dt.datetime) -> str:
    """A unique, time-ordered id: microseconds since 1970, the process tag, a counter, in hex.

    Ids must be unique, not secret, so no per-tap call for randomness: two taps share an id only
    if two processes drew the same 48-bit tag and their counters met in the same microsecond.
    """
    serial = next(_ids.counter) % 0x1000000
    return f"{(now - EPOCH) // MICROSECOND:014x}{_ids.tag}{serial:06x}"


@dataclass(frozen=True, slots=True)
class Decision:
    """What a request on a short path gets: the tap to record and what to answer.

    Made by decide(), which neither records nor answers: the Flask view and the lean WSGI
    front (server/tap_front.py) both act on it, so they cannot drift apart.
    """

    record: dict[str, Any]  # the tap as spooled
    shown: Outcome  # the outcome the visitor sees (a bad SUN message still leads on)
    seen: Classification
    sticker: StickerInfo | None
    cookie: str | None  # a Set-Cookie value, when the answer carries one
    lang: str  # the language of the page the tap leads to

    @property
    def redirects(self) -> bool:
        """The answer is the redirect to the sticker's destination (nearly every tap)."""
        return self.shown is Outcome.OK and self.sticker is not None and not self.seen.preview


@dataclass(frozen=True, slots=True)
class Redirect:
    """A finished 303 answer: WSGI status line, headers and body."""

    status: str
    headers: list[tuple[str, str]]
    body: bytes


@bp.route("/<code>", methods=["GET", "HEAD"])
def tap(code: str) -> Response:
    """Every request on a short path, valid or not, people and machines alike."""
    # The request and app proxies are resolved once; request facts are read from the WSGI
    # environ (after ProxyFix, when configured), as server/tap_front.py does in front of Flask.
    # (Flask types its proxies as the objects they stand for, without _get_current_object.)
    req, app = request._get_current_object(), current_app._get_current_object()  # type: ignore[attr-defined]
    decision = req.environ.pop(DECIDED, None) or decide(app, req.environ, code)
    keep(app, decision)
    if decision.redirects:
        assert decision.sticker is not None  # for mypy: redirects says so
        answer = redirect(decision, _destination(app, decision.sticker, decision.lang))
        return Response(answer.body, answer.status, answer.headers)
    return _respond(app, decision.shown, decision.sticker, decision.cookie, decision.lang)


def decide(app: Flask, environ: dict[str, Any], code: str) -> Decision:
    """Verify, classify and identify one request on a short path; record nothing, answer nothing."""
    # The machine's clock, like the spool and the drainer that compare tap times with theirs.
    now = machine_now()
    outcome, tag_id, shown_code = _verify(app, code)
    seen = classify_environ(environ)
    cookies = _cookies(environ["HTTP_COOKIE"]) if "HTTP_COOKIE" in environ else _NO_COOKIES
    objected = objects(cookies.get(OBJECTION_COOKIE), environ.get("HTTP_SEC_GPC"))
    visitor = (
        None  # no id at all: counted as a tap, never as a visitor
        if objected
        else identify(
            cookies.get(COOKIE_NAME),
            human=seen.human,
            address=environ.get("REMOTE_ADDR") or "",
            agent=environ.get("HTTP_USER_AGENT", ""),
            secret=app.config["VISITOR_SALT_SECRET"],
            now=now,
        )
    )
    sticker: StickerInfo | None = None
    if outcome is Outcome.OK and tag_id is not None:
        try:
            sticker = app.extensions["taptrail.stickers"].get(tag_id)
            if sticker is None:
                outcome = Outcome.UNKNOWN_STICKER
            elif sticker.status == "retired":
                outcome = Outcome.RETIRED_STICKER
        except DirectoryUnavailable:
            pass  # recorded as ok; the drainer resolves the sticker when the database is back
    query = environ.get("QUERY_STRING", "")
    sun: dict[str, Any] = {}
    if outcome is Outcome.OK and tag_id is not None:
        if QR_SCAN_MARK in environ:  # a printed QR label: no SUN message to check
            outcome = Outcome.QR_SCAN
        else:
            sun = _sun(shown_code, query, sticker)
            if sun.get("outcome"):
                outcome = sun.pop("outcome")
    tap_record = {
        "id": new_tap_id(now),
        "at": now.isoformat(),
        "code": shown_code,
        "tag_id": tag_id,
        "outcome": outcome.value,
        "visitor_id": visitor.id if visitor else None,
        "visitor_kind": visitor.kind.value if visitor else OBJECTED_KIND,
        "human": seen.human,
        "reason": seen.reason,
        "browser": seen.browser,
        "language": _language(environ.get("HTTP_ACCEPT_LANGUAGE", "")),
        "method": environ["REQUEST_METHOD"],
        **(sun or _mirror(query)),
    }
    cookie = None
    if visitor is not None and visitor.sets_cookie:
        cookie = _cookie(visitor.id, environ["wsgi.url_scheme"] == "https")
    elif objected and COOKIE_NAME in cookies:
        cookie = _EXPIRED_COOKIE  # an objection deletes the audience cookie it finds
    # A SUN tap that proves nothing, or a QR label's scan, still leads to the sticker's (public)
    # page: only its count is refused, and that is decided where the tap is stored.
    shown = Outcome.OK if outcome is Outcome.BAD_SUN or outcome is Outcome.QR_SCAN else outcome
    # Straight to the place page in the visitor's language: no second redirect on the way.
    lang = _page_language(cookies.get(LANGUAGE_COOKIE), environ.get("HTTP_ACCEPT_LANGUAGE"))
    return Decision(tap_record, shown, seen, sticker, cookie, lang)


def keep(app: Flask, decision: Decision) -> None:
    """Spool the decided tap; a tap that cannot be kept is logged and the visitor still served."""
    try:
        recorder(app).record(decision.record)
    except Exception:  # the visitor comes first: serve the page even if this tap is lost
        log.exception("tap %s could not be recorded", decision.record["id"])


def redirect(decision: Decision, destination: str) -> Redirect:
    """The 303 to `destination`: the response flask.redirect() makes, with our two headers
    and the visitor's new cookie, in the order werkzeug writes them.

    Built in one go from a cached body: a sticker sends its visitors to the same few places.
    """
    location, body, length = _redirect_parts(destination)
    headers = [("Location", location), ("Cache-Control", NO_STORE), ("X-Robots-Tag", NOINDEX)]
    if decision.cookie:
        headers.append(("Set-Cookie", decision.cookie))
    headers += (("Content-Type", HTML), ("Content-Length", length))
    return Redirect(SEE_OTHER, headers, body)


def known_destination(app: Flask, decision: Decision, script_root: str) -> str | None:
    """Where a redirecting decision leads, if known without Flask's URL building (else None)."""
    sticker = decision.sticker
    if sticker is None:
        return None
    if sticker.target_url:
        return sticker.target_url
    # The URL _place_url built for the Flask view, under the key it uses.
    return app.extensions["taptrail.place_urls"].get(
        (script_root, decision.lang, sticker.place_slug)
    )


@bp.route(f"/{QR_LABEL_PREFIX}/<code>", methods=["GET", "HEAD"])
@bp.route(f"/{QR_LABEL_PREFIX.lower()}/<code>", methods=["GET", "HEAD"])
def qr_scan(code: str) -> Response:
    """/Q/<code>: a scan of an NTAG 424 DNA's printed QR label (tagwriter labels): the visitor goes
    where a tap goes; recorded as a QR scan, never as a tap nor as a bad SUN message, since a
    label printed once cannot carry the SUN message that changes at every tap."""
    request.environ[QR_SCAN_MARK] = True
    return tap(code)


@functools.lru_cache(maxsize=VERIFIED_CODES)
def _key_id(code: str) -> int:
    """The key id of a verified code (memoised: a sticker is tapped again and again)."""
    return codes.split(code)[0]


def _sun(code: str, query: str, sticker: StickerInfo | None) -> dict[str, Any]:
    """The SUN fields of a tap record: the message found, spooled for the drainer to check;
    BAD_SUN at once when there is no message to check.

    Without SUN parameters, nothing, unless the sticker is an NTAG 424 DNA (whose every tap
    must carry one: a URL stripped of them proves nothing). The message is checked in the
    drainer (server/taps/sun_verdict.py): the answer never depends on it, a bad message leading
    on like a good one, so its AES and CMAC work is kept off the answer's path.
    """
    expected = sticker is not None and sticker.chip == SUN_CHIP
    if not expected and "=" not in query:
        return {}
    try:
        message = locate(query)
        if message is None:
            if not expected:
                return {}
            raise SunError(NO_SUN)
    except SunError as error:
        return {"outcome": Outcome.BAD_SUN, "mirror_error": str(error)[:120]}
    message["kid"] = _key_id(code)
    return {SUN_MESSAGE: message}


def _cookie(value: str, secure: bool) -> str:
    """The visitor cookie header, written out directly (werkzeug's builder is slower here)."""
    return f"{COOKIE_NAME}={value}; {_COOKIE_FLAGS}{'; Secure' if secure else ''}"


def _verify(app: Flask, code: str) -> tuple[Outcome, int | None, str]:
    verifier = app.extensions.get("taptrail.verifier")
    if verifier is None:  # one per app: its answers hold for the keyring it was made with
        verifier = app.extensions["taptrail.verifier"] = _verifier(keyring(app))
    return verifier(code[:MAX_CODE_CHARS])


def _verifier(ring: Keyring) -> Callable[[str], tuple[Outcome, int | None, str]]:
    """Code verification, memoised: a sticker is tapped again and again with the same code."""

    @functools.lru_cache(maxsize=VERIFIED_CODES)
    def verify(code: str) -> tuple[Outcome, int | None, str]:
        try:
            tag_id = codes.verify(ring, code)
        except codes.CodeError as error:
            return Outcome(error.reason.value), None, code
        return Outcome.OK, tag_id, codes.canonical(code)

    return verify


def _place_url(app: Flask, slug: str, lang: str) -> str:
    urls = app.extensions["taptrail.place_urls"]  # this app's: its URL map made them
    key = (request.script_root, lang, slug)
    cached = urls.get(key)
    if cached is None:
        cached = urls[key] = url_for("visitor.place", slug=slug, lang=lang)
    return cached


@functools.lru_cache(maxsize=1024)
def _page_language(chosen: str | None, header: str | None) -> str:
    """The language of the page a tap leads to: the visitor's choice (tt_lang), else the
    browser's, else French, as for any visitor page (server.i18n)."""
    return choose_locale(chosen, header).split("_")[0]


def _cookies(header: str) -> MultiDict[str, str]:
    """The request's cookies, parsed as Flask's request.cookies parses them."""
    return parse_cookie(header, ImmutableMultiDict)


def _mirror(query: str) -> dict[str, Any]:
    if not query:
        return {}
    # Parsed as Flask's request.args parses a query string (invalid bytes stay escaped).
    args = ImmutableMultiDict(
        parse_qsl(
            query.encode("latin-1").decode(), keep_blank_values=True, errors="werkzeug.url_quote"
        )
    )
    value = args.get(MIRROR_PARAM) or args.get(MIRROR_PARAM.lower())
    if not value:
        return {}
    try:
        mirrored = parse_mirror(value)
    except UrlError as error:
        return {"mirror_error": str(error)[:120]}
    if mirrored is None:
        return {}
    return {"mirror_uid": mirrored.uid_hex, "mirror_counter": mirrored.counter}


@functools.lru_cache(maxsize=1024)
def _language(header: str) -> str | None:
    """The preferred language of an Accept-Language header (a few headers make most taps)."""
    best = parse_accept_header(header, LanguageAccept).best if header else None
    return best[:16] if best else None


def _respond(
    app: Flask,
    outcome: Outcome,
    sticker: StickerInfo | None,
    cookie: str | None,
    lang: str,
) -> Response:
    """A page in answer to a request on a short path (a refusal, a link preview, the database
    away): never cached nor indexed, with the visitor's new cookie."""
    response = _page(app, outcome, sticker, lang)
    response.headers["Cache-Control"] = NO_STORE
    response.headers["X-Robots-Tag"] = NOINDEX
    if cookie:
        response.headers.add("Set-Cookie", cookie)
    return response


def _page(app: Flask, outcome: Outcome, sticker: StickerInfo | None, lang: str) -> Response:
    if outcome is not Outcome.OK:
        status = 410 if outcome in GONE else 404
        home = (
            url_for("visitor.territory", slug=sticker.territory_slug)
            if sticker
            else url_for("visitor.home")
        )
        page = render_template(
            "tap_refused.html", outcome=outcome, gone=status == 410, home=home, sticker=sticker
        )
        return Response(page, status=status)
    if sticker is None:  # the database is away and this sticker was never seen here
        return Response(render_template("unavailable.html"), status=503)
    # A link preview: a page with Open Graph tags instead of the redirect.
    page = render_template(
        "preview.html",
        sticker=sticker,
        destination=_destination(app, sticker, lang),
        og_image=_cover(app, sticker.place_slug),
    )
    return Response(page, status=200)


def _cover(app: Flask, place_slug: str) -> str | None:
    """The place's cover for a link preview's card, kept as long as a sticker is kept (a shared
    link brings a burst of previews); the last one known, or none, when the database is away
    (a preview is never worth failing for)."""
    held: dict[str, tuple[float, str | None]] = app.extensions.setdefault("taptrail.covers", {})
    now, kept = time.monotonic(), held.get(place_slug)
    if kept is not None and now - kept[0] < float(app.config["STICKER_CACHE_SECONDS"]):
        return kept[1]
    try:
        cover = covers.cover_image(db_session(), place_slug)
    except UNAVAILABLE:
        db_session().rollback()
        return kept[1] if kept else None
    held[place_slug] = (now, cover)  # one entry per place: bounded by the places that exist
    return cover


def _destination(app: Flask, sticker: StickerInfo, lang: str) -> str:
    """Where a sticker sends its visitors: its own target, else its place's page in `lang`."""
    return sticker.target_url or _place_url(app, sticker.place_slug, lang)


@functools.lru_cache(maxsize=4096)
def _redirect_parts(destination: str) -> tuple[str, bytes, str]:
    """The Location value (as werkzeug sends it), the little HTML body that werkzeug's
    redirect() gives, and its length."""
    reference = werkzeug_redirect(destination, 303)
    body = reference.get_data()
    return iri_to_uri(reference.headers["Location"]), body, str(len(body))
