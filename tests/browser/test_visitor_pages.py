"""The visitor pages in a real browser: a phone in three languages, the large screen, and an
accessibility check (axe-core), against the real server with the demo data."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from server.db import database
from tests.browser.conftest import SERIOUS, axe_sweep, axe_violations, tap_at_la_piscine
from tests.server.factories import PHONE
from tests.support.demo import expected_titles

LOCALES = {"fr": "fr-FR", "en": "en-GB", "nl": "nl-NL"}
CROSS = "/offer/beffroi-billet-piscine?from=la-piscine"


def _expected(live_server, lang: str, kind: str | None = None) -> list[str]:
    app = live_server.app
    with database(app).sessions() as session:
        found = expected_titles(session, "la-piscine", app.config["FIXED_NOW"], lang, kind)
    return found[: app.config["NEARBY_LIMIT"]]


@pytest.mark.parametrize("lang", LOCALES)
def test_a_phone_sees_what_is_near_in_order_in_its_language(
    open_page, live_server, screenshot, lang
):
    page, _ = open_page(LOCALES[lang])
    page.goto("/p/la-piscine")
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("ol.items > li h3").all_inner_texts() == _expected(live_server, lang)
    # Readable on a 360-pixel-wide phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    first = page.locator("ol.items > li").first
    assert first.is_visible() and first.bounding_box()["width"] <= 360
    screenshot(page, f"place-phone-{lang}")
    screenshot(page, f"place-phone-{lang}-screen", full_page=False)


def test_the_keyboard_focus_is_visible(open_page):
    page, _ = open_page("en-GB")
    page.goto("/p/la-piscine")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    assert skip.evaluate("e => e === document.activeElement") and skip.is_visible()
    box = skip.bounding_box()
    assert box["x"] >= 0 and box["y"] >= 0  # brought on screen when focused
    for _ in range(4):  # on to the brand and the language links
        page.keyboard.press("Tab")
        outline = page.evaluate(
            "() => { const s = getComputedStyle(document.activeElement);"
            " return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"
        )
        assert outline[0] != "none" and outline[1] >= 2, outline


def test_the_language_switch_is_remembered_from_page_to_page(open_page):
    page, _ = open_page("fr-FR")
    page.goto("/p/la-piscine")
    assert page.url.endswith("/fr/p/la-piscine")  # the old address leads to the browser's language
    page.get_by_role("link", name="English").click()
    page.wait_for_url("**/en/p/la-piscine")  # the switch is the page's English URL
    assert page.locator("html").get_attribute("lang") == "en"
    page.locator("ol.items a[href^='/en/shop/']").first.click()
    page.wait_for_url("**/en/shop/**")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Opening hours this week").is_visible()
    page.goto("/p/la-piscine")  # a printed link, later: the choice was remembered
    assert page.url.endswith("/en/p/la-piscine")


def test_the_category_filter_works_without_script(open_page, live_server):
    page, _ = open_page("en-GB", java_script_enabled=False)
    page.goto("/p/la-piscine")
    page.locator("nav.filters a[href$='kind=walk']").click()
    page.wait_for_url("**kind=walk")  # the filtered page loaded, not the one being left
    assert page.locator("ol.items > li h3").all_inner_texts() == _expected(
        live_server, "en", "walk"
    )
    assert page.locator("nav.filters [aria-current=page]").inner_text().startswith("Walks")


def test_a_cross_offer_code_is_shown_and_stays_the_same(live_server, open_page, screenshot):
    page, _ = open_page("en-GB", user_agent=PHONE)  # headless Chromium's own is a machine's
    tap_at_la_piscine(live_server, page)  # the offer's condition: a tap at La Piscine today
    page.goto(CROSS)
    page.get_by_role("button", name="Get my code").click()
    code = page.locator("#code ~ .code").inner_text()
    assert len(code) == 9 and code[4] == "-"
    assert page.get_by_role("img", name="QR code of your code").is_visible()
    screenshot(page, "offer-code-phone")
    page.reload()
    assert page.locator("#code ~ .code").inner_text() == code


def test_the_large_screen_view_renders_and_turns(open_page, screenshot):
    page, _ = open_page("fr-FR", viewport={"width": 1920, "height": 1080})
    page.goto("/tv/la-piscine")
    first = page.locator("ol.deck > li").first
    # The first item fades in; polled from here, since the page's CSP forbids eval'd scripts.
    for _ in range(30):
        if float(first.evaluate("e => getComputedStyle(e).opacity")) > 0.9:
            break
        page.wait_for_timeout(100)
    assert first.is_visible() and float(first.evaluate("e => getComputedStyle(e).opacity")) > 0.9
    assert (
        float(first.locator("h2").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
        > 40
    )
    assert page.get_by_role("img", name="QR code : cette page sur votre téléphone").is_visible()
    screenshot(page, "tv", full_page=False)


def test_no_serious_accessibility_problem(live_server, open_page):
    """The pages a visitor opens first, then a cross offer with its code (after a tap)."""
    page, _ = open_page("fr-FR", user_agent=PHONE)
    first = (
        "/p/la-piscine",
        "/shop/comptoir-de-la-piscine?from=la-piscine",
        "/walk/roubaix-piscine-grand-place?from=la-piscine",
        "/privacy",
    )
    found = axe_sweep(page, first, SERIOUS)
    tap_at_la_piscine(live_server, page)
    page.goto(CROSS)
    page.get_by_role("button", name="Obtenir mon code").click()  # the page with its code
    if problems := axe_violations(page, SERIOUS):
        found[CROSS] = problems
    assert not found, found


def test_a_visitor_objects_from_the_foot_of_the_place_page_and_takes_it_back(open_page, screenshot):
    page, _ = open_page("en-GB")
    page.goto("/p/la-piscine")
    page.locator(".legal").get_by_role("link", name="Privacy").click()
    assert page.url.endswith("/privacy")
    page.get_by_role("button", name="Object to audience measurement").click()
    assert "You have objected" in page.locator("#choice ~ .notice").inner_text()
    assert {c["name"] for c in page.context.cookies()} >= {"tt_object"}
    assert "tt_vid" not in {c["name"] for c in page.context.cookies()}
    screenshot(page, "privacy-phone", full_page=False)
    page.get_by_role("button", name="Take back my objection").click()
    # The answer is a new page: waited for, as a look at once may still see the one sent from.
    expect(page.get_by_role("button", name="Object to audience measurement")).to_be_visible()


@pytest.mark.parametrize("path", ["/p/la-piscine", "/walk/roubaix-piscine-grand-place"])
def test_the_street_map_is_drawn_by_our_own_server(open_page, screenshot, path):
    page, watch = open_page("en-GB")
    page.goto(path)
    image = page.locator("img.map")
    image.scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelector('img.map').complete")
    assert image.evaluate("e => e.naturalWidth") == 400  # the SVG loaded, from /map/ only
    assert [url for url in watch.requests if "/map/" in url]
    screenshot(page, "map-" + path.split("/")[1], full_page=False)
