"""The privacy page and the legal notice: the operator's facts from the settings, linked from
every visitor page, and the objection in one tap (its effect on taps: test_objection.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from server.db import database
from server.models import Offer, OfferCondition, OfferView, RedemptionCode
from tests.support.html import page, text

OPERATOR = {
    "OPERATOR_NAME": "Métropole Européenne de Lille",
    "OPERATOR_ADDRESS": "2 boulevard des Cités Unies, 59040 Lille",
    "OPERATOR_EMAIL": "taptrail@lillemetropole.example",
    "OPERATOR_PHONE": "+33 3 20 21 22 23",
    "OPERATOR_REGISTRATION": "SIREN 200 093 201",
    "OPERATOR_PUBLISHER": "The President of the Metropolis",
    "OPERATOR_DPO": "dpo@lillemetropole.example",
    "OPERATOR_HOST": "Example Hosting, 1 rue du Serveur, 59000 Lille",
}
CROSS = "/offer/beffroi-billet-piscine"


@pytest.fixture
def operated(demo_app):
    """The demo app with the operator's facts set."""
    demo_app.config.update(OPERATOR)
    return demo_app


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/t/roubaix",
        "/p/la-piscine",
        "/shop/comptoir-de-la-piscine",
        CROSS,
        "/p/no-such-place",
        "/ZZZZZZZZZZZZ",
        "/privacy",
        "/legal",
    ],
)
def test_every_visitor_page_links_to_the_privacy_page_and_legal_notice(visitor, path):
    soup = page(visitor.get(path))
    links = {a["href"] for a in soup.select(".legal a")}
    assert links == {"/fr/privacy", "/fr/legal"}, path  # in the page's language


def test_the_tv_s_qr_code_leads_to_a_page_with_the_links(visitor):
    screen = visitor.get("/tv/la-piscine")
    assert screen.status_code == 200 and not page(screen).select(".legal")  # nobody taps a TV
    # Its QR code holds the place page's address (server/visitor/tv.py), which has the links.
    assert page(visitor.get("/p/la-piscine")).select_one(".legal a[href='/fr/privacy']")


@pytest.mark.parametrize(
    ("lang", "heading", "button"),
    [
        ("fr", "Confidentialité", "Je m'oppose à la mesure d'audience"),
        ("en", "Privacy", "Object to audience measurement"),
        ("nl", "Privacy", "Ik maak bezwaar tegen de bezoekersmeting"),
    ],
)
def test_the_privacy_page_says_who_what_how_long_in_three_languages(
    operated, visitor, lang, heading, button
):
    soup = page(visitor.get("/privacy", headers={"Accept-Language": lang}))
    assert soup.html["lang"] == lang and text(soup.find("h1")) == heading
    main = text(soup.find("main"))
    for fact in ("OPERATOR_NAME", "OPERATOR_ADDRESS", "OPERATOR_EMAIL", "OPERATOR_DPO"):
        assert OPERATOR[fact] in main
    assert "tt_vid" in main and "390" in main and "25" in main
    assert text(soup.select_one("#choice ~ form button")) == button


def test_the_english_page_covers_what_the_issue_lists(operated, visitor):
    main = text(page(visitor.get("/privacy", headers={"Accept-Language": "en"})).find("main"))
    for said in (
        "random visitor id",
        "lasts 390 days",
        "kept 25 months",
        "Counts without any id",
        "IP address is neither stored nor logged",
        "If you join a shop's loyalty card",
        "Global Privacy Control",
        "complain to the CNIL",
    ):
        assert said in main, said


def test_facts_not_set_are_said_to_be_missing(visitor):
    soup = page(visitor.get("/legal", headers={"Accept-Language": "en"}))
    assert text(soup.select_one(".facts dd")) == "Not given yet."


def test_the_legal_notice_comes_from_the_settings(operated, visitor):
    main = text(page(visitor.get("/legal", headers={"Accept-Language": "fr"})).find("main"))
    assert "Mentions légales" in main
    for value in OPERATOR.values():
        assert value in main


@pytest.mark.parametrize(
    "headers",
    [{"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://elsewhere.example"}],
)
@pytest.mark.parametrize("action", ["object", "withdraw"])
def test_another_site_cannot_switch_the_choice(visitor, headers, action):
    if action == "withdraw":
        visitor.post("/privacy/object")
    before = visitor.get_cookie("tt_object")
    response = visitor.post(f"/privacy/{action}", headers=headers)
    assert response.status_code == 403
    after = visitor.get_cookie("tt_object")
    assert (before is None) == (after is None)  # the choice stayed as it was


def test_our_own_page_may_switch_the_choice(visitor):
    response = visitor.post("/privacy/object", headers={"Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 303 and visitor.get_cookie("tt_object") is not None


def test_the_page_shows_the_choice_and_takes_it_back(visitor):
    assert page(visitor.get("/privacy")).select_one("form[action='/fr/privacy/object']")
    visitor.post("/privacy/object")
    soup = page(visitor.get("/privacy", headers={"Accept-Language": "en"}))
    assert "You have objected" in text(soup.select_one("#choice ~ .notice"))
    assert soup.select_one("form[action='/en/privacy/withdraw']")
    visitor.post("/privacy/withdraw")
    assert page(visitor.get("/privacy")).select_one("form[action='/fr/privacy/object']")


def test_with_global_privacy_control_the_page_says_the_browser_objects(visitor):
    soup = page(visitor.get("/privacy", headers={"Accept-Language": "en", "Sec-GPC": "1"}))
    assert "Global Privacy Control signal" in text(soup.select_one("#choice ~ .notice"))
    assert not soup.select("#choice ~ form")  # nothing to take back here: it is the browser's


def _without_check(app, slug: str) -> None:
    """The offer asks for no tap (its shop chose "No check"): anyone may take a code."""
    with database(app).transaction() as session:
        offer = session.scalars(select(Offer).where(Offer.slug == slug)).one()
        offer.condition = OfferCondition.NONE


@pytest.mark.parametrize("how", ["button", "gpc"])
def test_an_objecting_visitor_s_offer_views_and_code_carry_no_audience_id(demo_app, visitor, how):
    headers = {"Sec-GPC": "1"} if how == "gpc" else {}
    _without_check(demo_app, CROSS.rsplit("/", 1)[1])
    if how == "button":
        visitor.post("/privacy/object")
    visitor.get(CROSS, headers=headers)
    response = visitor.post(f"{CROSS}/code", headers=headers)
    assert response.status_code == 303
    assert visitor.get_cookie("tt_vid") is None  # no audience cookie comes back this way
    holder = visitor.get_cookie("tt_code")
    assert holder is not None and holder.expires is None  # ends with the browser
    shown = page(visitor.get(CROSS, headers=headers)).select_one("#code ~ .code")
    assert shown is not None  # the visitor still sees their code
    with database(demo_app).sessions() as session:
        views = list(session.scalars(select(OfferView.visitor_id)))
        [code] = session.scalars(select(RedemptionCode.visitor_id))
    assert views and views == [None] * len(views)
    assert code == holder.value


def test_an_objecting_visitor_is_told_a_tap_cannot_be_seen_and_gets_no_code(demo_app, visitor):
    visitor.post("/privacy/object")
    visitor.post(f"{CROSS}/code")  # the demo's offer asks for a tap at La Piscine today
    soup = page(visitor.get(CROSS, headers={"Accept-Language": "en"}))
    assert "you chose not to be counted" in text(soup.select_one("#why"))
    assert soup.select_one("#code ~ .code") is None
    with database(demo_app).sessions() as session:
        assert list(session.scalars(select(RedemptionCode.visitor_id))) == []
