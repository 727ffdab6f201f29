"""Where a `next` (or any return) parameter may send a visitor: a path on this site, never
another site.

Browsers read much more than `//host` as another site: `/\\host`, `\\/host`, `/<tab>/host`
(tabs and line breaks are dropped from URLs), `/%2F/host` behind proxies that decode,
fullwidth slashes after Unicode normalisation, and any scheme (`https:`, `javascript:`). So a
target is accepted only if it holds no control character, whitespace or backslash (and beyond
ASCII only letters and digits), starts with one slash and not two, and still does after
werkzeug's own encoding of the Location header and after percent-decoding and NFKC
normalisation. Anything else is replaced by a page of the site.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import quote_from_bytes, unquote, urlsplit

from werkzeug.urls import iri_to_uri

MAX_CHARS = 2048
# What a query keeps as sent: its separators, and "%" (its escapes stay as they are).
QUERY_SAFE = "!$&'()*+,/:;=?@%"


def _plain(text: str) -> bool:
    """No backslash, whitespace or control character; beyond ASCII, letters and digits only
    (no lookalike of a slash, a space or an invisible character)."""
    return all(
        (char.isascii() and char.isprintable() and char not in " \\")
        or unicodedata.category(char)[0] in "LMN"
        for char in text
    )


def same_site_path(raw: object, default: str, prefix: str = "/") -> str:
    """`raw` as a Location header value if it is a path on this site under `prefix`, else
    `default`."""
    if not isinstance(raw, str) or len(raw) > MAX_CHARS or raw.startswith("//"):
        return default
    if not raw.startswith(prefix) or not _plain(raw):
        return default
    location = iri_to_uri(raw)  # what werkzeug writes into the Location header
    parts = urlsplit(location)
    decoded = unicodedata.normalize("NFKC", unquote(location))
    if (
        parts.scheme
        or parts.netloc
        or not location.startswith(prefix)
        or location.startswith("//")
        or decoded.startswith("//")
        or not _plain(decoded)
    ):
        return default
    return location


def query_suffix(raw: bytes) -> str:
    """A request's raw query as "?..." in ASCII, or "" when it has none.

    The bytes a browser would have escaped (beyond ASCII, spaces, controls) are escaped here,
    so the query goes into a link or a Location header as it came: decoding it (as Latin-1)
    and letting werkzeug encode the text again as UTF-8 would turn "é" into "Ã©".
    """
    return f"?{quote_from_bytes(raw, safe=QUERY_SAFE)}" if raw else ""
