"""What search engines read: /robots.txt and /sitemap.xml (a sitemap index when large).

The sitemap lists every page visitors may open now (server.services.published), in each
language, with its alternates and its last edit; it is made at each request, so an offer that
ends or a shop that is unpublished leaves it at once. robots.txt lets crawlers read the pages in
their three languages and the pictures, and keeps them out of everything else: the portal, the
API, the till, the language switch, and the stickers' own addresses (/<code>, at the root: an
Allow list, then Disallow everything).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape

from flask import Blueprint, Response, abort, current_app, url_for

from server import clock
from server.db import db_session
from server.i18n import LANGUAGES
from server.services.published import Published, pages
from server.visitor.localized import UNPREFIXED, base_url

bp = Blueprint("findable", __name__)

# Each kind of page: its endpoint, and the name of its key in the URL.
PAGES = {
    "territory": ("visitor.territory", "slug"),
    "place": ("visitor.place", "slug"),
    "shop": ("details.shop", "slug"),
    "poi": ("details.poi", "slug"),
    "walk": ("details.walk", "slug"),
    "event": ("details.event", "event_id"),
    "offer": ("offers.offer", "slug"),
}
# What crawlers may read (prefixes; Google's longest match and Python's first match agree,
# since every Allow comes before the one Disallow). "/$" is the home page's redirect (Google).
ALLOWED = (
    *(f"/{code}/" for code in LANGUAGES),
    "/$",
    # The pages' former addresses, each page's x-default: they redirect to a language.
    *("/t/", "/p/", "/shop/", "/poi/", "/walk/", "/event/", "/offer/", "/tv/"),
    *("/privacy", "/legal"),  # neither can be a sticker's code: Crockford has no I, L, O, U
    *("/img/", "/media/", "/icons/", "/visitor.js", "/manifest.webmanifest"),
    "/sitemap",
)
XMLNS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
XHTML = 'xmlns:xhtml="http://www.w3.org/1999/xhtml"'


@bp.get("/robots.txt")
def robots() -> Response:
    """Crawlers may read the pages in every language and their pictures, nothing else."""
    lines = ["User-agent: *", *(f"Allow: {path}" for path in ALLOWED), "Disallow: /", ""]
    lines.append(f"Sitemap: {base_url()}{url_for('findable.sitemap')}")
    return _text("\n".join(lines) + "\n", "text/plain")


@bp.get("/sitemap.xml")
def sitemap() -> Response:
    """Every page in every language; past the size of one file, the index of the files."""
    found = pages(db_session(), clock.now())
    chunks = _chunks(found)
    if len(chunks) <= 1:
        return _xml(_urlset(chunks[0] if chunks else []))
    entries = []
    for number, chunk in enumerate(chunks, start=1):
        loc = base_url() + url_for("findable.sitemap_part", number=number)
        lastmod = max(page.updated_at for page in chunk).isoformat(timespec="seconds")
        entries.append(f"<sitemap><loc>{escape(loc)}</loc><lastmod>{lastmod}</lastmod></sitemap>")
    body = f"<sitemapindex {XMLNS}>\n" + "\n".join(entries) + "\n</sitemapindex>\n"
    return _xml(body)


@bp.get("/sitemap-<int:number>.xml")
def sitemap_part(number: int) -> Response:
    """One file of a sitemap index."""
    chunks = _chunks(pages(db_session(), clock.now()))
    if not 1 <= number <= len(chunks) or len(chunks) == 1:
        abort(404)
    return _xml(_urlset(chunks[number - 1]))


def _chunks(found: Sequence[Published]) -> list[Sequence[Published]]:
    """The pages, cut so that no file lists more URLs than TAPTRAIL_SITEMAP_URLS (each page
    is one URL a language)."""
    per_file = max(1, int(current_app.config["SITEMAP_URLS"]) // len(LANGUAGES))
    return [found[start : start + per_file] for start in range(0, len(found), per_file)]


def _urlset(found: Sequence[Published]) -> str:
    """A <urlset> of these pages, each in every language with its alternates."""
    patterns = {kind: _pattern(endpoint, key) for kind, (endpoint, key) in PAGES.items()}
    entries: list[str] = []
    for page in found:
        head, tail, default = patterns[page.kind]
        key = quote(page.key, safe="")
        urls = [escape(f"{head}{code}/{tail}{key}") for code in LANGUAGES]
        links = "".join(
            f'<xhtml:link rel="alternate" hreflang="{code}" href="{url}"/>'
            for code, url in zip(LANGUAGES, urls, strict=True)
        )
        links += (
            f'<xhtml:link rel="alternate" hreflang="x-default" href="{escape(default + key)}"/>'
        )
        lastmod = page.updated_at.isoformat(timespec="seconds")
        entries.extend(
            f"<url><loc>{url}</loc><lastmod>{lastmod}</lastmod>{links}</url>" for url in urls
        )
    return f"<urlset {XMLNS} {XHTML}>\n" + "\n".join(entries) + "\n</urlset>\n"


def _pattern(endpoint: str, key: str) -> tuple[str, str, str]:
    """A page's absolute URL cut around its language and its key (the last segment), and its
    x-default without its key: one url_for per kind of page, not per page."""
    values: dict[str, Any] = {key: 1 if key == "event_id" else "x"}
    head, _, tail = url_for(endpoint, lang=LANGUAGES[0], **values).partition(f"/{LANGUAGES[0]}/")
    default = url_for(endpoint + UNPREFIXED, **values)
    return (
        base_url() + head + "/",
        tail.rpartition("/")[0] + "/",
        base_url() + default.rpartition("/")[0] + "/",
    )


def _xml(body: str) -> Response:
    return _text('<?xml version="1.0" encoding="UTF-8"?>\n' + body, "application/xml")


def _text(body: str, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Cache-Control"] = "no-cache"  # what leaves the site leaves this at once
    return response
