"""A shop signs itself up: bad input is refused field by field; staff approve (the shop and the
owner's account are made, the owner is mailed a link) or refuse with a reason mailed in the
applicant's language. Then the owner signs in, edits the listing, and after review it is
online. Mail goes through a real local SMTP server (aiosmtpd)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, update

from server.db import database
from server.models import Shop, SignupRequest, SignupStatus, Territory
from server.services.signups import luhn_valid, siret
from tests.server.portal.conftest import EMAILS, Browser
from tests.server.portal.test_listing import _form
from tests.server.portal.test_mail import smtp  # noqa: F401  (the local SMTP server fixture)
from tests.support.html import page, text

GOOD = {
    "business_name": "Chez Nadia, épicerie fine",
    "siret": "732 829 320 00074",
    "category": "shop",
    "territory": "roubaix",
    "address": "12 rue de l'Espérance, 59100 Roubaix",
    "latitude": "50.6911",
    "longitude": "3.1790",
    "contact_name": "Nadia Benali",
    "email": "Nadia@Example.org",
    "phone": "03 20 00 00 00",
    "consent": "on",
}
PASSWORD = "une phrase assez longue"


def _errors(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    soup = page(response)
    return {p["id"].removeprefix("e-"): text(p) for p in soup.select("p.error[id]")}


def test_a_siret_passes_the_luhn_check_and_la_poste_s_rule():
    assert luhn_valid("73282932000074") and not luhn_valid("73282932000075")
    assert siret(" 7328 2932 0000 74 ") == "73282932000074"
    assert siret("35600000000010")  # La Poste: the digits add up to a multiple of 5
    for wrong in ("7328293200007", "7328293200007A", "73282932000075", "35600000000011"):
        with pytest.raises(ValueError):
            siret(wrong)


@pytest.mark.parametrize("database_kind", ["sqlite"])
def test_bad_input_gets_a_clear_message_per_field_and_keeps_what_was_typed(app, seed):
    browser = Browser(app.test_client())
    bad = GOOD | {
        "siret": "732 829 320 00075",
        "email": EMAILS["owner"],  # an account exists
        "latitude": "48.8566",  # Paris: not Roubaix
        "longitude": "2.3522",
        "consent": "",
    }
    response = browser.post("/portal/signup", bad)
    assert response.status_code == 422
    errors = _errors(response)
    assert set(errors) == {"siret", "email", "latitude", "consent"}
    assert "check digit" in errors["siret"] and "already has an account" in errors["email"]
    assert "km from Roubaix" in errors["latitude"] and "accept the terms" in errors["consent"]
    assert page(response).find(id="f-business_name")["value"] == GOOD["business_name"]
    french = Browser(app.test_client(), "fr").post("/portal/signup", bad)
    assert "clé de contrôle" in _errors(french)["siret"]
    with database(app).sessions() as session:
        assert session.scalars(select(SignupRequest)).all() == []
    browser.post("/portal/signup", GOOD)
    again = browser.post("/portal/signup", GOOD)  # the same address while the first waits
    assert "already has an account or a request" in _errors(again)["email"]


@pytest.mark.parametrize("database_kind", ["sqlite"])
def test_sign_up_approval_first_sign_in_listing_edit_review_online(app, seed, signed_in, smtp):  # noqa: F811
    inbox, port = smtp
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_TLS="none")
    with database(app).transaction() as session:
        session.execute(update(Territory).values(review_changes=True))
    applicant = Browser(app.test_client())
    sent = applicant.post("/portal/signup", GOOD)
    assert sent.status_code == 200 and "nadia@example.org" in text(page(sent).find("main"))
    staff = signed_in("staff")
    assert "Sign-up requests (1)" in text(page(staff.get("/portal/")).find("main"))
    queue = page(staff.get("/portal/staff/signups"))
    link = queue.find("a", string=GOOD["business_name"])["href"]
    shown = text(page(staff.get(link)).find("main"))
    assert "732 829 320 00074" in shown and "Nadia Benali" in shown
    approved = staff.post(f"{link}/approve")
    assert approved.status_code == 200 and "sent by email" in text(page(approved).find("main"))
    [mail] = inbox.messages
    assert mail["To"] == "nadia@example.org"
    body = mail.get_payload(decode=True).decode()
    assert "Bienvenue sur TapTrail : Chez Nadia, épicerie fine est acceptée" in body
    [invitation] = set(re.findall(r"http://localhost(/portal/invitation/\S+)", body))
    owner = Browser(app.test_client())
    assert owner.post(invitation, {"password": PASSWORD, "again": PASSWORD}).status_code == 303
    home = page(owner.get("/portal/"))
    [shop_link] = [a["href"] for a in home.select("a[href$='/listing']")]
    form = _form(owner.get(shop_link)) | {"description_fr": "Épices, thés et huiles d'olive."}
    assert owner.post(shop_link, form).status_code == 303
    with database(app).sessions() as session:
        shop = session.scalars(select(Shop).where(Shop.name == GOOD["business_name"])).one()
        assert shop.description == {}  # waits for review
        assert (shop.address, shop.latitude) == (GOOD["address"], 50.6911)
    review = page(staff.get("/portal/staff/review"))
    change = review.find("a", string=re.compile("Chez Nadia"))["href"]
    assert staff.post(f"{change}/approve").status_code == 303
    with database(app).sessions() as session:
        shop = session.get(Shop, shop.id)
        assert shop.description == {"fr": "Épices, thés et huiles d'olive."}
    visitor = app.test_client().get(f"/shop/{shop.slug}", headers={"Accept-Language": "fr"})
    assert "Épices, thés et huiles d'olive." in text(page(visitor))


@pytest.mark.parametrize("database_kind", ["sqlite"])
def test_a_refusal_says_why_in_the_applicant_s_language(app, seed, signed_in, smtp):  # noqa: F811
    inbox, port = smtp
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_TLS="none")
    Browser(app.test_client(), "nl").post("/portal/signup", GOOD)
    staff = signed_in("staff")
    with database(app).sessions() as session:
        request_id = session.scalars(select(SignupRequest.id)).one()
    path = f"/portal/staff/signups/{request_id}/refuse"
    empty = staff.post(path, {"reason": "  "})
    assert empty.status_code == 422 and "applicant reads it" in _errors(empty)["reason"]
    assert staff.post(path, {"reason": "Geen winkel op dit adres"}).status_code == 303
    [mail] = inbox.messages
    body = mail.get_payload(decode=True).decode()
    assert mail["Subject"] == "Uw inschrijving bij TapTrail"
    assert "Bedankt voor uw interesse" in body and "Geen winkel op dit adres" in body
    with database(app).sessions() as session:
        found = session.get(SignupRequest, request_id)
        assert (found.status, found.shop_id) == (SignupStatus.REFUSED, None)
    assert staff.post(f"/portal/staff/signups/{request_id}/approve").status_code == 303
    with database(app).sessions() as session:  # decided once: approving later changes nothing
        assert session.scalars(select(Shop).where(Shop.name == GOOD["business_name"])).all() == []
