"""The visitor pages on every screen: axe-clean at phone, tablet and TV sizes, two columns from
a tablet up, fast on a throttled phone (Largest Contentful Paint, layout shift, first-screen
image bytes, measured through the DevTools protocol), shareable, and still there offline.

Like the other browser tests, every request is watched: one to any other host fails the test.
"""

from __future__ import annotations

import json
import shutil

import pytest

from tests.browser.conftest import ARTIFACTS, axe_sweep

PHONE = {"width": 360, "height": 740}
TABLET = {"width": 768, "height": 1024}
DESKTOP = {"width": 1440, "height": 900}
TV = {"width": 1920, "height": 1080}
SIZES = {"phone": PHONE, "tablet": TABLET, "tv": TV}
PAGES = [
    "/",
    "/t/roubaix",
    "/p/la-piscine",
    "/shop/comptoir-de-la-piscine?from=la-piscine",
    "/poi/parc-barbieux?from=la-piscine",
    "/walk/roubaix-piscine-grand-place?from=la-piscine",
    "/offer/beffroi-billet-piscine?from=la-piscine",
    "/tv/la-piscine",
]
# Lighthouse's mobile preset: a Moto G Power screen, 4x CPU slowdown, 150 ms round trips and
# 1.6 Mbit/s down, 750 kbit/s up ("slow 4G").
MOBILE = {"width": 412, "height": 823}
THROTTLE = {
    "offline": False,
    "latency": 150,
    "downloadThroughput": 1.6 * 1024 * 1024 / 8,
    "uploadThroughput": 750 * 1024 / 8,
}
CPU_SLOWDOWN = 4
# Registered before any of the page's own code runs (DevTools' addScriptToEvaluateOnNewDocument,
# which the page's Content-Security-Policy does not govern).
OBSERVE = """
window.__lcp = 0; window.__cls = 0;
new PerformanceObserver(l => { for (const e of l.getEntries()) window.__lcp = e.startTime; })
  .observe({type: 'largest-contentful-paint', buffered: true});
new PerformanceObserver(l => { for (const e of l.getEntries())
  if (!e.hadRecentInput) window.__cls += e.value; })
  .observe({type: 'layout-shift', buffered: true});
"""
FIRST_SCREEN_IMAGES = """
() => [...document.images].filter(i => i.getBoundingClientRect().top < innerHeight && i.currentSrc)
  .map(i => performance.getEntriesByName(i.currentSrc)[0])
  .reduce((sum, e) => sum + (e ? e.encodedBodySize : 0), 0)
"""


def test_no_accessibility_violation_at_any_size(open_page):
    # Reduced motion: the TV board shows every slide at once instead of fading one into the
    # next, so axe reads them all, and none mid-fade (test_the_tv_board_... checks the turning).
    page, _ = open_page("fr-FR", reduced_motion="reduce")
    found = axe_sweep(page, PAGES, sizes=SIZES)
    assert not found, found


@pytest.mark.parametrize("viewport", [TABLET, DESKTOP])
def test_tablets_and_desktops_get_the_list_beside_the_map_column(open_page, viewport):
    page, _ = open_page("en-GB", viewport=viewport)
    page.goto("/p/la-piscine")
    items = page.locator(".list-col").bounding_box()
    side = page.locator(".map-col").bounding_box()
    assert side["x"] >= items["x"] + items["width"]  # beside, not below
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


def test_a_phone_keeps_one_column(open_page):
    page, _ = open_page("en-GB", viewport=PHONE)
    page.goto("/p/la-piscine")
    items = page.locator(".list-col").bounding_box()
    assert items["width"] <= PHONE["width"] and page.locator(".map-col").bounding_box()["y"] > (
        items["y"] + items["height"] - 1
    )


@pytest.mark.quiet  # times a page load: run last, once the rest is done (tests/suite.sh)
def test_the_place_page_is_fast_on_a_throttled_phone(browser, live_server, open_page, screenshot):
    # The server draws each picture size once, at its first request, and keeps it: a visitor
    # meets that only for a photo nobody has seen yet. Measured as every later visitor finds it.
    warm, _ = open_page("en-GB", viewport=MOBILE, device_scale_factor=1.75, is_mobile=True)
    # The page's own address: a tap's redirect leads straight there (an old link adds one hop).
    warm.goto("/en/p/la-piscine")
    warm.wait_for_load_state("networkidle")
    context = browser.new_context(
        locale="en-GB",
        viewport=MOBILE,
        device_scale_factor=1.75,
        is_mobile=True,
        has_touch=True,
        base_url=live_server.url,
        service_workers="block",  # a first visit: nothing kept yet
    )
    elsewhere: list[str] = []
    context.on(
        "request",
        lambda r: not r.url.startswith(live_server.url) and elsewhere.append(r.url),
    )
    page = context.new_page()
    page.add_init_script(OBSERVE)
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.emulateNetworkConditions", THROTTLE)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    page.goto("/en/p/la-piscine", wait_until="load")
    page.wait_for_timeout(1500)  # late shifts are counted too
    lcp, cls = page.evaluate("[window.__lcp, window.__cls]")
    images = page.evaluate(FIRST_SCREEN_IMAGES)
    html = page.evaluate("performance.getEntriesByType('navigation')[0].encodedBodySize")
    screenshot(page, "place-mobile-throttled", full_page=False)
    context.close()
    figures = {"lcp_ms": round(lcp), "cls": round(cls, 4), "images": images, "html": html}
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "place-mobile-figures.json").write_text(json.dumps(figures))
    print(f"place page on a throttled phone: {figures}")
    assert not elsewhere, elsewhere
    assert 0 < lcp <= 2500, figures
    assert cls <= 0.1, figures
    assert 0 < images <= 150 * 1024, figures


