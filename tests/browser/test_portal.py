"""The portal in a real browser: a shop owner on a phone signs in, changes the opening hours,
writes an offer, and sees it on the visitor's place page; staff issue a batch on a desktop; and
every portal page, at a phone's size and a desktop's, has no accessibility violation (axe) and
nothing wider than the screen."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select, update

from server.db import database
from server.models import (
    Batch,
    EventSeries,
    PendingChange,
    Shop,
    SignupRequest,
    Territory,
    User,
)
from server.services import accounts
from tests.browser.conftest import ADMIN, OWNER, PHONE, SERIOUS, STAFF, axe_violations, sign_in

DESKTOP = {"width": 1280, "height": 900}
# The sizes every portal page is checked at: a common phone, a common laptop.
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
SHOP = "/portal/shops/comptoir-de-la-piscine"
# Every page of the portal and its analytics, as the demo shows it (an administrator sees them
# all; the public ones are opened signed out). {names} come from world(). A new GET route of
# the portal goes here, or in NOT_PAGES with the reason it is not checked.
PAGES: dict[str, str] = {
    "portal.login": "/portal/login",
    "portal.forgot_password": "/portal/password/forgot",
    "portal.signup": "/portal/signup",
    "portal.invitation": "/portal/invitation/{invitation}",
    "portal.home": "/portal/",
    "portal.account": "/portal/account",
    "portal.shop": f"{SHOP}/",
    "portal.listing": f"{SHOP}/listing",
    "portal.hours": f"{SHOP}/hours",
    "portal.photos": f"{SHOP}/photos",
    "portal.offers": f"{SHOP}/offers",
    "portal.new_offer": f"{SHOP}/offers/new",
    "portal.edit_offer": f"{SHOP}/offers/comptoir-cafe-offert",
    "portal.partners": f"{SHOP}/partners",
    "portal.till": f"{SHOP}/till",
    "portal.loyalty_card": f"{SHOP}/loyalty",
    "portal.figures": f"{SHOP}/figures",
    "portal.staff_shops": "/portal/staff/shops",
    "portal.review_queue": "/portal/staff/review",
    "portal.review_change": "/portal/staff/review/{change}",
    "portal.signup_requests": "/portal/staff/signups",
    "portal.signup_request": "/portal/staff/signups/{signup}",
    "portal.places": "/portal/staff/places?territory=roubaix",
    "portal.new_place": "/portal/staff/places/new?territory=roubaix",
    "portal.edit_place": "/portal/staff/places/la-piscine",
    "portal.stickers": "/portal/staff/places/la-piscine/stickers",
    "portal.staff_photos": "/portal/staff/place/la-piscine/photos",
    "portal.batches": "/portal/staff/batches",
    "portal.batch": "/portal/staff/batches/{batch}",
    "portal.tokens": "/portal/staff/tokens",
    "portal.feeds": "/portal/staff/feeds",
    "portal.users": "/portal/admin/users",
    "portal.account_admin": "/portal/admin/users/{owner}",
    "portal.bulk_invitations": "/portal/admin/invitations",
    "portal.territories": "/portal/admin/territories",
    "portal.edit_territory": "/portal/admin/territories/roubaix",
    "portal.keys": "/portal/admin/keys",
    "portal.audit_log": "/portal/admin/audit",
    "analytics.overview": "/portal/analytics/",
    "analytics.places": "/portal/analytics/places?place=la-piscine",
    "analytics.journeys": "/portal/analytics/journeys",
    "analytics.offers": "/portal/analytics/offers",
    "analytics.funnel_page": "/portal/analytics/funnel",
    "analytics.health": "/portal/analytics/health",
    "portal.content": "/portal/staff/content?territory=roubaix",
    "portal.new_sight": "/portal/staff/sights/new?territory=roubaix",
    "portal.edit_sight": "/portal/staff/sights/parc-barbieux",
    "portal.new_event": "/portal/staff/events/new?territory=roubaix",
    "portal.import_events": "/portal/staff/events/import?territory=roubaix",
    "portal.edit_event": "/portal/staff/events/{series}",
    "portal.new_walk": "/portal/staff/walks/new?territory=roubaix",
    "portal.edit_walk": "/portal/staff/walks/roubaix-piscine-grand-place",
}
PUBLIC = {"portal.login", "portal.forgot_password", "portal.signup", "portal.invitation"}
# What a shop owner reads on a phone: not even a table may be wider than the screen there (a
# staff table may scroll inside its frame).
FITTING = {"portal.shop", "portal.offers", "portal.partners", "portal.figures", "portal.home"}
NOT_PAGES: dict[str, str] = {
    "portal.my_data": "a zip download",
    "portal.account_data_download": "a zip download",
    "portal.funnel_csv": "a CSV download",
    "analytics.download": "a CSV download",
    "analytics.funnel_download": "a CSV download",
    "portal.manifest": "a JSON download for the field tool",
    "portal.map_image": "a PNG map (its page, portal.places, is checked)",
    "portal.photo_preview": "a JPEG (the photo pages that show it are checked)",
    "portal.scanner": "a script (portal.till, which runs it, is checked)",
}


def test_a_shop_owner_edits_the_hours_writes_an_offer_and_visitors_see_it(
    open_page, screenshot, known_passwords
):
    page, _ = open_page("fr-FR")
    sign_in(page, OWNER)
    screenshot(page, "portal-home-phone", full_page=False)
    page.get_by_role(
        "link", name="Horaires d\N{RIGHT SINGLE QUOTATION MARK}ouverture"
    ).first.click()
    assert page.locator("h1").inner_text() == "Horaires d\N{RIGHT SINGLE QUOTATION MARK}ouverture"
    page.locator("input[name=Mo_open1]").fill("10:00")
    page.locator("input[name=Mo_close1]").fill("18:30")
    page.get_by_role("button", name="Enregistrer les horaires").click()
    assert "Enregistré" in page.locator("p.flash").inner_text()
    assert page.locator("input[name=Mo_close1]").input_value() == "18:30"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert not axe_violations(page, SERIOUS)
    screenshot(page, "portal-hours-phone")

    page.goto("/portal/shops/comptoir-de-la-piscine/offers/new")
    page.locator("#f-title_fr").fill("Un macaron offert avec chaque café")
    page.locator("#f-title_en").fill("A free macaron with every coffee")
    page.locator("#f-conditions_fr").fill(
        "Sur présentation de cette page, dans la limite des stocks."
    )
    assert not axe_violations(page, SERIOUS)
    page.get_by_role("button", name="Enregistrer l\N{RIGHT SINGLE QUOTATION MARK}offre").click()
    assert "Les visiteurs le voient" in page.locator("p.flash").inner_text()
    screenshot(page, "portal-offers-phone", full_page=False)

    page.goto("/p/la-piscine")
    titles = page.locator("ol.items > li h3").all_inner_texts()
    assert "Un macaron offert avec chaque café" in titles
    page.get_by_role("link", name="Un macaron offert avec chaque café").click()
    assert page.locator("h1").inner_text() == "Un macaron offert avec chaque café"
    screenshot(page, "portal-offer-on-visitor-page", full_page=False)


def test_the_till_answers_on_a_phone(open_page, screenshot, known_passwords):
    page, _ = open_page("fr-FR")
    sign_in(page, OWNER)
    page.goto("/portal/shops/comptoir-de-la-piscine/till")
    page.locator("#f-code").fill("k7qm 4xpa")
    page.get_by_role("button", name="Vérifier et utiliser le code").click()
    assert page.locator("#answer").get_attribute("data-answer") == "unknown"
    assert not axe_violations(page, SERIOUS)
    screenshot(page, "portal-till-phone", full_page=False)


def test_staff_issue_a_batch_and_see_the_places(open_page, screenshot, known_passwords):
    page, _ = open_page("en-GB", viewport=DESKTOP)
    sign_in(page, STAFF)
    page.goto("/portal/staff/places?territory=roubaix")
    assert page.locator("img.map").evaluate("img => img.complete && img.naturalWidth > 0")
    screenshot(page, "portal-places-desktop", full_page=False)
    page.goto("/portal/staff/batches")
    page.locator("#f-place").select_option("la-piscine")
    page.locator("#f-count").fill("4")
    page.get_by_role("button", name="Issue the batch").click()
    expect(page.locator("tbody tr")).to_have_count(4)  # waits for the answer, unlike count()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the manifest").click()
    assert download.value.suggested_filename.endswith(".json")
    assert not axe_violations(page, SERIOUS)
    screenshot(page, "portal-batch-desktop", full_page=False)


def test_staff_screens_read_in_french_with_a_readable_review(
    open_page, screenshot, known_passwords, live_server
):
    """Staff screens in French on a desktop: a sign-up to decide, a change under review shown
    word by word, the audit log; no serious accessibility problem on any (the screenshots in
    docs/portal.md)."""
    with database(live_server.app).transaction() as session:
        session.execute(update(Territory).values(review_changes=True))
    owner, _ = open_page("fr-FR", viewport=DESKTOP)
    sign_in(owner, OWNER)
    owner.goto("/portal/shops/comptoir-de-la-piscine/listing")
    description = owner.locator("#f-description_fr")
    description.fill(description.input_value().replace("Café", "Café torréfié sur place", 1))
    owner.locator("#f-description_en").fill("Coffee roasted on the spot, cakes and a terrace.")
    owner.locator("form.stack button[type=submit]").first.click()
    applicant, _ = open_page("fr-FR", viewport=DESKTOP)
    applicant.goto("/portal/signup")
    for name, value in {
        "business_name": "L'Épicerie de la Grand-Place",
        "siret": "732 829 320 00074",
        "address": "3 Grand-Place, 59100 Roubaix",
        "latitude": "50.6905",
        "longitude": "3.1818",
        "contact_name": "Nadia Benali",
        "email": "nadia@example.org",
    }.items():
        applicant.locator(f"#f-{name}").fill(value)
    applicant.locator("#f-consent").check()
    applicant.get_by_role("button", name="Envoyer ma demande").click()
    assert "Demande envoyée" in applicant.locator("h1").inner_text()
    page, _ = open_page("fr-FR", viewport=DESKTOP)
    sign_in(page, STAFF)
    assert "Faire tourner le service" in page.locator("main").inner_text()
    assert not axe_violations(page, SERIOUS)
    screenshot(page, "portal-staff-home-fr", full_page=False)
    page.goto("/portal/staff/signups")
    page.get_by_role("link", name="L'Épicerie de la Grand-Place").click()
    expect(page.locator("main")).to_contain_text("732 829 320 00074")
    assert not axe_violations(page, SERIOUS)
    screenshot(page, "portal-signup-request-fr")
    page.goto("/portal/staff/review")
    page.get_by_role("link", name="Comptoir de la Piscine", exact=False).first.click()
    # Waited for: count() at once read a page still being parsed, with no change in it yet.
    expect(page.locator("table.changes ins").first).to_be_visible()
    assert "{'" not in page.content()
    assert not axe_violations(page, SERIOUS)
    screenshot(page, "portal-review-fr")
    admin_page, _ = open_page("fr-FR", viewport=DESKTOP)
    sign_in(admin_page, ADMIN)
    admin_page.goto("/portal/admin/audit")
    assert "Journal des modifications" in admin_page.locator("h1").inner_text()
    assert not axe_violations(admin_page, SERIOUS)
    screenshot(admin_page, "portal-audit-fr", full_page=False)


def _portal_routes(app: Any) -> set[str]:
    """The portal's and the analytics dashboard's GET routes."""
    return {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith(("portal.", "analytics.")) and "GET" in (rule.methods or ())
    }


def test_every_portal_page_is_checked_or_excluded_with_a_reason(live_server):
    routes = _portal_routes(live_server.app)
    unlisted = routes - set(PAGES) - set(NOT_PAGES)
    assert not unlisted, f"add these GET routes to PAGES (or NOT_PAGES, with a reason): {unlisted}"
    assert not (set(PAGES) | set(NOT_PAGES)) - routes, "PAGES or NOT_PAGES name a gone route"
    assert not set(PAGES) & set(NOT_PAGES) and set(PAGES) >= PUBLIC | FITTING


@pytest.fixture(scope="module")
def world(live_server) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """What PAGES' paths name, made in the demo when it has none: a change waiting for review, a
    sign-up request, a batch, an invitation link, a shop owner's account, an event written in
    the portal (weekly, one day off)."""
    app = live_server.app
    with database(app).transaction() as session:
        owner = session.scalars(select(User).where(User.email == OWNER)).one()
        shop = session.scalars(select(Shop).where(Shop.slug == "librairie-la-bobine")).one()
        change = PendingChange(
            kind="listing",
            shop_id=shop.id,
            payload={"name": "Librairie La Bobine", "description": {"fr": "Des livres."}},
        )
        signup = SignupRequest(
            business_name="Le Tricot de Wazemmes",
            siret="73282932000074",
            territory_id=shop.territory_id,
            category="shop",
            address="12 rue des Sarrazins, Lille",
            latitude=50.6265,
            longitude=3.0488,
            contact_name="Inès",
            email="tricot@example.org",
            consent_at=app.config["FIXED_NOW"],
        )
        series = EventSeries(
            uid="axe-check@portal",
            territory_id=shop.territory_id,
            title="Marché du samedi",
            description={"fr": "Des producteurs de la région."},
            latitude=shop.latitude,
            longitude=shop.longitude,
            first_day=dt.date(2026, 11, 28),
            starts="08:00",
            ends="13:00",
            frequency="weekly",
            until=dt.date(2026, 12, 26),
            exceptions=["2026-12-19"],
        )
        session.add_all([change, signup, series])
        analyst = session.scalars(select(User).where(User.role == "analyst")).first()
        issued = accounts.invite(session, analyst, None, app.config["FIXED_NOW"])
        session.flush()
        return {
            "change": change.id,
            "signup": signup.id,
            "batch": session.scalar(select(func.min(Batch.id))),
            "invitation": issued.token,
            "owner": owner.id,
            "series": series.id,
        }


WIDER_THAN_SCREEN = """width => [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > width + 1 && !e.closest('.scroll'))
    .slice(0, 3).map(e => e.tagName + '.' + e.className)"""
TABLES_WIDER_THAN_FRAME = """() => [...document.querySelectorAll('table')]
    .filter(t => t.scrollWidth > t.parentElement.clientWidth + 1)
    .map(t => t.className || t.querySelector('caption, th')?.textContent)"""


def test_every_portal_page_passes_axe_and_fits(world, open_page, known_passwords, screenshot):
    """All pages in French (the longest words) at both sizes: no axe violation of any impact,
    nothing wider than the screen, and on a shop owner's pages no table wider than its frame.
    (Each page's wording in French and Dutch is checked by tests/server/portal/test_languages.)

    Each page is opened once and checked at one size, then the other: the window is resized
    as a visitor's would be, and the layout follows (the portal's scripts size nothing)."""
    signed, _ = open_page("fr-FR")
    sign_in(signed, ADMIN)
    stranger, _ = open_page("fr-FR")
    found: dict[str, list[str]] = {}
    for endpoint, path in PAGES.items():
        page = stranger if endpoint in PUBLIC else signed
        response = page.goto(path.format(**world))
        assert response is not None and response.status == 200, (endpoint, response)
        for size, viewport in SIZES.items():
            page.set_viewport_size(viewport)
            problems = axe_violations(page)
            wide = page.evaluate(WIDER_THAN_SCREEN, viewport["width"])
            if wide:
                problems.append(f"wider than the screen: {wide}")
            if size == "phone" and endpoint in FITTING:
                tables = page.evaluate(TABLES_WIDER_THAN_FRAME)
                if tables:
                    problems.append(f"tables wider than the screen: {tables}")
            if problems:
                found[f"{endpoint} ({size})"] = problems
            if endpoint == "portal.figures":
                screenshot(page, f"portal-figures-{size}")
    assert not found, "\n".join(f"{e}: {p}" for e, ps in found.items() for p in ps)


def test_staff_make_a_walk_on_a_phone_and_the_editors_pass_axe(
    open_page, screenshot, known_passwords
):
    """Staff make a walk on a phone without touching a map (search, add, reorder), visitors see
    it; the content editors (sights, walks, events, calendar import) have no axe violation at
    phone and desktop sizes."""
    page, _ = open_page("fr-FR")
    sign_in(page, STAFF)
    page.goto("/portal/staff/walks/new?territory=roubaix")
    for words, name in (
        ("Saint-Martin", "Église Saint-Martin"),
        ("Hôtel de Ville", "Hôtel de Ville de Roubaix"),
    ):
        page.locator("#f-q").fill(words)
        page.get_by_role("button", name="Chercher", exact=True).click()
        page.get_by_role("button", name=f"Ajouter {name} comme étape").click()
        assert name in page.locator("p.flash").inner_text()
    page.get_by_role("button", name="Monter l\N{RIGHT SINGLE QUOTATION MARK}étape 2").click()
    assert page.locator("#f-stop-1-name").input_value() == "Hôtel de Ville de Roubaix"
    page.locator("#f-name").fill("Du beffroi au clocher")
    page.locator("#f-description_fr").fill("De la mairie à l'église, cinq minutes à pied.")
    page.locator("#f-description_en").fill("From the town hall to the church, five minutes away.")
    page.locator("#f-stop-2-note_nl").fill("Een gotische kerk.")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert not axe_violations(page)
    screenshot(page, "portal-walk-phone", full_page=False)
    page.get_by_role("button", name="Enregistrer").first.click()
    assert "Du beffroi au clocher" in page.locator("p.flash").inner_text()
    visitor, _ = open_page("nl-BE")
    visitor.goto("/walk/du-beffroi-au-clocher")
    assert visitor.locator("ol.stops h3").all_inner_texts() == [
        "1. Hôtel de Ville de Roubaix",
        "2. Église Saint-Martin",
    ]
    assert "Een gotische kerk." in visitor.locator("ol.stops").inner_text()
    for path in (
        "/portal/staff/content?territory=roubaix",
        "/portal/staff/sights/new?territory=roubaix",
        "/portal/staff/sights/parc-barbieux",
        "/portal/staff/events/new?territory=roubaix",
        "/portal/staff/events/import?territory=roubaix",
        "/portal/staff/walks/du-beffroi-au-clocher",
    ):
        page.set_viewport_size(PHONE)
        page.goto(path)
        assert not axe_violations(page), path
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
        page.set_viewport_size(DESKTOP)  # the same page on a desktop's screen
        assert not axe_violations(page), path
