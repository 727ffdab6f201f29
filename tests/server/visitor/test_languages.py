"""French by default, English and Dutch: chosen, remembered, and translated everywhere."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from server.i18n import LANGUAGES, TRANSLATIONS, choose_locale, translated
from tests.support.html import page, text

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("cookie", "header", "locale"),
    [
        (None, None, "fr_FR"),
        (None, "de-DE,de;q=0.9", "fr_FR"),  # a language not served here: French
        (None, "de-DE,nl;q=0.8,en;q=0.5", "nl_NL"),
        (None, "en-US,en;q=0.9", "en_US"),  # the region decides how times read
        (None, "en", "en_GB"),
        (None, "nl-BE", "nl_BE"),
        ("en", "nl-BE,nl", "en_GB"),  # the visitor's choice wins over the browser
        ("en", "en-US", "en_US"),
        ("xx", "nl", "nl_NL"),  # a cookie naming no language served here is ignored
        (None, "garbage;;q=", "fr_FR"),
    ],
)
def test_the_language_is_the_visitor_s_choice_then_the_browser_s_then_french(
    cookie, header, locale
):
    assert choose_locale(cookie, header) == locale


def test_translated_text_falls_back_to_french_and_says_so():
    title = {"fr": "Café offert", "en": "Free coffee"}
    assert (translated(title, "en"), translated(title, "en").lang) == ("Free coffee", "en")
    assert (translated(title, "nl"), translated(title, "nl").lang) == ("Café offert", "fr")
    assert translated({"nl": "Alleen Nederlands"}, "en").lang == "nl"
    assert translated({}, "en") == ""


def test_the_switch_remembers_the_language_across_pages(visitor):
    switch = page(visitor.get("/p/la-piscine")).select_one("nav .langs a[lang=nl]")
    assert switch["href"] == "/nl/p/la-piscine"  # the page in Dutch, a link crawlers follow too
    # Followed from one of our pages (the browser says so), it is the visitor's choice.
    response = visitor.get(switch["href"], headers={"Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 200 and "private" in response.headers["Cache-Control"]
    cookie = visitor.get_cookie("tt_lang")
    assert cookie.value == "nl" and cookie.http_only and cookie.max_age > 300 * 24 * 3600
    for path in ("/p/la-piscine", "/t/roubaix", "/shop/comptoir-de-la-piscine", "/"):
        soup = page(visitor.get(path, headers={"Accept-Language": "fr"}))
        assert soup.html["lang"] == "nl", path
        assert soup.select_one(".langs [aria-current]")["lang"] == "nl"


def test_an_unknown_language_leaves_the_page_in_french(visitor):
    response = visitor.get("/lang/klingon?next=/p/la-piscine")
    assert response.status_code == 303 and visitor.get_cookie("tt_lang") is None
    assert (
        page(visitor.get("/p/la-piscine", headers={"Accept-Language": "tlh"})).html["lang"] == "fr"
    )


@pytest.mark.parametrize("target", ["//elsewhere.example/x", "https://elsewhere.example", "\\\\x"])
def test_the_switch_only_comes_back_to_this_site(visitor, target):
    assert visitor.get(f"/lang/en?next={target}").headers["Location"] == "/en/"


def test_times_follow_the_visitor_s_region(visitor):
    american = text(page(visitor.get("/p/la-piscine", headers={"Accept-Language": "en-US"})))
    british = text(page(visitor.get("/p/la-piscine", headers={"Accept-Language": "en-GB"})))
    assert " PM" in american and " PM" not in british


def _catalogue(lang: str):
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return read_po(source, locale=lang)


def test_every_visitor_facing_message_is_translated_in_every_language():
    mapping = [("**.py", "python"), ("templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    used = {
        message[2] if isinstance(message[2], str) else message[2][0]
        for message in extract_from_dir(ROOT / "server", mapping, keywords=keywords)
    }
    assert len(used) > 100
    for lang in LANGUAGES:
        catalogue = _catalogue(lang)
        missing = sorted(m for m in used if m not in catalogue)
        assert not missing, f"{lang}: run `make translations` ({missing[:5]})"
        untranslated = [
            m.id for m in catalogue if m.id and (m.fuzzy or not all(m.string) or not m.string)
        ]
        assert not untranslated, f"{lang} has untranslated messages: {untranslated[:5]}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_compiled_catalogues_match_their_sources(lang):
    compiled = io.BytesIO()
    write_mo(compiled, _catalogue(lang))
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.mo").open("rb") as committed:
        shipped = read_mo(committed)
    fresh = read_mo(io.BytesIO(compiled.getvalue()))
    assert _pairs(shipped) == _pairs(fresh), "run `make translations` to compile"


def _pairs(catalogue) -> dict:
    frozen = lambda value: tuple(value) if isinstance(value, list | tuple) else value  # noqa: E731
    return {frozen(m.id): frozen(m.string) for m in catalogue if m.id}
