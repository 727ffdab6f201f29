"""The brand's checks: WCAG contrast, the TAPTRAIL_BRAND_* settings, logos, and `taptrail brand`."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from server import create_app
from server.cli import main
from server.config import ConfigError
from server.db import make_engine
from server.errors import Problems
from server.models import AuditEntry, Territory
from server.services import branding, contrast, logos
from tests.server.conftest import settings

DEMO_LOGO = Path("server/demo/logo.svg")


@pytest.mark.parametrize(
    ("first", "second", "said"),
    [
        ("#777777", "#ffffff", "4.48:1"),  # WCAG's own example of a grey that fails AA
        ("#767676", "#ffffff", "4.54:1"),  # the lightest grey that passes
        ("#000000", "#ffffff", "21.00:1"),
        ("#ffffff", "#ffffff", "1.00:1"),
        ("#fff", "#000", "21.00:1"),
        ("#0b57d0", "#ffffff", "6.39:1"),
    ],
)
def test_the_contrast_ratio_matches_wcag_s_published_values(first, second, said):
    assert contrast.shown(contrast.ratio(first, second)) == said
    assert contrast.ratio(first, second) == contrast.ratio(second, first)


def test_a_ratio_just_under_the_minimum_never_reads_as_the_minimum():
    assert contrast.shown(4.4972) == "4.497:1"
    assert contrast.shown(4.5) == "4.50:1"


def test_a_colour_too_light_for_white_text_is_refused_with_the_ratio_found():
    with pytest.raises(ValueError) as refused:
        branding.colour("#777777")
    message = refused.value.args[0] % refused.value.args[1]
    assert message == (
        "#777777 against white has a contrast of 4.48:1, below the 4.50:1 WCAG AA asks for "
        "text: choose a darker colour."
    )
    assert branding.colour("#1B5E7A") == "#1b5e7a"
    with pytest.raises(ValueError, match="like #0b57d0"):
        branding.colour("blue")


def _app(tmp_path: Path, keyring, **brand):  # type: ignore[no-untyped-def]
    return create_app(settings(tmp_path, f"sqlite:///{tmp_path / 'db'}", keyring, **brand))


def test_a_low_contrast_setting_stops_the_server_with_one_sentence(tmp_path, keyring):
    with pytest.raises(ConfigError) as refused:
        _app(tmp_path, keyring, BRAND_SERVICE_NAME="Enjoy-MEL", BRAND_PRIMARY_COLOR="#777777")
    assert str(refused.value) == (
        "TAPTRAIL_BRAND_PRIMARY_COLOR: #777777 against white has a contrast of 4.48:1, below the "
        "4.50:1 WCAG AA asks for text: choose a darker colour."
    )


def test_the_brand_comes_from_a_file_then_the_settings(tmp_path, keyring):
    shutil.copy(DEMO_LOGO, tmp_path / "mark.svg")
    brand_file = tmp_path / "brand.yaml"
    brand_file.write_text(
        'service_name: "Enjoy-MEL"\noperator_name: "Métropole"\nlogo: mark.svg\n'
        'contact_url: "hello@enjoy.example"\n'
    )
    app = _app(tmp_path, keyring, BRAND_FILE=str(brand_file), BRAND_ACCENT_COLOR="#2e6b30")
    brand = branding.of_app(app.extensions)
    assert (brand.service_name, brand.operator, brand.logo, brand.logo_kind) == (
        "Enjoy-MEL",
        "Métropole",
        str(tmp_path / "mark.svg"),
        "svg",
    )
    assert (brand.accent_color, brand.primary_color) == ("#2e6b30", branding.DEFAULT.primary_color)
    assert brand.contact_url == "mailto:hello@enjoy.example"
    brand_file.write_text("colour: red\n")
    with pytest.raises(ConfigError, match="must be a mapping of service_name"):
        _app(tmp_path, keyring, BRAND_FILE=str(brand_file))
    # A YAML escape can bring a NUL, which no page, manifest or mail header should carry.
    brand_file.write_text('service_name: "Enjoy\\0MEL"\noperator_name: "MEL\\x07"\n')
    with pytest.raises(ConfigError) as refused:
        _app(tmp_path, keyring, BRAND_FILE=str(brand_file))
    assert str(refused.value) == (
        f"service_name in {brand_file}: Remove the control characters (such as NUL) from this "
        "value."
    )
    brand_file.write_text("service_name: >\n  Enjoy\n  MEL\n")  # folded, ends in a line break
    assert branding.of_app(_app(tmp_path, keyring, BRAND_FILE=str(brand_file)).extensions) == (
        branding.Brand(service_name="Enjoy MEL")
    )


def test_without_brand_settings_the_service_is_taptrail(tmp_path, keyring):
    brand = branding.of_app(_app(tmp_path, keyring).extensions)
    assert brand == branding.DEFAULT and brand.operator == "TapTrail"


@pytest.mark.parametrize(
    ("svg", "said"),
    [
        ('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "<script>"),
        ('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "onload="),
        (
            '<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
            '<image x:href="https://tracker.example/p.png"/></svg>',
            "href=https://tracker.example",
        ),
        (
            '<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:url(https://x.example/a)"'
            "/></svg>",
            "url()",
        ),
        (
            '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]>'
            '<svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
            "<!DOCTYPE>",
        ),
        (
            '<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p>hi</p></foreignObject>'
            "</svg>",
            "<foreignobject>",
        ),
        # The same refusals whatever hides them: the file's encoding, CSS escapes, CSS that
        # fetches without url(), a url() after a child of <style>.
        (
            (
                '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE svg [<!ENTITY a "aaaa">]>'
                '<svg xmlns="http://www.w3.org/2000/svg">&a;</svg>'
            ).encode("utf-16"),
            "<!DOCTYPE>",
        ),
        (
            '<svg xmlns="http://www.w3.org/2000/svg"><style>rect{fill:u\\72l(https://x.example/a)}'
            "</style></svg>",
            "\\",
        ),
        (
            '<svg xmlns="http://www.w3.org/2000/svg"><style>rect{background:image-set('
            '"https://x.example/a.png" 1x)}</style></svg>',
            "image-set(",
        ),
        (
            '<svg xmlns="http://www.w3.org/2000/svg"><style>a{}<x/>rect{fill:url(https://x.exam'
            "ple/a)}</style></svg>",
            "url()",
        ),
    ],
)
def test_an_svg_logo_that_could_run_or_fetch_something_is_refused(tmp_path, keyring, svg, said):
    logo = tmp_path / "logo.svg"
    logo.write_bytes(svg if isinstance(svg, bytes) else svg.encode())
    with pytest.raises(ConfigError) as refused:
        _app(tmp_path, keyring, BRAND_LOGO=str(logo))
    assert str(refused.value).startswith(f"TAPTRAIL_BRAND_LOGO: The logo {logo} holds {said}")
    assert "save it as a plain SVG" in str(refused.value)


def test_a_logo_that_is_not_an_svg_or_a_png_is_refused(tmp_path):
    (tmp_path / "logo.png").write_bytes(b"GIF89a not a png")
    (tmp_path / "logo.svg").write_text("<html><body>no</body></html>")
    (tmp_path / "logo.jpg").write_bytes(b"")
    with pytest.raises(logos.LogoError, match="not a PNG file"):
        logos.check(str(tmp_path / "logo.png"))
    with pytest.raises(logos.LogoError, match="not a readable SVG file"):
        logos.check(str(tmp_path / "logo.svg"))
    with pytest.raises(logos.LogoError, match="SVG or PNG"):
        logos.check(str(tmp_path / "logo.jpg"))
    with pytest.raises(logos.LogoError, match="cannot be read"):
        logos.check(str(tmp_path / "missing.png"))
    Image.new("RGB", (80, 40), "#1b5e7a").save(tmp_path / "logo.png")
    assert logos.check(str(tmp_path / "logo.png")) == str(tmp_path / "logo.png")
    assert logos.check(str(DEMO_LOGO)) == str(DEMO_LOGO)  # the demo's own logo passes


def test_a_huge_or_endless_logo_file_is_refused_without_reading_it_all(tmp_path):
    huge = tmp_path / "huge.svg"
    with huge.open("wb") as file:
        file.truncate(50 * 1024 * 1024)  # 50 MB (sparse): refused after 512 KB are read
    with pytest.raises(logos.LogoError, match="over 512 KB"):
        logos.check(str(huge))
    os.mkfifo(tmp_path / "pipe.svg")  # nothing writes to it: reading it would never end
    with pytest.raises(logos.LogoError, match="cannot be read"):
        logos.check(str(tmp_path / "pipe.svg"))


@pytest.fixture
def environment(monkeypatch, tmp_path, sqlite_template, keyring):  # type: ignore[no-untyped-def]
    shutil.copy(sqlite_template, tmp_path / "taptrail.db")
    url = f"sqlite:///{tmp_path / 'taptrail.db'}"
    for name, value in settings(tmp_path, url, keyring).items():
        if isinstance(value, str):
            monkeypatch.setenv(f"TAPTRAIL_{name}", value)
    monkeypatch.setenv("TAPTRAIL_DRAIN_THREAD", "false")
    monkeypatch.setenv("TAPTRAIL_BRAND_SERVICE_NAME", "Enjoy-MEL")
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(
            Territory.__table__.insert().values(
                slug="roubaix", name="Roubaix", latitude=50.69, longitude=3.17, description={}
            )
        )
    engine.dispose()
    return url


def test_a_territory_s_brand_is_set_shown_and_cleared_from_the_command_line(runner, environment):
    shown = runner.invoke(main, ["brand", "show", "--territory", "roubaix"])
    assert shown.exit_code == 0, shown.output
    assert "service_name: Enjoy-MEL\n" in shown.output and "own" not in shown.output
    options = ["--service-name", "Roubaix Sorties", "--accent-color", "#7a4a00"]
    made = runner.invoke(main, ["brand", "set", "--territory", "roubaix", *options])
    assert made.exit_code == 0, made.output
    shown = runner.invoke(main, ["brand", "show", "--territory", "roubaix"]).output
    assert "service_name: Roubaix Sorties (this territory's own)" in shown
    assert "accent_color: #7a4a00 (this territory's own)" in shown
    assert f"primary_color: {branding.DEFAULT.primary_color}\n" in shown
    assert "service_name: Enjoy-MEL\n" in runner.invoke(main, ["brand", "show"]).output
    cleared = runner.invoke(
        main, ["brand", "set", "--territory", "roubaix", "--clear", "service_name"]
    )
    assert cleared.exit_code == 0, cleared.output
    shown = runner.invoke(main, ["brand", "show", "--territory", "roubaix"]).output
    assert "service_name: Enjoy-MEL\n" in shown and "#7a4a00 (this territory's own)" in shown
    engine = make_engine(environment)
    with engine.connect() as connection:
        actions = connection.execute(select(AuditEntry.action)).scalars().all()
    engine.dispose()
    assert actions == ["territory.brand", "territory.brand"]
    # Every value cleared: nothing of its own, stored as the portal stores it (no brand).
    cleared = runner.invoke(
        main, ["brand", "set", "--territory", "roubaix", "--clear", "accent_color"]
    )
    assert cleared.exit_code == 0, cleared.output
    engine = make_engine(environment)
    with engine.connect() as connection:
        stored = connection.execute(
            select(Territory.brand).where(Territory.slug == "roubaix")
        ).scalar_one()
    engine.dispose()
    assert stored is None


def test_a_low_contrast_colour_is_refused_by_the_command_and_nothing_changes(runner, environment):
    refused = runner.invoke(
        main,
        [
            "brand",
            "set",
            "--territory",
            "roubaix",
            "--service-name",
            "X",
            "--primary-color",
            "#777",
        ],
    )
    assert refused.exit_code == 1
    assert refused.output.strip() == (
        "Error: --primary-color: #777777 against white has a contrast of 4.48:1, below the "
        "4.50:1 WCAG AA asks for text: choose a darker colour. Nothing was changed."
    )
    shown = runner.invoke(main, ["brand", "show", "--territory", "roubaix"]).output
    assert "service_name: Enjoy-MEL\n" in shown
    missing = runner.invoke(main, ["brand", "set", "--territory", "nowhere", "--logo", "x.svg"])
    assert missing.exit_code == 1 and "no territory 'nowhere'" in missing.output


def test_the_deployment_brand_is_used_where_a_territory_sets_nothing():
    base = branding.Brand(service_name="Enjoy-MEL", operator_name="MEL")
    mine = Territory(slug="x", name="X", latitude=0, longitude=0, brand={"service_name": "Lens"})
    assert branding.for_territory(base, mine).service_name == "Lens"
    assert branding.for_territory(base, mine).operator == "MEL"
    assert branding.for_territory(base, None) == base
    with pytest.raises(Problems, match="contrast"):
        branding.set_territory(mine, {"accent_color": "#aaaaaa"})
    assert mine.brand == {"service_name": "Lens"}  # unchanged by the refusal


def test_a_batch_s_manifest_names_the_brand_for_its_labels(app, client):  # SQLite and PostgreSQL
    from server.db import database
    from tests.server.factories import place, token

    app.extensions["taptrail.brand"] = branding.deployment(
        {"BRAND_SERVICE_NAME": "Enjoy-MEL", "BRAND_OPERATOR_NAME": "MEL"}
    )
    place(app)
    headers = {"Authorization": f"Bearer {token(app, 'encode')}"}
    made = client.post("/api/v1/batches", json={"place": "la-piscine", "count": 1}, headers=headers)
    assert made.json["brand"] == {"service_name": "Enjoy-MEL", "operator_name": "MEL"}
    with database(app).transaction() as session:
        territory = session.scalars(select(Territory)).one()
        branding.set_territory(territory, {"operator_name": "Ville de Roubaix"})
    again = client.get(f"/api/v1/batches/{made.json['batch']}", headers=headers)
    assert again.json["brand"] == {"service_name": "Enjoy-MEL", "operator_name": "Ville de Roubaix"}


@pytest.mark.parametrize("database_kind", ["sqlite"])
def test_a_sticker_s_link_preview_names_its_territory_s_brand(app, client):
    from server.db import database
    from tests.server.factories import installed_sticker
    from tests.server.test_tap_machines import PREVIEWS

    app.extensions["taptrail.brand"] = branding.deployment({"BRAND_SERVICE_NAME": "Enjoy-MEL"})
    sticker = installed_sticker(app)
    path = sticker["url"].removeprefix("https://t.example.org")
    preview = client.get(path, headers={"User-Agent": PREVIEWS["WhatsApp"]}).text
    assert '<meta property="og:site_name" content="Enjoy-MEL">' in preview
    assert '<meta property="og:image" content="http://localhost/icons/512.png">' in preview
    with database(app).transaction() as session:
        territory = session.scalars(select(Territory)).one()
        branding.set_territory(territory, {"service_name": "Roubaix Sorties"})
    preview = client.get(path, headers={"User-Agent": PREVIEWS["WhatsApp"]}).text
    assert '<meta property="og:site_name" content="Roubaix Sorties">' in preview
