"""The portal in a real browser: a shop owner on a phone signs in, changes the opening hours,
writes an offer, and sees it on the visitor's place page; staff issue a batch on a desktop."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from sqlalchemy import update

from server.db import database
from server.models import Territory
from tests.browser.conftest import ADMIN, OWNER, STAFF, sign_in

DESKTOP = {"width": 1280, "height": 900}


def _serious(page) -> list:  # type: ignore[no-untyped-def]
    results = Axe().run(page)
    return [
        (v["id"], [n["target"] for n in v["nodes"]])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


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
    assert not _serious(page)
    screenshot(page, "portal-hours-phone")

    page.goto("/portal/shops/comptoir-de-la-piscine/offers/new")
    page.locator("#f-title_fr").fill("Un macaron offert avec chaque café")
    page.locator("#f-title_en").fill("A free macaron with every coffee")
    page.locator("#f-conditions_fr").fill(
        "Sur présentation de cette page, dans la limite des stocks."
    )
    assert not _serious(page)
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
    assert not _serious(page)
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
    assert page.locator("tbody tr").count() == 4
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the manifest").click()
    assert download.value.suggested_filename.endswith(".json")
    assert not _serious(page)
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
    assert not _serious(page)
    screenshot(page, "portal-staff-home-fr", full_page=False)
    page.goto("/portal/staff/signups")
    page.get_by_role("link", name="L'Épicerie de la Grand-Place").click()
    assert "732 829 320 00074" in page.locator("main").inner_text()
    assert not _serious(page)
    screenshot(page, "portal-signup-request-fr")
    page.goto("/portal/staff/review")
    page.get_by_role("link", name="Comptoir de la Piscine", exact=False).first.click()
    assert page.locator("table.changes ins").count() >= 1
    assert "{'" not in page.content()
    assert not _serious(page)
    screenshot(page, "portal-review-fr")
    admin_page, _ = open_page("fr-FR", viewport=DESKTOP)
    sign_in(admin_page, ADMIN)
    admin_page.goto("/portal/admin/audit")
    assert "Journal des modifications" in admin_page.locator("h1").inner_text()
    assert not _serious(admin_page)
    screenshot(admin_page, "portal-audit-fr", full_page=False)


def _violations(page) -> list:  # type: ignore[no-untyped-def]
    """Every axe violation on the page, whatever its impact."""
    return [
        (v["id"], [n["target"] for n in v["nodes"]]) for v in Axe().run(page).response["violations"]
    ]


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
    assert not _violations(page)
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
    desktop, _ = open_page("fr-FR", viewport=DESKTOP)
    sign_in(desktop, STAFF)
    for screen in (page, desktop):
        for path in (
            "/portal/staff/content?territory=roubaix",
            "/portal/staff/sights/new?territory=roubaix",
            "/portal/staff/sights/parc-barbieux",
            "/portal/staff/events/new?territory=roubaix",
            "/portal/staff/events/import?territory=roubaix",
            "/portal/staff/walks/du-beffroi-au-clocher",
        ):
            screen.goto(path)
            assert not _violations(screen), path
            if screen is page:
                assert screen.evaluate("document.documentElement.scrollWidth") <= 360, path
