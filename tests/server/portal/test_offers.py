"""Offers: a shop owner writes deals and cross-offers; a partner shop agrees before visitors
see a cross-offer naming it, on the place page, the shop page, the offer page and the API."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from server.db import database
from server.models import Offer, OfferKind, User
from server.services import accounts
from tests.server.portal.conftest import EMAILS, TODAY, Browser, seed_portal
from tests.support.html import page, text, titles

NEW = "/portal/shops/comptoir/offers/new"


def _offer(app, slug: str) -> Offer:
    with database(app).sessions() as session:
        return session.scalars(select(Offer).where(Offer.slug == slug)).one()


def _visible(app, slug: str) -> dict[str, bool]:
    visitor = app.test_client()
    offer = _offer(app, slug)
    api = visitor.get("/api/v1/offers").get_json()["items"]
    return {
        "place": offer.title["fr"] in titles(page(visitor.get("/p/la-piscine"))),
        "shop": offer.title["fr"]
        in text(page(visitor.get(f"/shop/{offer.shop.slug}")).find("main")),
        "offer": visitor.get(f"/offer/{slug}").status_code == 200,
        "api": slug in [item["slug"] for item in api],
    }


def _form(**values: str) -> dict[str, str]:
    today = TODAY
    return {
        "kind": "deal",
        "title_fr": "Une boisson offerte",
        "title_en": "A free drink",
        "conditions_fr": "Pour un gâteau acheté.",
        "valid_from": today.isoformat(),
        "valid_until": (today + dt.timedelta(days=10)).isoformat(),
        "hours_mode": "shop",
        **values,
    }


def test_a_new_deal_shows_on_the_visitor_pages(app, seed, signed_in):
    owner = signed_in("owner")
    assert owner.post(NEW, _form()).status_code == 303
    [offer] = [o for o in _all(app) if o.title["fr"] == "Une boisson offerte"]
    assert offer.slug == "comptoir-une-boisson-offerte" and offer.kind is OfferKind.DEAL
    assert _visible(app, offer.slug) == {"place": True, "shop": True, "offer": True, "api": True}
    listed = text(page(owner.get("/portal/shops/comptoir/offers")).find("main"))
    assert "A free drink" in listed  # in the reader's language


def _all(app) -> list[Offer]:
    with database(app).sessions() as session:
        return list(session.scalars(select(Offer)))


def test_days_and_hours_are_written_as_opening_hours(app, seed, signed_in):
    form = _form(hours_mode="week", Mo_open1="07:00", Mo_close1="10:00", Tu_open1="07:00")
    form["Tu_close1"] = "10:00"
    assert signed_in("owner").post(NEW, form).status_code == 303
    assert _offer(app, "comptoir-une-boisson-offerte").hours == "Mo-Tu 07:00-10:00"


def test_a_refused_offer_keeps_the_form_and_says_what_to_fix(app, seed, signed_in):
    form = _form(
        title_fr="", title_en="", valid_until="2001-01-01", quota="lots", kind="cross", partner=""
    )
    response = signed_in("owner").post(NEW, form)
    assert response.status_code == 422
    soup = page(response)
    for field in ("title_fr", "quota", "partner"):
        assert soup.find(id=f"f-{field}")["aria-invalid"] == "true", field
    assert soup.find(id="f-conditions_fr").get_text() == "Pour un gâteau acheté."
    assert len(_all(app)) == 2


def test_a_cross_offer_with_a_partner_waits_for_its_agreement(app, seed, signed_in):
    partner_offer = seed.partner_offer  # L'Atelier's offer for the Comptoir's customers
    assert _visible(app, partner_offer) == dict.fromkeys(("place", "shop", "offer", "api"), False)
    owner = signed_in("owner")  # keeps the Comptoir
    home = text(page(owner.get("/portal/")).find("main"))
    assert "-15 %" in home  # waiting for the Comptoir's agreement
    assert owner.post(f"/portal/shops/comptoir/partners/{partner_offer}/agree").status_code == 303
    assert _offer(app, partner_offer).partner_agreed_at is not None
    assert _visible(app, partner_offer)["offer"] and _visible(app, partner_offer)["api"]
    assert (
        owner.post(f"/portal/shops/comptoir/partners/{partner_offer}/withdraw").status_code == 303
    )
    assert not _visible(app, partner_offer)["offer"]


def test_the_partner_s_code_button_is_refused_until_it_agrees(app, seed):
    visitor = app.test_client()
    assert visitor.post(f"/offer/{seed.partner_offer}/code").status_code == 404


def test_changing_the_partner_asks_again(app, seed, signed_in):
    other = signed_in("other_owner")  # keeps L'Atelier, whose offer names the Comptoir
    signed_in("owner").post(f"/portal/shops/comptoir/partners/{seed.partner_offer}/agree")
    path = f"/portal/shops/atelier/offers/{seed.partner_offer}"
    form = _form(kind="cross", partner="place:la-piscine", title_fr="-15 % avec le billet")
    assert other.post(path, form).status_code == 303
    offer = _offer(app, seed.partner_offer)
    assert offer.trigger_place_id is not None and offer.partner_shop_id is None
    form = _form(kind="cross", partner="shop:comptoir", title_fr="-15 % pour le Comptoir")
    assert other.post(path, form).status_code == 303
    assert _offer(app, seed.partner_offer).partner_agreed_at is None


def test_a_cross_offer_between_two_shops_of_one_owner_is_agreed_at_once(app, seed, signed_in):
    with database(app).transaction() as session:
        owner = session.get(User, seed.users["owner"])
        accounts.give_shop(session, owner, _offer(app, seed.partner_offer).shop_id)
    form = _form(kind="cross", partner="shop:atelier", title_fr="Pour les clients de l'Atelier")
    assert signed_in("owner").post(NEW, form).status_code == 303
    assert _offer(app, "comptoir-pour-les-clients-de-l-atelier").partner_agreed_at is not None


def test_a_shop_owner_cannot_agree_for_another_shop(app, seed, signed_in):
    other = signed_in("other_owner")
    response = other.post(f"/portal/shops/comptoir/partners/{seed.partner_offer}/agree")
    assert response.status_code == 404
    assert _offer(app, seed.partner_offer).partner_agreed_at is None


def test_ending_an_offer_takes_it_down(app, seed, signed_in):
    owner = signed_in("owner")
    assert owner.post(f"/portal/shops/comptoir/offers/{seed.offer}/end").status_code == 303
    offer = _offer(app, seed.offer)
    assert offer.valid_until == TODAY - dt.timedelta(days=1)  # the shop's day, not UTC's
    assert not _visible(app, seed.offer)["place"]


def test_an_edit_with_review_on_waits_and_staff_approve_it(app, seed, signed_in):
    from sqlalchemy import update

    from server.models import PendingChange, Territory

    with database(app).transaction() as session:
        session.execute(update(Territory).values(review_changes=True))
    owner = signed_in("owner")
    assert owner.post(NEW, _form(title_fr="En attente")).status_code == 303
    assert [o for o in _all(app) if o.title["fr"] == "En attente"] == []
    with database(app).sessions() as session:
        change = session.scalars(select(PendingChange)).one()
    assert signed_in("staff").post(f"/portal/staff/review/{change.id}/approve").status_code == 303
    assert _visible(app, "comptoir-en-attente")["place"]


def test_a_cross_offer_states_its_condition_and_limits(app, seed, signed_in):
    owner = signed_in("owner")
    form = _form(kind="cross", partner="kind:museum", daily_quota="20", per_visitor="2")
    assert owner.post(NEW, form).status_code == 303
    with database(app).sessions() as session:
        offer = session.scalars(select(Offer).order_by(Offer.id.desc())).first()
    assert (offer.condition, offer.trigger_kind) == ("tap kind", "museum")
    assert (offer.daily_quota, offer.per_visitor) == (20, 2)
    edit = page(owner.get(f"/portal/shops/comptoir/offers/{offer.slug}"))
    assert edit.find("option", value="kind:museum").has_attr("selected")
    assert edit.find(id="c-check").has_attr("checked")
    unchecked = _form(kind="cross", partner="kind:museum", check="none", title_fr="Sans contrôle")
    assert owner.post(NEW, unchecked).status_code == 303
    with database(app).sessions() as session:
        offer = session.scalars(select(Offer).order_by(Offer.id.desc())).first()
    assert offer.condition == "none"
    refused = owner.post(NEW, _form(kind="cross", partner="kind:museum", daily_quota="lots"))
    assert refused.status_code == 422 or "whole number" in refused.get_data(as_text=True)


def test_the_same_offer_sent_at_once_is_saved_under_slugs_of_its_own(committed_app):
    """An owner sending the new-offer form from several tabs at the same moment: each offer
    is saved (before, all but one failed on the unique slug with an HTTP 500)."""
    seed_portal(committed_app)
    many = 6
    tabs = [Browser(committed_app.test_client()) for _ in range(many)]
    for tab in tabs:
        assert tab.login(EMAILS["owner"]).status_code == 303
    tokens = [tab.token() for tab in tabs]
    start = threading.Barrier(many)

    def send(index: int) -> int:
        start.wait(timeout=30)
        data = _form() | {"csrf_token": tokens[index]}
        return tabs[index].client.post(NEW, data=data).status_code

    with ThreadPoolExecutor(max_workers=many) as pool:
        assert list(pool.map(send, range(many))) == [303] * many
    with database(committed_app).sessions() as session:
        slugs = set(session.scalars(select(Offer.slug).where(Offer.slug.like("comptoir-une-%"))))
    base = "comptoir-une-boisson-offerte"
    assert slugs == {base} | {f"{base}-{number}" for number in range(2, many + 1)}
