"""The brand in the portal: a territory's own brand edited (refused field by field when a colour
is too light or a logo unusable), and the brand in the mails it sends (a real local SMTP
server, aiosmtpd)."""

from __future__ import annotations

import re
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import select

from server.db import database
from server.models import SignupRequest, Territory
from server.services import branding
from tests.server.portal.conftest import EMAILS, Browser
from tests.server.portal.test_listing import _form
from tests.server.portal.test_mail import smtp  # noqa: F401  (the local SMTP server fixture)
from tests.server.portal.test_signup import GOOD
from tests.support.html import page, text

pytestmark = pytest.mark.parametrize("database_kind", ["sqlite"])
PATH = "/portal/admin/territories/roubaix"
DEMO_LOGO = str(Path("server/demo/logo.svg").resolve())
ENJOY = {"BRAND_SERVICE_NAME": "Enjoy-MEL", "BRAND_OPERATOR_NAME": "Métropole Européenne"}


def _errors(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {p["id"].removeprefix("e-"): text(p) for p in page(response).select("p.error[id]")}


def _brand_of(app: Flask, slug: str = "roubaix") -> dict | None:
    with database(app).sessions() as session:
        return session.scalars(select(Territory.brand).where(Territory.slug == slug)).one()


def test_a_territory_s_brand_is_edited_and_refused_field_by_field(app, seed, signed_in):
    admin = signed_in("administrator")
    form = _form(admin.get(PATH))
    assert {name for name in form if name.startswith("brand_")} == {
        f"brand_{name}" for name in branding.FIELDS
    }
    wrong = admin.post(
        PATH,
        form
        | {
            "brand_service_name": "Roubaix Sorties",
            "brand_primary_color": "#777777",
            "brand_accent_color": "rouge",
            "brand_logo": "/nowhere/logo.png",
        },
    )
    assert wrong.status_code == 422
    errors = _errors(wrong)
    assert errors["brand_primary_color"] == (
        "#777777 against white has a contrast of 4.48:1, below the 4.50:1 WCAG AA asks for "
        "text: choose a darker colour."
    )
    assert errors["brand_accent_color"] == "Write a colour like #0b57d0."
    assert errors["brand_logo"].startswith("The logo /nowhere/logo.png cannot be read")
    assert _brand_of(app) is None  # nothing saved
    # What was typed stays in the form, to be mended.
    assert page(wrong).find(id="f-brand_service_name")["value"] == "Roubaix Sorties"
    chosen = {
        "brand_service_name": "Roubaix Sorties",
        "brand_operator_name": "Ville de Roubaix",
        "brand_primary_color": "#1B5E7A",
        "brand_logo": DEMO_LOGO,
        "brand_contact_url": "https://www.roubaix.example/contact",
    }
    assert admin.post(PATH, form | chosen).status_code == 303
    assert _brand_of(app) == {
        "service_name": "Roubaix Sorties",
        "operator_name": "Ville de Roubaix",
        "primary_color": "#1b5e7a",
        "logo": DEMO_LOGO,
        "contact_url": "https://www.roubaix.example/contact",
    }
    log = page(admin.get("/portal/admin/audit?target=territory:1"))
    rows = {
        text(r.th): text(r.find_all("td", recursive=False)[1])
        for r in log.select("table.changes > tbody > tr")
    }
    assert rows["Service name"] == "Roubaix Sorties" and rows["Main colour"] == "#1b5e7a"
    visitor = page(app.test_client().get("/t/roubaix", headers={"Accept-Language": "en"}))
    assert text(visitor.select_one("header .brand")) == "Roubaix Sorties"
    assert visitor.select_one("header .brand img")["src"] == "/brand/roubaix/logo.svg"
    # Emptied, a field goes back to the deployment's value.
    emptied = _form(admin.get(PATH)) | {"brand_service_name": ""}
    assert admin.post(PATH, emptied).status_code == 303
    assert "service_name" not in (_brand_of(app) or {})
    visitor = page(app.test_client().get("/t/roubaix", headers={"Accept-Language": "en"}))
    assert text(visitor.select_one("header .brand")) == "TapTrail"


@pytest.mark.parametrize(
    ("language", "legend", "said"),
    [
        ("fr", "Marque sur les pages de ce territoire", "sous les 4.50:1"),
        ("nl", "Huisstijl op de pagina's van dit gebied", "onder de 4.50:1"),
        ("en", "Brand on this territory's pages", "below the 4.50:1"),
    ],
)
def test_the_brand_editor_speaks_french_dutch_and_english(app, seed, language, legend, said):
    admin = Browser(app.test_client(), language)
    assert admin.login(EMAILS["administrator"]).status_code == 303
    editor = page(admin.get(PATH))
    assert legend in [text(node) for node in editor.select("legend")]
    wrong = admin.post(PATH, _form(admin.get(PATH)) | {"brand_accent_color": "#999999"})
    assert said in _errors(wrong)["brand_accent_color"]


def test_a_png_logo_that_is_not_a_png_is_refused_in_the_form(app, seed, signed_in, tmp_path):
    fake = tmp_path / "logo.png"
    fake.write_text("<svg/>")
    admin = signed_in("administrator")
    wrong = admin.post(PATH, _form(admin.get(PATH)) | {"brand_logo": str(fake)})
    assert _errors(wrong)["brand_logo"] == f"The logo {fake} is not a PNG file."
    good = tmp_path / "good.png"
    Image.new("RGB", (64, 64), "#1b5e7a").save(good)
    assert admin.post(PATH, _form(admin.get(PATH)) | {"brand_logo": str(good)}).status_code == 303


def _subject(message) -> str:  # type: ignore[no-untyped-def]
    """The subject as read, its long line unfolded."""
    return " ".join(str(make_header(decode_header(message["Subject"]))).split())


def _mail_on(app: Flask, port: int, **extra: str) -> None:
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_TLS="none", **extra)
    app.extensions["taptrail.brand"] = branding.deployment(
        ENJOY | {"BRAND_CONTACT_URL": "bonjour@enjoy.example"}
    )