def test_a_page_can_be_shared_or_its_link_copied(open_page):
    page, _ = open_page("en-GB", permissions=["clipboard-read", "clipboard-write"])
    page.goto("/p/la-piscine")
    button = page.get_by_role("button", name="Share")
    assert button.is_visible()  # the script showed it; without a script it stays hidden
    if page.evaluate("typeof navigator.share") == "function":
        pytest.skip("this Chromium shares through the system; the copy fallback is not used")
    button.click()
    page.get_by_text("Link copied").wait_for()
    assert page.evaluate("navigator.clipboard.readText()").endswith("/p/la-piscine")


def test_the_share_button_stays_hidden_without_a_script(open_page):
    page, _ = open_page("en-GB", java_script_enabled=False)
    page.goto("/p/la-piscine")
    assert not page.get_by_role("button", name="Share").is_visible()
    assert page.locator("ol.items > li").count() > 3


def test_pages_seen_and_a_saved_walk_open_offline(open_page):
    page, watch = open_page("en-GB")
    page.goto("/p/la-piscine")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now through the service worker, which keeps it
    walk = "/walk/roubaix-piscine-grand-place"
    page.goto(walk)
    page.get_by_role("button", name="Keep this walk offline").click()
    page.get_by_text("Saved: this walk opens without a network.").wait_for()
    page.goto("/p/la-piscine")  # pages seen after the walk push nothing out of the saved walk
    page.context.set_offline(True)
    page.goto(walk)
    assert page.get_by_role("heading", level=1).inner_text() != ""
    assert page.locator("ol.stops > li").count() >= 2
    page.goto("/p/la-piscine")
    assert page.locator("ol.items > li").count() > 3
    page.context.set_offline(False)
    # Closed first: a lazy image's failure can reach the console after the filter otherwise.
    page.close()
    # What failed was asked for while offline (the network's answer, not the page's fault).
    watch.errors[:] = [e for e in watch.errors if "net::ERR_" not in e]


def test_the_tv_board_is_legible_from_three_metres(open_page, screenshot):
    page, _ = open_page("fr-FR", viewport=TV)
    page.goto("/tv/la-piscine")
    first = page.locator("ol.deck > li").first
    for _ in range(30):  # the first slide fades in (polled: the page's CSP forbids eval)
        if float(first.evaluate("e => getComputedStyle(e).opacity")) > 0.95:
            break
        page.wait_for_timeout(100)
    title = page.locator("ol.deck li.card h2").first
    assert float(title.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 40
    photo = page.locator("ol.deck li.card img").first  # the cards carry their photos
    assert photo.evaluate("e => e.naturalWidth") > 0
    assert page.get_by_role("heading", name="Bons plans valables maintenant").is_visible()
    screenshot(page, "tv-board", full_page=True)
    assert page.evaluate("document.documentElement.scrollHeight") <= TV["height"] + 1


@pytest.mark.parametrize(
    ("name", "path", "viewport", "full"),
    [
        ("place-phone", "/p/la-piscine", PHONE, True),
        ("place-desktop", "/p/la-piscine", DESKTOP, False),
        ("tv", "/tv/la-piscine", TV, False),
        ("walk-desktop", "/walk/roubaix-piscine-grand-place?from=la-piscine", DESKTOP, False),
        ("shop-phone", "/shop/comptoir-de-la-piscine?from=la-piscine", PHONE, False),
    ],
)
def test_screenshots_for_the_docs(open_page, screenshot, name, path, viewport, full):
    page, _ = open_page("en-GB", viewport=viewport)
    page.goto(path)
    page.wait_for_load_state("networkidle")
    page.evaluate(
        "Promise.all([...document.images].map(i => { i.loading = 'eager';"
        " return i.decode().catch(() => null); }))"
    )
    page.wait_for_timeout(2000)  # the TV board's first slide has faded in
    kept = screenshot(page, f"docs-{name}", full_page=full)
    assert kept.stat().st_size > 10_000
    shutil.copy(kept, ARTIFACTS / f"{name}.png")
