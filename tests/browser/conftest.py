"""A real server with the demo and one headless Chromium for the whole session.

Chromium is Debian's (on the PATH; `make test` installs it when missing): Playwright drives it
through `executable_path`, since Playwright's own browser downloads are not possible here. Every
page is watched: a request to any other host is blocked and fails the test, and so does a
console error or an uncaught page error. Screenshots go to test-artifacts/ (gitignored).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from sqlalchemy import select, update

from server import create_app
from server.clock import machine_now
from server.config import passwords
from server.db import database
from server.models import Sticker, Tap, User
from server.services import accounts
from server.taps.recorder import recorder
from tags.keyring import Keyring
from tests.server.conftest import settings
from tests.support.demo import SATURDAY, Demo, next_local
from tests.support.live_server import serving
from tests.support.processes import wait_until

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 740}
PASSWORD = "browser test password"
# The demo accounts the portal's browser tests sign in as.
ADMIN = "admin@demo.taptrail.invalid"
OWNER = "comptoir@demo.taptrail.invalid"
STAFF = "staff@demo.taptrail.invalid"


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's Chromium; skipped without it, except in CI where it must be there."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("CI needs Chromium for the browser tests (make test installs it)")
        pytest.skip("no chromium on the PATH (apt-get install chromium)")
    return path


@dataclass
class LiveServer:
    """The demo app served over HTTP on a free loopback port."""

    app: Flask
    url: str

    @property
    def host(self) -> str:
        """host:port, what every request of a page must go to."""
        return urlsplit(self.url).netloc


# A file that tests/suite.sh makes once every other test has run: the tests marked `quiet`
# (they time a page load) wait for it, so that they run on a machine left to them.
QUIET_AFTER = "TAPTRAIL_TEST_QUIET_AFTER"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests marked quiet last, the others in their order."""
    items.sort(key=lambda item: item.get_closest_marker("quiet") is not None)


@pytest.fixture(autouse=True)
def quiet_machine(request: pytest.FixtureRequest) -> None:
    """A test marked quiet waits for the file QUIET_AFTER names, if it names one."""
    flag = os.environ.get(QUIET_AFTER)
    if flag and request.node.get_closest_marker("quiet"):
        assert wait_until(lambda: Path(flag).exists(), timeout=3600), f"{flag} never came"


@pytest.fixture(scope="session")
def live_server(
    tmp_path_factory: pytest.TempPathFactory, keyring: Keyring, demo_traffic_sqlite: Demo
) -> Iterator[LiveServer]:
    """The real server on its own copy of the demo with its traffic, its clock pinned to next
    Saturday at 15:00."""
    folder = tmp_path_factory.mktemp("live")
    url = demo_traffic_sqlite.copy_sqlite(folder)
    # Branded as `make run` is: the demo's fictional operator (server/demo/brand.yaml).
    brand = Path(__file__).resolve().parents[2] / "server" / "demo" / "brand.yaml"
    moment = next_local(SATURDAY, 15)
    app = create_app(settings(folder, url, keyring, FIXED_NOW=moment, BRAND_FILE=str(brand)))
    with serving(app) as base:
        yield LiveServer(app, base)


@pytest.fixture(scope="session")
def browser(chromium: str) -> Iterator[object]:
    """One headless Chromium for the session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class Watch:
    """What a page did that a visitor's page must never do."""

    host: str
    requests: list[str] = field(default_factory=list)
    elsewhere: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def check(self) -> None:
        """No request left the server, nothing went wrong in the console."""
        assert self.requests, "the page made no request at all"
        assert not self.elsewhere, f"requests left the server: {self.elsewhere}"
        assert not self.errors, f"console errors: {self.errors}"


def watched(context, host: str) -> tuple[object, Watch]:  # type: ignore[no-untyped-def]
    """A new page of `context`, watched: its requests (any to a host but `host` refused and
    recorded), console errors and uncaught errors."""
    watch = Watch(host)

    def route(route, request) -> None:  # type: ignore[no-untyped-def]
        watch.requests.append(request.url)
        if urlsplit(request.url).netloc != watch.host:
            watch.elsewhere.append(request.url)
            route.abort()
            return
        route.continue_()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and watch.errors.append(m.text))
    page.on("pageerror", lambda error: watch.errors.append(str(error)))
    return page, watch


