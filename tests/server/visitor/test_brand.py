"""The brand on what visitors see: pages, the TV view, link previews, the app's manifest and
icons; a territory's own brand on its pages only."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from flask import Flask
from PIL import Image

from server.services import branding, contrast
from server.visitor.branding import LOGO_POLICY
from tests.support.html import page, text

pytestmark = pytest.mark.parametrize("database_kind", ["sqlite"])
DEMO_LOGO = Path("server/demo/logo.svg").resolve()
ENJOY = {
    "BRAND_SERVICE_NAME": "Enjoy-MEL",
    "BRAND_OPERATOR_NAME": "Métropole Européenne de Lille",
    "BRAND_PRIMARY_COLOR": "#7a4a00",
    "BRAND_ACCENT_COLOR": "#2e6b30",
    "BRAND_CONTACT_URL": "bonjour@enjoy.example",
    "BRAND_LEGAL_URL": "https://enjoy.example/mentions-legales",
}


def rebrand(app: Flask, **settings: str) -> None:
    """The deployment's brand from these TAPTRAIL_BRAND_* settings, as create_app loads it."""
    app.extensions["taptrail.brand"] = branding.deployment(settings)


def root_colours(soup) -> dict[str, str]:  # type: ignore[no-untyped-def]
    style = soup.find("style").string
    return dict(re.findall(r"--(primary|accent):(#[0-9a-f]{6})", style))


def test_without_brand_settings_pages_say_taptrail(demo_app, visitor):
    home = page(visitor.get("/", headers={"Accept-Language": "en"}))
    assert text(home.select_one("header .brand")) == "TapTrail"
    assert home.title.string.startswith("TapTrail · ")
    assert root_colours(home) == {"primary": "#0b57d0", "accent": "#b3261e"}


def test_the_brand_settings_change_every_visitor_page(demo_app, visitor):
    rebrand(demo_app, **ENJOY, BRAND_LOGO=str(DEMO_LOGO))
    for path in ("/", "/t/roubaix", "/p/la-piscine", "/shop/comptoir-de-la-piscine"):
        soup = page(visitor.get(path, headers={"Accept-Language": "en"}))
        assert "TapTrail" not in soup.get_text(), path
        assert text(soup.select_one("header .brand")) == "Enjoy-MEL"
        assert soup.select_one("header .brand img")["src"] == "/brand/logo.svg"
        assert soup.select_one("header .brand img")["alt"] == ""  # the name beside says it
        assert text(soup.select_one("nav.legal .by")) == (
            "Enjoy-MEL, a service of Métropole Européenne de Lille"
        )
        links = {text(a): a["href"] for a in soup.select("nav.legal a")}
        assert links["Contact"] == "mailto:bonjour@enjoy.example"
        assert links["Legal notice"] == "https://enjoy.example/mentions-legales"
        assert root_colours(soup) == {"primary": "#7a4a00", "accent": "#2e6b30"}
        assert soup.find("meta", attrs={"name": "theme-color"})["content"] == "#7a4a00"
        assert soup.find("meta", property="og:site_name")["content"] == "Enjoy-MEL"
    home = page(visitor.get("/", headers={"Accept-Language": "en"}))
    assert home.title.string == "Enjoy-MEL · What is near you"
    assert "where you find a Enjoy-MEL sticker" in text(home.main)
    # A page without a photo of its own is previewed with the brand's picture.
    preview = home.find("meta", property="og:image")["content"]
    assert preview == "http://localhost/icons/512.png"
    french = page(visitor.get("/", headers={"Accept-Language": "fr"}))
    assert text(french.select_one("nav.legal .by")) == (
        "Enjoy-MEL, un service de Métropole Européenne de Lille"
    )
    assert "autocollant Enjoy-MEL" in text(french.main)


def test_the_logo_is_served_as_an_image_that_can_run_nothing(demo_app, visitor):
    rebrand(demo_app, BRAND_LOGO=str(DEMO_LOGO))
    logo = visitor.get("/brand/logo.svg")
    assert logo.status_code == 200 and logo.mimetype == "image/svg+xml"
    assert logo.data == DEMO_LOGO.read_bytes()
    assert LOGO_POLICY in logo.headers.getlist("Content-Security-Policy")
    assert "sandbox" in LOGO_POLICY and "script-src" not in LOGO_POLICY
    assert visitor.get("/brand/logo.png").status_code == 404  # the logo is an SVG
    rebrand(demo_app)
    assert visitor.get("/brand/logo.svg").status_code == 404  # no logo at all


def test_the_tv_view_carries_the_brand(demo_app, visitor):
    rebrand(demo_app, **ENJOY)
    board = page(visitor.get("/tv/la-piscine", headers={"Accept-Language": "en"}))
    assert text(board.select_one(".top .by")) == "Enjoy-MEL"
    assert "TapTrail" not in board.get_text()
    assert root_colours(board)["primary"] == "#7a4a00"


def test_the_manifest_follows_the_brand(demo_app, visitor):
    manifest = visitor.get("/manifest.webmanifest").get_json()
    assert (manifest["name"], manifest["theme_color"]) == ("TapTrail", "#0b57d0")
    rebrand(demo_app, **ENJOY | {"BRAND_SERVICE_NAME": "Sortir à Lille Métropole"})
    manifest = visitor.get("/manifest.webmanifest").get_json()
    assert manifest["name"] == "Sortir à Lille Métropole"
    assert manifest["short_name"] == "Sortir à"  # whole words within 12 characters
    assert (manifest["theme_color"], manifest["background_color"]) == ("#7a4a00", "#ffffff")
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}


