"""A `next` parameter only ever leads to a path on this site: the language switch and the
portal's sign-in, against known open-redirect bypasses."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import pytest

from server.web.targets import same_site_path
from tests.server.portal.conftest import EMAILS, Browser, seed_portal

# Each leads off the site in some browser, proxy or normalisation, or is not a path at all.
BYPASSES = [
    "//evil.example",
    "///evil.example",
    "/\t/evil.example",
    "/\r\n/evil.example",
    "/\n/evil.example",
    "\t//evil.example",
    " //evil.example",
    "/\\evil.example",
    "\\/evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "%2F%2Fevil.example",
    "/%2F/evil.example",
    "/%2f%2fevil.example",
    "/%5Cevil.example",
    "/%09/evil.example",
    "/%0D%0A/evil.example",
    "https:evil.example",
    "https://evil.example",
    "https:/evil.example",
    "HTTPS://evil.example/portal/",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "/\uff0f/evil.example",  # fullwidth solidus
    "/\uff3cevil.example",  # fullwidth reverse solidus
    "/\u2215/evil.example",  # division slash
    "/\u2044/evil.example",  # fraction slash
    "/\u3000/evil.example",  # ideographic space
    "/\u200b/evil.example",  # zero-width space
    "/\u202e/evil.example",  # right-to-left override
    "/\x00/evil.example",
    "evil.example",
    "",
]
PAGES = ["/", "/p/la-piscine", "/p/la-piscine?kind=shop", "/shop/comptoir?from=la-piscine"]


def leads_off_site(location: str) -> bool:
    """Would a browser following this Location leave the site? (It drops tabs and line breaks,
    and reads backslashes as slashes.)"""
    seen = location.replace("\t", "").replace("\r", "").replace("\n", "").replace("\\", "/")
    parts = urlsplit(seen.strip())
    return bool(parts.scheme or parts.netloc) or seen.strip().startswith("//")


@pytest.mark.parametrize("raw", BYPASSES)
def test_the_helper_replaces_every_bypass_by_the_default(raw):
    assert same_site_path(raw, "/home") == "/home"
    assert same_site_path(raw, "/portal/", prefix="/portal/") == "/portal/"


@pytest.mark.parametrize("page", PAGES)
def test_the_helper_keeps_a_page_of_the_site(page):
    assert same_site_path(page, "/home") == page
    assert same_site_path("/p/caf\u00e9", "/home") == "/p/caf%C3%A9"  # as werkzeug writes it
    assert same_site_path("/portal/shops/comptoir/", "/", prefix="/portal/") == (
        "/portal/shops/comptoir/"
    )
    assert same_site_path("/p/la-piscine", "/portal/", prefix="/portal/") == "/portal/"


@pytest.mark.parametrize("raw", BYPASSES)
@pytest.mark.parametrize("database_kind", ["sqlite"])
def test_the_language_switch_never_leads_off_the_site(client, raw):
    response = client.get(f"/lang/en?next={quote(raw, safe='')}")
    assert response.status_code in (303, 400)  # 400: a control character, refused at the edge
    if response.status_code == 303:
        assert response.headers["Location"] == "/en/"  # the home page, in the language chosen
    for location in response.headers.get_all("Location"):
        assert not leads_off_site(location)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("database_kind", ["sqlite"])
def test_the_language_switch_goes_back_to_the_page(client, page):
    response = client.get(f"/lang/nl?next={quote(page, safe='')}")
    assert response.status_code == 303 and response.headers["Location"] == page
    assert "tt_lang=nl" in response.headers["Set-Cookie"]


@pytest.mark.parametrize("raw", [*BYPASSES, "/p/la-piscine", "/portal\\..\\/evil.example"])
@pytest.mark.parametrize("database_kind", ["sqlite"])
def test_signing_in_never_leads_off_the_portal(app, raw):
    seed_portal(app)
    browser = Browser(app.test_client())
    form = {"email": EMAILS["owner"], "password": "correct horse battery"}
    response = browser.post("/portal/login", {**form, "next": raw})
    assert response.status_code in (303, 400)
    if response.status_code == 303:
        assert response.headers["Location"] == "/portal/"
    shown = browser.get(f"/portal/login?next={quote(raw, safe='')}")
    assert 'href="//' not in shown.get_data(as_text=True)
    back = browser.post("/portal/login", {**form, "next": "/portal/till"})
    assert back.status_code == 303 and back.headers["Location"] == "/portal/till"
