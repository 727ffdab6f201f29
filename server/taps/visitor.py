"""Visitor ids for unique-visitor counts, without consent banners (CNIL audience measurement).

A person's browser gets a random first-party cookie: no personal data in it, first-party only,
HttpOnly, SameSite=Lax, Secure behind HTTPS, and it lives at most 13 months. It is set once and
never extended (CNIL: no automatic extension on later visits). The id recorded with a tap is the
cookie's value, including on the very first tap, so a museum visitor's first tap and the shop
tap that follows share one id.

Requests that do not keep cookies (link previews, crawlers, HEAD, prefetches) get no cookie; they
are counted by a hash of address and user agent under a salt that changes every UTC day, so they
can be told apart within a day and not linked across days. The address itself is never stored.

A visitor may object (the privacy page's button, or the browser's Global Privacy Control,
`Sec-GPC: 1`): their taps are still answered and counted, with no id at all, so they count as
taps and never as a unique visitor or in a journey. A small cookie remembers the objection.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from server.models.taps import VisitorKind

COOKIE_NAME = "tt_vid"
COOKIE_MAX_AGE = int(dt.timedelta(days=390).total_seconds())  # under 13 months
# The objection is remembered as long as the audience cookie would have lived.
OBJECTION_COOKIE = "tt_object"
OBJECTION_MAX_AGE = COOKIE_MAX_AGE
_COOKIE_VALUE = re.compile(r"[0-9a-f]{32}")  # 128 random bits in hex


@dataclass(frozen=True)
class Visitor:
    """The id recorded with a tap, where it came from, and a cookie to set if new."""

    id: str
    kind: VisitorKind

    @property
    def sets_cookie(self) -> bool:
        """The response must carry a freshly minted cookie."""
        return self.kind is VisitorKind.NEW


def objects(objection_cookie: str | None, gpc_header: str | None) -> bool:
    """The browser objected to audience measurement: our cookie, or Global Privacy Control."""
    # GPC's only defined value is "1"; anything else is no signal (the spec, section 3.1).
    return objection_cookie == "1" or (gpc_header or "").strip() == "1"


def new_cookie_value() -> str:
    """128 random bits, in hex."""
    return secrets.token_hex(16)


def daily_salt(secret: str, day: dt.date) -> bytes:
    """The salt of one UTC day, derived from the secret (nothing to store or share)."""
    return hmac.new(secret.encode(), b"visitor-salt/" + day.isoformat().encode(), "sha256").digest()


def hashed_id(salt: bytes, address: str, agent: str) -> str:
    """A day-scoped pseudonym for requests without a cookie (address and agent, salted)."""
    digest = hmac.new(salt, f"{address}\0{agent}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:15]).decode().lower()  # 24 characters


def identify(
    cookie: str | None,
    *,
    human: bool,
    address: str,
    agent: str,
    secret: str,
    now: dt.datetime,
) -> Visitor:
    """Choose the visitor id for one request."""
    if cookie and _COOKIE_VALUE.fullmatch(cookie):
        return Visitor(cookie, VisitorKind.COOKIE)
    if human:
        return Visitor(new_cookie_value(), VisitorKind.NEW)
    return Visitor(hashed_id(daily_salt(secret, now.date()), address, agent), VisitorKind.HASH)