def _pixels(response) -> Image.Image:  # type: ignore[no-untyped-def]
    assert response.status_code == 200 and response.mimetype == "image/png"
    return Image.open(io.BytesIO(response.data)).convert("RGB")


def test_the_app_icons_are_drawn_from_a_png_logo_or_in_the_brand_s_colour(
    demo_app, visitor, tmp_path
):
    rebrand(demo_app, BRAND_PRIMARY_COLOR="#7a4a00", BRAND_LOGO=str(DEMO_LOGO))
    icon = _pixels(visitor.get("/icons/192.png"))  # an SVG logo: the pin on the primary colour
    assert icon.size == (192, 192) and icon.getpixel((3, 3)) == (0x7A, 0x4A, 0x00)
    logo = tmp_path / "logo.png"
    Image.new("RGB", (300, 100), "#a4262c").save(logo)
    rebrand(demo_app, BRAND_PRIMARY_COLOR="#7a4a00", BRAND_LOGO=str(logo))
    for size in (192, 512):
        icon = _pixels(visitor.get(f"/icons/{size}.png"))
        assert icon.size == (size, size)
        assert icon.getpixel((size // 2, size // 2)) == (0xA4, 0x26, 0x2C)  # the logo, centred
        assert icon.getpixel((3, 3)) == (255, 255, 255)  # on white
        # Inside the maskable icon's safe zone: nothing of the logo in the outer 20 %.
        assert icon.getpixel((size // 2, round(size * 0.19))) == (255, 255, 255)
        assert icon.getpixel((round(size * 0.19), size // 2)) == (255, 255, 255)


def test_a_territory_s_own_brand_shows_on_its_pages_only(demo_app, visitor, tmp_path):
    rebrand(demo_app, **ENJOY, BRAND_LOGO=str(DEMO_LOGO))
    # The demo gives Les Weppes a brand of its own (server/demo/__init__.py).
    for path in ("/t/weppes", "/p/musee-bataille-fromelles", "/shop/estaminet-des-weppes"):
        soup = page(visitor.get(path, headers={"Accept-Language": "en"}))
        assert text(soup.select_one("header .brand")) == "Balades dans les Weppes (démo)", path
        assert text(soup.select_one("nav.legal .by")) == (
            "Balades dans les Weppes (démo), a service of Office de tourisme des Weppes (démo)"
        )
        assert root_colours(soup) == {"primary": "#2e6b30", "accent": "#7a4a00"}
        # What the territory leaves empty comes from the deployment: the logo, the contact.
        assert soup.select_one("header .brand img")["src"] == "/brand/logo.svg"
        assert {text(a): a["href"] for a in soup.select("nav.legal a")}["Contact"] == (
            "mailto:bonjour@enjoy.example"
        )
    for path in ("/", "/t/roubaix", "/p/la-piscine", "/t/lille-wazemmes"):
        soup = page(visitor.get(path, headers={"Accept-Language": "en"}))
        assert text(soup.select_one("header .brand")) == "Enjoy-MEL", path
        assert root_colours(soup)["primary"] == "#7a4a00"


def test_a_territory_s_own_logo_is_served_under_its_slug(demo_app, visitor, tmp_path):
    from sqlalchemy import select

    from server.db import database
    from server.models import Territory

    logo = tmp_path / "weppes.png"
    Image.new("RGB", (120, 60), "#2e6b30").save(logo)
    with database(demo_app).transaction() as session:
        weppes = session.scalars(select(Territory).where(Territory.slug == "weppes")).one()
        branding.set_territory(weppes, dict(weppes.brand or {}) | {"logo": str(logo)})
    soup = page(visitor.get("/t/weppes"))
    assert soup.select_one("header .brand img")["src"] == "/brand/weppes/logo.png"
    assert soup.find("meta", property="og:image")["content"].endswith("/brand/weppes/logo.png")
    served = visitor.get("/brand/weppes/logo.png")
    assert served.status_code == 200 and served.data == logo.read_bytes()
    assert page(visitor.get("/t/roubaix")).select_one("header .brand img") is None
    assert visitor.get("/brand/nowhere/logo.png").status_code == 404


def test_the_demo_brand_reads_well(demo_app):
    brand = branding.deployment({"BRAND_FILE": "server/demo/brand.yaml"})
    assert brand.service_name == "Sortir à Lille (démo)"
    assert brand.operator == "Métropole de Lille-Démo" and brand.logo_kind == "svg"
    for colour in (brand.primary_color, brand.accent_color):
        assert contrast.ratio(colour, "#ffffff") >= contrast.AA_NORMAL_TEXT


def test_a_logo_spoilt_after_it_was_set_is_not_served(demo_app, visitor, tmp_path):
    svg = tmp_path / "logo.svg"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg"><rect width="9" height="9"/></svg>')
    rebrand(demo_app, BRAND_LOGO=str(svg))
    assert visitor.get("/brand/logo.svg").status_code == 200
    # Replaced in place by a file that would have been refused: checked again, not served.
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    assert visitor.get("/brand/logo.svg").status_code == 404
    svg.write_bytes(b" " * (2 * 1024 * 1024))  # far over 512 KB
    assert visitor.get("/brand/logo.svg").status_code == 404
    png = tmp_path / "logo.png"
    Image.new("RGB", (300, 100), "#a4262c").save(png)
    rebrand(demo_app, BRAND_PRIMARY_COLOR="#7a4a00", BRAND_LOGO=str(png))
    png.write_bytes(png.read_bytes()[:100])  # truncated
    assert visitor.get("/brand/logo.png").status_code == 404
    icon = _pixels(visitor.get("/icons/192.png"))  # the pin on the primary colour instead
    assert icon.getpixel((3, 3)) == (0x7A, 0x4A, 0x00)
