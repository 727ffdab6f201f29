"""Languages of the visitor pages: French by default, English and Dutch.

A page's URL names its language (/fr/..., /en/..., /nl/...); elsewhere, and to choose where an
unprefixed URL leads, the language comes from the visitor's choice (the tt_lang cookie the
language switch sets), then the browser's Accept-Language, then French. Formatting follows the
region the browser asks for when it speaks that language (en-US gets a 12-hour clock),
otherwise a sensible default per language.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar, cast

import flask_babel
from babel import Locale, UnknownLocaleError
from babel.support import NullTranslations
from flask import Flask, g, request
from flask_babel import Babel
from jinja2 import pass_context
from markupsafe import Markup, escape
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

LANGUAGES = ("fr", "en", "nl")
DEFAULT_LANGUAGE = "fr"
LANGUAGE_NAMES = {"fr": "Français", "en": "English", "nl": "Nederlands"}
COOKIE_NAME = "tt_lang"
COOKIE_MAX_AGE = 390 * 24 * 3600  # a preference the visitor set; as long as the visitor cookie
URL_LANGUAGE = "url_language"  # on `g`: the language a page's URL names (server/visitor/localized)
# Formatting when the browser names no region: most English-speaking visitors to the pilot's
# towns come from the United Kingdom (24-hour clock, day before month).
DEFAULT_LOCALES = {"fr": "fr_FR", "en": "en_GB", "nl": "nl_NL"}
TRANSLATIONS = Path(__file__).parent / "translations"


class _ReadOnce(flask_babel.Domain):
    """Flask-Babel's message domain, whose catalogues are read once per process and folders.

    Flask-Babel keeps the catalogues it read in each app's own domain: every app made in a
    process (the tests make some 1,700) read the same .mo files again. They are files shipped
    with the code, unchanged while it runs."""

    _read: ClassVar[dict[tuple[str, ...], dict[Any, Any]]] = {}

    def get_translations_cache(self, ctx: object) -> dict[Any, Any]:
        """The catalogues read from this app's translation folders."""
        return self._read.setdefault(tuple(self.translation_directories), {})


def init_app(app: Flask) -> None:
    """Install Flask-Babel with the visitor's locale and the catalogues shipped in server/."""
    babel = Babel(
        app,
        locale_selector=select_locale,
        default_locale=DEFAULT_LOCALES[DEFAULT_LANGUAGE],
        default_translation_directories=str(TRANSLATIONS),
    )
    babel.domain_instance = _ReadOnce(domain=app.extensions["babel"].default_domain)
    # The same catalogue as Flask-Babel's, looked up once per request (see translations()).
    # (Jinja's i18n extension adds this method at run time; its type hints do not have it.)
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda message: translations().ugettext(message),
        ngettext=lambda singular, plural, n: translations().ungettext(singular, plural, n),
        newstyle=True,
    )
    for name in ("gettext", "ngettext"):  # "de Le Comptoir" reads "du Comptoir" in French
        app.jinja_env.globals[name] = _eliding(
            cast(Callable[..., str], app.jinja_env.globals[name])
        )
    # Templates are written for reading; these keep the whitespace out of what is sent.
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.globals.update(language=language, LANGUAGES=LANGUAGES, names=LANGUAGE_NAMES)


def select_locale() -> str:
    """The locale for this request (Flask-Babel asks once per request): the URL's language
    (/en/...), else the visitor's choice, else the browser's."""
    chosen = g.get(URL_LANGUAGE) or request.cookies.get(COOKIE_NAME)
    return choose_locale(chosen, request.headers.get("Accept-Language"))


@functools.lru_cache(maxsize=4096)
def choose_locale(chosen: str | None, accept_language: str | None) -> str:
    """The locale for a remembered choice and an Accept-Language header; French when neither
    names a language served here."""
    accepted = parse_accept_header(accept_language or "", LanguageAccept)
    wanted = chosen if chosen in LANGUAGES else accepted.best_match(LANGUAGES)
    wanted = wanted or DEFAULT_LANGUAGE
    for tag, _quality in accepted:
        parts = tag.replace("_", "-").split("-")
        if parts[0].lower() == wanted and len(parts) > 1:
            regional = _known_locale(f"{wanted}_{parts[-1].upper()}")
            if regional:
                return regional
    return DEFAULT_LOCALES[wanted]


def _known_locale(name: str) -> str | None:
    try:
        return str(Locale.parse(name))
    except (UnknownLocaleError, ValueError):
        return None


# Flask-Babel finds the locale and catalogue through several context lookups at every call; a
# place page makes hundreds of calls, so both are kept on `g` for the rest of the request.


