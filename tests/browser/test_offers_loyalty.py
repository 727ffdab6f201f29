"""Cross-offers and loyalty cards in a real browser: a visitor taps at La Piscine, unlocks the
Brasserie's cross-offer, and its cashier validates the code (the till says what to check);
another visitor joins the Comptoir's loyalty card and collects stamps to a reward."""

from __future__ import annotations

from tests.browser.conftest import ADMIN, OWNER, sign_in, tap_at_la_piscine
from tests.server.factories import PHONE


def test_a_museum_visitor_unlocks_the_cross_offer_and_the_partner_validates_it(
    live_server, open_page, screenshot, known_passwords
):
    phone, _ = open_page("fr-FR", user_agent=PHONE)  # headless Chromium's own is a machine's
    phone.goto("/offer/beffroi-billet-piscine")
    # A first visit: no visitor id yet, so no tap can be proven, and the page says so.
    assert "nous ne pouvons donc pas voir ce tap" in phone.locator("#why").inner_text()
    screenshot(phone, "offer-locked-phone", full_page=False)
    tap_at_la_piscine(live_server, phone)
    phone.goto("/offer/beffroi-billet-piscine")
    phone.get_by_role("button", name="Obtenir mon code").click()
    code = phone.locator("#code ~ .code").inner_text()
    assert len(code) == 9
    screenshot(phone, "offer-unlocked-phone")

    till, _ = open_page("fr-FR")
    sign_in(till, ADMIN)
    till.goto("/portal/shops/brasserie-du-beffroi/till")
    till.locator("#f-code").fill(code.lower())
    till.get_by_role("button", name="Vérifier et utiliser le code").click()
    assert till.locator("#answer").get_attribute("data-answer") == "valid"
    assert "Demandez le billet du jour de La Piscine" in till.locator("#check").inner_text()
    screenshot(till, "till-check-phone", full_page=False)


def test_a_visitor_collects_stamps_to_a_reward(live_server, open_page, screenshot, known_passwords):
    owner, _ = open_page("fr-FR")
    sign_in(owner, OWNER)
    owner.goto("/portal/shops/comptoir-de-la-piscine/loyalty")
    owner.locator("#f-min_interval_minutes").fill("0")  # a test of several visits at once
    owner.locator("#f-stamps_needed").fill("3")
    owner.locator("#card-form button[type=submit]").click()

    phone, _ = open_page("fr-FR")
    phone.goto("/shop/comptoir-de-la-piscine")
    phone.locator("p.loyalty a[href^='/cards/join']").click()
    # Joining is a choice: the form cannot be sent before the box is ticked.
    assert phone.locator("#f-consent").get_attribute("required") is not None
    phone.locator("#f-consent").check()
    phone.get_by_role("button", name="Prendre la carte de fidélité").click()
    card = phone.locator("section.card .code").inner_text()
    assert phone.locator("#recovery .code").is_visible()
    screenshot(phone, "loyalty-card-phone")

    owner.goto("/portal/shops/comptoir-de-la-piscine/till")
    for _ in range(3):
        owner.locator("#f-card").fill(card)
        owner.get_by_role("button", name="Donner un tampon").click()
    assert owner.locator("#card-answer").get_attribute("data-answer") == "full"
    owner.locator("#f-card").fill(card)
    owner.get_by_role("button", name="Donner la récompense").click()
    assert owner.locator("#card-answer").get_attribute("data-answer") == "rewarded"
    screenshot(owner, "till-reward-phone", full_page=False)
    owner.locator("#f-card").fill(card)
    owner.get_by_role("button", name="Donner la récompense").click()
    assert owner.locator("#card-answer").get_attribute("data-answer") == "not full"


def test_the_merchant_reads_the_funnel_on_a_phone(
    live_server, open_page, screenshot, known_passwords
):
    owner, _ = open_page("fr-FR")
    sign_in(owner, OWNER)
    owner.goto("/portal/shops/comptoir-de-la-piscine/figures")
    chart = owner.locator("#funnel .chart svg")
    assert chart.is_visible()
    # Readable on a phone: the chart and the figures fit the screen's width, no sideways scroll.
    assert chart.bounding_box()["width"] <= 360
    width = owner.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, width
    screenshot(owner, "portal-funnel-phone")