def test_an_invitation_is_mailed_under_the_brand(app, seed, signed_in, smtp):  # noqa: F811
    inbox, port = smtp
    _mail_on(app, port, SMTP_FROM="portal@example.org")
    admin = signed_in("administrator")
    assert text(page(admin.get("/portal/")).select_one("header .brand")) == "Enjoy-MEL"
    admin.post("/portal/admin/users", {"email": "mailed@example.org", "role": "analyst"})
    [message] = inbox.messages
    assert message["From"] == "Enjoy-MEL <portal@example.org>"
    assert _subject(message) == (
        "Votre compte Enjoy-MEL / Uw Enjoy-MEL-account / Your Enjoy-MEL account"
    )
    body = message.get_payload(decode=True).decode().replace("\r\n", "\n")
    assert "Un compte Enjoy-MEL a été créé pour vous." in body
    assert "A Enjoy-MEL account has been created for you." in body
    assert "Enjoy-MEL\nUn service de Métropole Européenne\nbonjour@enjoy.example" in body
    assert "Enjoy-MEL\nA service of Métropole Européenne\nbonjour@enjoy.example" in body
    assert "TapTrail" not in body


def test_a_sender_named_in_the_settings_keeps_its_name(app, seed, signed_in, smtp):  # noqa: F811
    inbox, port = smtp
    _mail_on(app, port, SMTP_FROM="Mairie <portal@example.org>")
    signed_in("administrator").post(
        "/portal/admin/users", {"email": "mailed@example.org", "role": "analyst"}
    )
    assert inbox.messages[0]["From"] == "Mairie <portal@example.org>"


def test_reset_and_refusal_mails_carry_the_brand(app, seed, signed_in, smtp):  # noqa: F811
    inbox, port = smtp
    _mail_on(app, port)
    Browser(app.test_client()).post("/portal/password/forgot", {"email": EMAILS["owner"]})
    [reset] = inbox.messages
    assert _subject(reset) == (
        "Nouveau mot de passe Enjoy-MEL / Nieuw Enjoy-MEL-wachtwoord / Your new Enjoy-MEL password"
    )
    assert reset["From"].startswith("Enjoy-MEL <")
    body = reset.get_payload(decode=True).decode().replace("\r\n", "\n")
    assert "a new Enjoy-MEL password for" in body and "TapTrail" not in body
    Browser(app.test_client(), "nl").post("/portal/signup", GOOD)
    with database(app).sessions() as session:
        request_id = session.scalars(select(SignupRequest.id)).one()
    staff = signed_in("staff")
    staff.post(f"/portal/staff/signups/{request_id}/refuse", {"reason": "Geen winkel hier"})
    refusal = inbox.messages[1]
    assert _subject(refusal) == "Uw inschrijving bij Enjoy-MEL"
    body = refusal.get_payload(decode=True).decode().replace("\r\n", "\n")
    assert re.search(r"interesse in Enjoy-MEL", body) and "Een dienst van Métropole" in body


def test_the_portal_s_own_words_name_the_brand(app, seed, signed_in):
    from server.errors import N_, Problem
    from server.web.problems import said

    app.extensions["taptrail.brand"] = branding.deployment(ENJOY)
    users = page(signed_in("administrator").get("/portal/admin/users"))
    assert "Enjoy-MEL team" in text(users.main) and "TapTrail" not in text(users.main)
    expired = Problem(N_("This link has expired. Ask the %(service)s team for a new one."))
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert said(expired).endswith("à l\u2019équipe Enjoy-MEL.")


def test_a_merchant_s_data_download_says_which_service_holds_it(app, seed, signed_in):
    import io
    import zipfile

    app.extensions["taptrail.brand"] = branding.deployment(ENJOY)
    owner = signed_in("owner")
    archive = zipfile.ZipFile(io.BytesIO(owner.get("/portal/account/data.zip").data))
    readme = archive.read("README.txt").decode()
    assert readme.startswith(f"Everything Enjoy-MEL holds about the account {EMAILS['owner']}")
