"""Every portal page (staff, administration, analytics, review, audit...) reads in French, Dutch
and English: no sentence of the portal's own is left in English on a French or Dutch page, and
no page shows a Python repr ({'fr': ...} or ['a', 'b']) to its reader."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup, Comment, NavigableString
from sqlalchemy import select

from server.db import database
from server.i18n import LANGUAGES
from server.models import Shop
from server.services import audit
from tests.server.portal.conftest import EMAILS, open_session
from tests.server.portal.test_access import TABLE, _routes, _world

# Words that make a run of text an English sentence (none of them is French or Dutch).
ENGLISH = re.compile(
    r"\b(the|of|to|is|are|and|for|with|your|this|not|yet|by|it|was|has|have|from|what|who|"
    r"when|which|how|many|you|there|been|will|can|only|its|no|none|never|new|make|save|"
    r"issue|choose|add|create|back|show|people|places|shops|taps|offers|review)\b",
    re.IGNORECASE,
)
SKIPPED = {"textarea", "script", "style", "code", "pre", "option"}
ATTRIBUTES = ("alt", "aria-label", "title", "placeholder")
# GET routes that send no HTML page to read, each with why; every other GET route of the portal
# is read in the three languages (a new one fails test_every_portal_get_route_is_read_or_excused).
NOT_PAGES = {
    "portal.photo_preview": "a JPEG",
    "portal.map_image": "a PNG map",
    "portal.manifest": "a JSON download",
    "analytics.download": "a CSV download",
    "analytics.funnel_download": "a CSV download",
    "portal.funnel_csv": "a CSV download",
    "portal.account_data_download": "a zip download",
    "portal.my_data": "a zip download",
    "portal.scanner": "a script",
}
# Who sees each page (the first role the table allows).
ORDER = ("administrator", "staff", "owner", "analyst")


def _texts(html: str) -> list[str]:
    """What a reader reads in the page's own language: text and labels, without the data that
    says it is in another language (lang=...), what people typed (class="data"), form contents
    and code."""
    soup = BeautifulSoup(html, "html.parser")
    lang = soup.html["lang"] if soup.html else "en"
    found: list[str] = []
    for node in soup.find_all(string=True):
        if isinstance(node, Comment) or not isinstance(node, NavigableString):
            continue
        parents = list(node.parents)
        classes = {name for p in parents for name in (p.get("class") or [])}
        if any(p.name in SKIPPED for p in parents) or classes & {"secret", "data"}:
            continue
        if any(p.get("lang") not in (None, lang) for p in parents if p.name != "[document]"):
            continue
        found.append(" ".join(node.split()))
    for tag in soup.find_all(True):
        found += [" ".join(str(tag[name]).split()) for name in ATTRIBUTES if tag.has_attr(name)]
    return [text for text in found if text]


def _pages(app, seed, tmp_path) -> list[tuple[str, str, str]]:
    world = _world(app, seed, tmp_path)
    with database(app).transaction() as session:  # an audit entry with a change of each shape
        shop = session.scalars(select(Shop).where(Shop.slug == "comptoir")).one()
        audit.record(
            session,
            None,
            "listing.update",
            ("shop", shop.id),
            "listing",
            {"description": [{"fr": "Un café"}, {"fr": "Un café", "en": "A café"}]},
        )
    routes = _routes(app)
    found = []
    for endpoint, (path, allowed, _scoped) in TABLE.items():
        if endpoint in NOT_PAGES or "GET" not in routes[endpoint]:
            continue
        who = next((w for w in ORDER if allowed is None or w in allowed), "administrator")
        found.append((endpoint, path.format(**world), who))
    return found


@pytest.mark.parametrize("database_kind", ["sqlite"])
def test_every_portal_get_route_is_read_or_excused(app):
    routes = {endpoint for endpoint, methods in _routes(app).items() if "GET" in methods}
    read = {endpoint for endpoint in TABLE if endpoint in routes} - set(NOT_PAGES)
    assert routes == read | set(NOT_PAGES), (
        f"add to TABLE (test_access) or NOT_PAGES: {routes - read - set(NOT_PAGES)}"
    )
    assert set(NOT_PAGES) <= routes, f"NOT_PAGES names a gone route: {set(NOT_PAGES) - routes}"


@pytest.mark.parametrize("database_kind", ["sqlite"])
def test_every_portal_page_reads_in_the_chosen_language(app, seed, tmp_path):
    clients = {}
    for lang in LANGUAGES:
        clients[lang] = {}
        for who in ORDER:
            client = app.test_client()
            client.environ_base["HTTP_ACCEPT_LANGUAGE"] = lang
            open_session(app, client, EMAILS[who])
            clients[lang][who] = client
    anonymous = {lang: app.test_client() for lang in LANGUAGES}
    for lang, client in anonymous.items():
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = lang
    left = []
    for endpoint, path, who in _pages(app, seed, tmp_path):
        public = TABLE[endpoint][1] is None
        rendered = {}
        for lang in LANGUAGES:
            client = anonymous[lang] if public else clients[lang][who]
            response = client.get(path)
            assert response.status_code in (200, 410), (endpoint, lang, response.status_code)
            html = response.get_data(as_text=True)
            assert "{'" not in html and "['" not in html, (endpoint, lang, "a repr is shown")
            rendered[lang] = html
        english = set(_texts(rendered["en"]))
        for lang in ("fr", "nl"):
            for text in _texts(rendered[lang]):
                if text in english and ENGLISH.search(text):
                    left.append((endpoint, lang, text))
    assert not left, "\n".join(f"{e} [{lang}]: {text}" for e, lang, text in left[:60])
