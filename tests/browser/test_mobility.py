"""The place page and the large screen with live figures, in Chromium: the demo server serves
its own feeds, its poller reads them over HTTP, and the pages show bikes, car parks and
departures with their ages, asking nothing of any other host."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import yaml

from server import create_app
from server.demo import demo_file
from server.mobility import feeds
from server.mobility.live import Mobility, mobility
from server.mobility.poller import PollerLoop
from tags.keyring import Keyring
from tests.browser.conftest import PHONE, watched
from tests.server.conftest import settings
from tests.support.demo import SATURDAY, Demo, next_local
from tests.support.live_server import serving

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")
TV = {"width": 1280, "height": 720}


@pytest.fixture(scope="module")
def moving_server(tmp_path_factory, keyring: Keyring, demo_sqlite: Demo) -> Iterator[str]:
    """The demo served with its live feeds, polled once."""
    folder = tmp_path_factory.mktemp("moving")
    url = demo_sqlite.copy_sqlite(folder)
    app = create_app(
        settings(folder, url, keyring, FIXED_NOW=next_local(SATURDAY, 15), DEMO_FEEDS=True)
    )
    with serving(app) as base:
        document = yaml.safe_load(demo_file("feeds.yaml").read_text())
        for entry in document["feeds"]:
            for key in ("url", "table_url"):
                if key in entry:
                    entry[key] = entry[key].replace("http://127.0.0.1:8000", base)
        (folder / "feeds.yaml").write_text(yaml.safe_dump(document))
        configured = feeds.load(folder / "feeds.yaml")
        live = Mobility(configured, mobility(app).store)
        app.extensions["taptrail.mobility"] = live
        loop = PollerLoop(configured, live.store)
        assert all(loop.poll(feed) for feed in configured)
        yield base


def open_watched(browser, base, viewport, locale="fr-FR"):
    context = browser.new_context(locale=locale, viewport=viewport, base_url=base)
    page, watch = watched(context, urlsplit(base).netloc)
    return context, page, watch


def test_the_place_page_shows_live_figures_with_their_age(browser, moving_server, screenshot):
    context, page, watch = open_watched(browser, moving_server, PHONE)
    page.goto("/p/la-piscine")
    block = page.locator("section.mobility")
    assert block.is_visible()
    text = block.text_content()
    assert "Vélos en libre service" in text and "Roubaix La Piscine" in text
    assert "à pied" in text and "mis à jour" in text
    assert "Parkings" in text and "places libres" in text
    assert "Arrêts de bus" in text and "Musée La Piscine" in text
    assert "de retard" in text  # the demo's line 25 runs late
    block.scroll_into_view_if_needed()
    screenshot(page, "mobility-place")
    screenshot(page, "mobility-place-screen", full_page=False)
    context.close()
    watch.check()


def test_the_large_screen_shows_them_big_and_reloads_itself(browser, moving_server, screenshot):
    context, page, watch = open_watched(browser, moving_server, TV, locale="en-GB")
    page.goto("/tv/la-piscine")
    assert "Bike share" in page.locator("section.mobility").text_content()
    refresh = page.locator("main.board").get_attribute("data-refresh")  # the meta is <noscript>
    assert 60 <= int(refresh) <= 300
    screenshot(page, "mobility-tv", full_page=False)
    context.close()
    watch.check()
