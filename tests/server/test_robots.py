"""robots.txt keeps crawlers out of the portal, the API, the till and the stickers' addresses,
and points to the sitemap; taps stay out of search engines (X-Robots-Tag) and of the counts.

The rules are read twice: by Python's urllib.robotparser (first matching rule) and as Google
reads them (the longest matching rule, Allow winning a tie, with * and $), per
https://developers.google.com/search/docs/crawling-indexing/robots/robots_txt and RFC 9309.
"""

from __future__ import annotations

import re
import urllib.robotparser

import pytest

from server.models import Outcome
from tests.server.factories import PHONE, drained_taps, installed_sticker

BASE = "https://t.example.org"
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
READABLE = [
    "/fr/",
    "/fr/p/la-piscine",
    "/en/shop/comptoir-de-la-piscine",
    "/nl/offer/comptoir-cafe-offert",
    "/en/event/12",
    "/p/la-piscine",  # an old address: the x-default, which redirects
    "/img/3-abcdef-720.jpg",
    "/sitemap.xml",
    "/sitemap-2.xml",
]
REFUSED = [
    "/portal",
    "/portal/login",
    "/portal/shops/comptoir/till",
    "/analytics/",
    "/api/v1/places",
    "/api/v1/field/batches",
    "/lang/en?next=/",
    "/cards",
    "/healthz",
    "/map/abc.svg",
]


def _robots(client) -> str:
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    return response.text


def _google_allows(rules: str, path: str) -> bool:
    """Google's reading: the longest matching pattern decides; Allow wins a tie."""
    best: tuple[int, bool] = (-1, True)  # nothing matches: allowed
    for line in rules.splitlines():
        field, _, value = line.partition(":")
        field, value = field.strip().lower(), value.strip()
        if field not in ("allow", "disallow") or not value:
            continue
        pattern = re.escape(value).replace(r"\*", ".*")
        if pattern.endswith(r"\$"):
            pattern = pattern[:-2] + "$"
        if re.match(pattern, path):
            candidate = (len(value), field == "allow")
            if candidate[0] > best[0] or (candidate[0] == best[0] and candidate[1]):
                best = candidate
    return best[1]


def test_robots_lets_crawlers_read_the_pages_and_nothing_else(app, client):
    sticker = installed_sticker(app)
    tap_path = sticker["url"].removeprefix(BASE)
    rules = _robots(client)
    parser = urllib.robotparser.RobotFileParser()
    parser.parse(rules.splitlines())
    for path in READABLE:
        assert parser.can_fetch("Googlebot", BASE + path), path
        assert _google_allows(rules, path), path
    for path in [*REFUSED, tap_path, "/ABCDEFGHJKMN", "/abcdefghjkmn"]:
        assert not parser.can_fetch("Googlebot", BASE + path), path
        assert not _google_allows(rules, path), path
    assert _google_allows(rules, "/")  # the home page's redirect ("Allow: /$")
    assert parser.site_maps() == [f"{BASE}/sitemap.xml"]


def test_the_sitemap_line_names_the_configured_public_base(app, client):
    app.config["PUBLIC_BASE_URL"] = "https://decouvrir.example.fr/"
    assert "Sitemap: https://decouvrir.example.fr/sitemap.xml\n" in _robots(client)


@pytest.mark.parametrize("agent", [PHONE, GOOGLEBOT])
def test_taps_are_never_indexed_and_a_crawler_s_is_no_person(app, client, agent):
    sticker = installed_sticker(app)
    response = client.get(sticker["url"].removeprefix(BASE), headers={"User-Agent": agent})
    assert response.headers["X-Robots-Tag"] == "noindex"
    assert response.headers["Cache-Control"] == "no-store"
    refused = client.get("/ZZZZZZZZZZZZ", headers={"User-Agent": agent})
    assert refused.status_code == 404 and refused.headers["X-Robots-Tag"] == "noindex"
    taps = drained_taps(app)
    assert len(taps) == 2 and taps[0].outcome is Outcome.OK  # counted as taps, as before
    assert all(t.human is (agent == PHONE) for t in taps)