def locale() -> Locale:
    """This request's locale."""
    try:
        return g._tt_locale
    except AttributeError:
        found = g._tt_locale = flask_babel.get_locale() or Locale.parse(
            DEFAULT_LOCALES[DEFAULT_LANGUAGE]
        )
        return found


def translations() -> NullTranslations:
    """This request's catalogue."""
    try:
        return g._tt_translations
    except AttributeError:
        found = g._tt_translations = flask_babel.get_translations()
        return found


def gettext(message: str, **variables: Any) -> str:
    """`message` in the visitor's language, with %(name)s variables filled in."""
    text = translations().ugettext(message)
    return elided(text % variables, variables) if variables else text


def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
    """The form of a message for `num` in the visitor's language (%(num)d is `num`)."""
    text = translations().ungettext(singular, plural, num) % {"num": num, **variables}
    return elided(text, variables)


# French contracts "de" and "à" with a name's article, and elides "de" before a vowel: a
# message says "de %(shop)s", the name is "Le Comptoir" or "Atelier Textile", and the reader
# expects "du Comptoir", "d'Atelier Textile", "au Comptoir". (H is left alone: "de Hem" and
# "d'Hellemmes" both occur, and a wrong guess reads worse than none.)
APOSTROPHE = "\u2019"  # the typographic apostrophe the French catalogue uses
_CONTRACTIONS = (
    ("de Les ", "des "),
    ("de Le ", "du "),
    ("à Les ", "aux "),
    ("à Le ", "au "),
)
_VOWELS = frozenset("AEIOUYÀÂÄÉÈÊËÎÏÔÖÙÛÜaeiouyàâäéèêëîïôöùûü")


def elided(text: str, variables: dict[str, Any]) -> str:
    """French text with its prepositions agreeing with the names filled into it."""
    if not variables or language() != "fr":
        return text
    for value in variables.values():
        if not isinstance(value, str) or not value:
            continue
        name = str(escape(value)) if isinstance(text, Markup) else value
        for before, after in _CONTRACTIONS:
            text = _replace_before(text, before[:-1].rsplit(" ", 1)[0], name, before, after)
        if name[0] in _VOWELS:
            text = _replace(text, f"de {name}", f"d{APOSTROPHE}{name}")
    return text


def _replace_before(text: str, word: str, name: str, before: str, after: str) -> str:
    """Contract `before` + the rest of `name` into `after` when `name` starts with its article."""
    article = before[len(word) + 1 :]
    if not name.startswith(article):
        return text
    return _replace(text, f"{word} {name}", after + name[len(article) :])


def _replace(text: str, old: str, new: str) -> str:
    """Replace `old` where it starts a word, keeping Markup as Markup (what is added is safe)."""
    if old not in text:  # nearly always: no pattern to build and run for each name
        return text
    pattern = re.compile(r"(?<![\w'" + APOSTROPHE + "])" + re.escape(old))
    replaced = pattern.sub(lambda _: new, str(text))
    return Markup(replaced) if isinstance(text, Markup) else replaced


def _eliding(wrapped: Callable[..., str]) -> Callable[..., str]:
    """A template's gettext or ngettext, with French elisions (see elided())."""

    @pass_context
    def call(context: Any, *args: Any, **variables: Any) -> str:
        return elided(wrapped(context, *args, **variables), variables)

    return call


def language() -> str:
    """The two-letter language of this request: fr, en or nl."""
    return locale().language


class Text(str):
    """Text from a translated field, knowing its language (lang="" when it differs)."""

    lang: str

    def __new__(cls, value: str, lang: str) -> Text:
        text = super().__new__(cls, value)
        text.lang = lang
        return text


def translated(values: dict[str, str] | None, wanted: str | None = None) -> Text:
    """The visitor's language from a {"fr": ..., "en": ...} field, else French, else any."""
    values = values or {}
    wanted = wanted or language()
    for lang in (wanted, DEFAULT_LANGUAGE, *values):
        text = values.get(lang)
        if text:
            return Text(text, lang)
    return Text("", wanted)


@contextlib.contextmanager
def speaking(lang: str) -> Iterator[None]:
    """Render in `lang` for a while (a mail written in each language), then as before."""
    saved = {name: g.pop(name) for name in ("_tt_locale", "_tt_translations") if name in g}
    try:
        with flask_babel.force_locale(DEFAULT_LOCALES.get(lang, lang)):
            yield
            g.pop("_tt_locale", None)
            g.pop("_tt_translations", None)
    finally:
        for name, value in saved.items():
            setattr(g, name, value)
