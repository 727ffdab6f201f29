"""The analytics dashboard in a real browser: an analyst signs in, opens the dashboard on the
demo data, changes the date range, downloads a CSV; on a phone, nothing is wider than the screen."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from server.clock import machine_now
from server.config import passwords
from server.db import database
from server.models import User
from server.services import accounts
from tests.browser.conftest import PASSWORD, SERIOUS, axe_violations, sign_in
from tests.browser.test_portal import DESKTOP
from tests.support.demo import PARIS

ANALYST = "analyst@demo.taptrail.invalid"


@pytest.fixture(scope="module")
def analyst_password(live_server) -> None:
    """The demo analyst gets a password made up at load time; this test sets its own."""
    with database(live_server.app).transaction() as session:
        user = session.scalars(select(User).where(User.email == ANALYST)).one()
        accounts.set_password(user, PASSWORD, machine_now(), passwords=passwords(live_server.app))


def _count(shown: str) -> int:
    """A figure as the page shows it, in the reader's locale ("1,895", "1 895")."""
    return int(re.sub(r"\D", "", shown))


def test_an_analyst_changes_the_range_and_downloads_a_csv(
    live_server, open_page, screenshot, analyst_password
):
    page, _ = open_page("en-GB", viewport=DESKTOP)
    sign_in(page, ANALYST)
    page.get_by_role("link", name="Analytics dashboard").click()
    # Web-first assertions: they wait for the page the click leads to, where count() and
    # inner_text() would read whatever part of it the browser has parsed so far.
    expect(page.locator("h1")).to_have_text("Analytics · Overview")
    expect(page.locator("svg.chart").nth(4)).to_be_attached()  # five charts or more
    people = _count(page.locator(".cards li b").first.inner_text())
    assert people > 0, "the demo taps should show"

    today = live_server.app.config["FIXED_NOW"].astimezone(PARIS).date()  # the server's day
    start = today - dt.timedelta(days=13)
    page.locator("#f-from").fill(start.isoformat())
    page.locator("#f-to").fill(today.isoformat())
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(f"**from={start.isoformat()}**")
    assert "(14 days)" in page.locator("p.who").last.inner_text()
    assert _count(page.locator(".cards li b").first.inner_text()) < people
    assert not axe_violations(page, SERIOUS)
    screenshot(page, "analytics-overview-desktop")  # docs/screenshots/ has a copy for the README

    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(r"^CSV .*taps by day$")).click()
    name = download.value.suggested_filename
    assert name == f"taptrail-taps-by-day-roubaix-{start}-{today}.csv"
    lines = Path(download.value.path()).read_text().splitlines()
    assert lines[0] == "day,person,preview,machine,visitors" and len(lines) == 15

    page.get_by_role("link", name="Journeys").click()
    expect(page.locator("main")).to_contain_text("La Piscine")
    screenshot(page, "analytics-journeys-desktop", full_page=False)


def test_the_dashboard_fits_a_phone(open_page, screenshot, analyst_password):
    page, _ = open_page("en-GB")
    sign_in(page, ANALYST)
    for path in ("/portal/analytics/", "/portal/analytics/places?place=la-piscine"):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
    screenshot(page, "analytics-places-phone")