@pytest.fixture
def open_page(browser, live_server: LiveServer):  # type: ignore[no-untyped-def]
    """open_page(locale="fr-FR", viewport=PHONE): a fresh visitor's page, watched throughout."""
    opened = []

    def open_(locale: str = "fr-FR", viewport: dict[str, int] = PHONE, **options):  # type: ignore[no-untyped-def]
        context = browser.new_context(  # type: ignore[attr-defined]
            locale=locale, viewport=viewport, base_url=live_server.url, **options
        )
        page, watch = watched(context, live_server.host)
        opened.append((context, watch))
        return page, watch

    yield open_
    for context, watch in opened:
        context.close()
        watch.check()


@pytest.fixture
def screenshot():  # type: ignore[no-untyped-def]
    """screenshot(page, name): keep a full-page screenshot as a test artefact."""

    def keep(page, name: str, full_page: bool = True) -> Path:  # type: ignore[no-untyped-def]
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return keep


def tap_at_la_piscine(live_server, page) -> None:  # type: ignore[no-untyped-def]
    """Tap La Piscine's sticker with this phone: the tap path sets the visitor id."""
    app = live_server.app
    with database(app).sessions() as session:
        code = session.scalars(
            select(Sticker.code).where(Sticker.place.has(slug="la-piscine")).order_by(Sticker.id)
        ).first()
    page.goto(f"/{code}")
    recorder(app).drain_now()
    # The server's clock is pinned (Saturday 15:00) and the tap carries the machine's time:
    # the tap is moved to ten minutes before the pinned "now", the visitor id untouched.
    cookie = next(c["value"] for c in page.context.cookies() if c["name"] == "tt_vid")
    with database(app).transaction() as session:
        session.execute(
            update(Tap)
            .where(Tap.visitor_id == cookie)
            .values(occurred_at=app.config["FIXED_NOW"] - dt.timedelta(minutes=10))
        )


@pytest.fixture(scope="session")
def known_passwords(live_server: LiveServer) -> None:
    """The demo accounts get passwords made up at load time; the tests sign in with PASSWORD."""
    with database(live_server.app).transaction() as session:
        for email in (ADMIN, OWNER, STAFF):
            user = session.scalars(select(User).where(User.email == email)).one()
            accounts.set_password(
                user, PASSWORD, machine_now(), passwords=passwords(live_server.app)
            )


def sign_in(page, email: str) -> None:  # type: ignore[no-untyped-def]
    """Sign in to the portal as `email` (a demo account, see known_passwords)."""
    page.goto("/portal/login")
    page.locator("#f-email").fill(email)
    page.locator("#f-password").fill(PASSWORD)
    page.locator("form.stack button[type=submit]").click()
    page.wait_for_url("**/portal/")


SERIOUS = ("serious", "critical")


def axe_violations(page, impacts: Collection[str] | None = None) -> list[str]:  # type: ignore[no-untyped-def]
    """The page's axe-core violations (of these impacts, or of any), each with where it is.

    Checking several pages, check them in one browser page: axe's half-megabyte script is then
    compiled once, not once per page (a third of a CPU-second each time in a fresh one). A page
    checked again (at another size) keeps the axe it was given."""
    page.evaluate(SETTLED)
    if not page.evaluate("() => 'axe' in window"):
        # Sent once per document: Axe.run sends the whole script again at every check.
        page.evaluate(AXE.axe_script)
    found = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:4]}"
        for v in found["violations"]
        if impacts is None or v["impact"] in impacts
    ]


def axe_sweep(  # type: ignore[no-untyped-def]
    page,
    paths: Iterable[str],
    impacts: Collection[str] | None = None,
    sizes: Mapping[str, dict[str, int]] | None = None,
) -> dict[str, list[str]]:
    """Open each path in turn in `page`, and check it at each of `sizes` (the window resized,
    as a visitor's is) or at the page's own: the violations found, where there are some."""
    found = {}
    for path in paths:
        page.goto(path)
        for size, viewport in (sizes or {"": None}).items():
            if viewport:
                page.set_viewport_size(viewport)
            found[f"{path} ({size})" if size else path] = axe_violations(page, impacts)
    return {where: problems for where, problems in found.items() if problems}


AXE = Axe()  # reads axe-core's script once
# The page as a visitor reads it: its fades and transitions over (text fading in has too little
# contrast for axe until it is in), its endless or paused animations left as they are, and
# never more than two seconds waited (a paused one never finishes, a long one would hold axe).
SETTLED = """Promise.race([
  Promise.all(document.getAnimations()
    .filter(a => a.playState === "running" && isFinite(a.effect.getComputedTiming().endTime))
    .map(a => a.finished.catch(() => null))),
  new Promise(done => setTimeout(done, 2000)),
])"""
