"""The demo's brand in a real browser: the logo loads from our server under its policy, the
brand's colours are applied, and axe finds no serious problem on pages of either brand."""

from __future__ import annotations

from server.services import branding
from tests.browser.conftest import SERIOUS, axe_sweep


def _rgb(colour: str) -> str:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({red}, {green}, {blue})"


def test_the_demo_s_logo_and_colours_show_in_the_page(live_server, open_page):
    brand = branding.of_app(live_server.app.extensions)
    page, watch = open_page("fr-FR")
    page.goto("/p/la-piscine")
    logo = page.locator("header .brand img")
    assert logo.evaluate("img => img.complete && img.naturalWidth > 0")  # drawn, not refused
    assert page.locator("header .brand").inner_text().strip() == "Sortir à Lille (démo)"
    link = page.locator("main a").first
    assert link.evaluate("a => getComputedStyle(a).color") == _rgb(brand.primary_color)
    assert any(url.endswith("/brand/logo.svg") for url in watch.requests)
    footer = page.locator("nav.legal .by").inner_text()
    assert footer == "Sortir à Lille (démo), un service de Métropole de Lille-Démo"


def test_a_territory_s_own_colours_show_on_its_pages(open_page):
    page, _ = open_page("fr-FR")
    page.goto("/t/weppes")
    assert page.locator("header .brand").inner_text().strip() == "Balades dans les Weppes (démo)"
    link = page.locator("main a").first
    assert link.evaluate("a => getComputedStyle(a).color") == _rgb("#2e6b30")


def test_no_serious_accessibility_problem_under_either_brand(open_page):
    page, _ = open_page("fr-FR")
    paths = ("/", "/t/weppes", "/p/musee-bataille-fromelles", "/tv/la-piscine")
    found = axe_sweep(page, paths, SERIOUS)
    assert not found, found
