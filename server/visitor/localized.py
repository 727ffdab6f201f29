"""Stable per-language URLs: every public visitor page lives at /fr/…, /en/… and /nl/….

A page is registered with `page()`: its language-prefixed rule is the page, and the same rule
without the prefix (the URL printed before languages had URLs, and the x-default of search
engines) redirects to the visitor's language, chosen from the tt_lang cookie, then
Accept-Language. `url_for()` fills in the language of the page being built, so templates and
views name pages as before. The canonical and hreflang links are made here too (`alternates`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, g, has_request_context, request, url_for
from werkzeug.utils import redirect
from werkzeug.wrappers import Response as BaseResponse

from server.i18n import (
    COOKIE_MAX_AGE,
    COOKIE_NAME,
    DEFAULT_LANGUAGE,
    LANGUAGES,
    URL_LANGUAGE,
    choose_locale,
    language,
)
from server.web.targets import query_suffix

PREFIX = "/<lang:lang>"  # one of LANGUAGES (server/web/converters.py)
UNPREFIXED = "_unprefixed"  # the endpoint suffix of a page's old, redirecting URL
ENDPOINTS = "taptrail.localized"  # app.extensions: the endpoints that have a language prefix
PAGES = "taptrail.localized_pages"  # the GET pages among them (each has its unprefixed address)
View = Callable[..., Any]


def init_app(app: Flask) -> None:
    """Take the language out of a page's URL into `g`, and put it back into every url_for."""
    app.extensions[ENDPOINTS] = set()
    app.extensions[PAGES] = set()
    app.url_value_preprocessor(_take_language)
    app.url_defaults(_give_language)


def page(bp: Blueprint, rule: str) -> Callable[[View], View]:
    """Register a GET page at PREFIX + `rule`, and `rule` alone as a redirect to it."""

    def register(view: View) -> View:
        bp.add_url_rule(PREFIX + rule, view_func=view, methods=["GET"])
        bp.add_url_rule(
            rule, endpoint=view.__name__ + UNPREFIXED, view_func=_to_language, methods=["GET"]
        )
        bp.record_once(
            lambda state: _known(state.app.extensions, f"{bp.name}.{view.__name__}", page=True)
        )
        return view

    return register


def form(bp: Blueprint, rule: str) -> Callable[[View], View]:
    """Register a form's POST at PREFIX + `rule` (it answers in the language of the page it was
    sent from), and at `rule` alone for forms of pages served before (the visitor's language)."""

    def register(view: View) -> View:
        bp.add_url_rule(PREFIX + rule, view_func=view, methods=["POST"])
        bp.add_url_rule(rule, view_func=view, methods=["POST"])
        bp.record_once(
            lambda state: _known(state.app.extensions, f"{bp.name}.{view.__name__}", page=False)
        )
        return view

    return register


def _known(extensions: dict[str, Any], endpoint: str, page: bool) -> None:
    extensions[ENDPOINTS].add(endpoint)
    if page:
        extensions[PAGES].add(endpoint)


def is_page(endpoint: str | None) -> bool:
    """Whether `endpoint` is a GET page with a language prefix (and an unprefixed address)."""
    return bool(endpoint) and endpoint in current_app.extensions[PAGES]


def is_localized(endpoint: str | None) -> bool:
    """Whether `endpoint` is a page with a language prefix."""
    return bool(endpoint) and endpoint in current_app.extensions[ENDPOINTS]


def _take_language(endpoint: str | None, values: dict[str, Any] | None) -> None:
    if values and "lang" in values and is_localized(endpoint):
        g.setdefault(URL_LANGUAGE, values.pop("lang"))


def _give_language(endpoint: str, values: dict[str, Any]) -> None:
    if "lang" not in values and is_localized(endpoint):
        values["lang"] = current_language()


def current_language() -> str:
    """The language of the page being built: its URL's, else the visitor's, else French."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    return g.get(URL_LANGUAGE) or language()


def visitor_language() -> str:
    """The language a visitor without one in the URL is sent to: cookie, then Accept-Language."""
    locale = choose_locale(request.cookies.get(COOKIE_NAME), request.headers.get("Accept-Language"))
    return locale.split("_")[0]


def _to_language(**values: Any) -> BaseResponse:
    """An unprefixed URL: the same page in the visitor's language (302: it depends on them)."""
    endpoint = (request.endpoint or "").removesuffix(UNPREFIXED)
    target = url_for(endpoint, **values, lang=visitor_language())
    return redirect(target + query_suffix(request.query_string), code=302)


def base_url() -> str:
    """The public base of canonical URLs: TAPTRAIL_PUBLIC_BASE_URL, else the tap base URL."""
    config = current_app.config
    return str(config.get("PUBLIC_BASE_URL") or config["TAP_BASE_URL"]).rstrip("/")


def absolute(endpoint: str, **values: Any) -> str:
    """A page's absolute URL under the configured base (never the Host a request came with)."""
    return base_url() + url_for(endpoint, **values)


@dataclass(frozen=True)
class Alternates:
    """A page's canonical URL, the same page in each language, and its x-default."""

    canonical: str
    languages: tuple[tuple[str, str], ...]
    default: str


def alternates(
    endpoint: str | None = None, values: dict[str, Any] | None = None
) -> Alternates | None:
    """This page's (or `endpoint`'s) alternates; None for a page with no language prefix."""
    endpoint = endpoint or (request.endpoint if has_request_context() else None)
    if not is_page(endpoint):
        return None
    assert endpoint is not None
    if values is None:
        values = dict(request.view_args or {})
    values = {key: value for key, value in values.items() if key != "lang"}
    languages = tuple((code, absolute(endpoint, **values, lang=code)) for code in LANGUAGES)
    return Alternates(
        canonical=absolute(endpoint, **values, lang=current_language()),
        languages=languages,
        default=base_url() + url_for(endpoint + UNPREFIXED, **values),
    )


def switch_links() -> list[tuple[str, str]]:
    """The language switch's links: this page in each language, or the switch route for a page
    with no language in its URL (it then sets the choice and comes back)."""
    from server.visitor import here  # the package's helper; imported late (it imports us)

    endpoint = request.endpoint
    if not is_page(endpoint) or request.view_args is None:
        return [
            (code, url_for("visitor.switch_language", code=code, next=here())) for code in LANGUAGES
        ]
    values = {key: value for key, value in request.view_args.items() if key != "lang"}
    tail = query_suffix(request.query_string)
    return [(code, url_for(endpoint or "", **values, lang=code) + tail) for code in LANGUAGES]


def relocalized(path: str, code: str) -> str:
    """A same-site path with its language prefix (if it has one) changed to `code`."""
    first, _, rest = path.lstrip("/").partition("/")
    if first in LANGUAGES and code in LANGUAGES:
        return f"/{code}/{rest}"
    return path


def remember_choice(response: BaseResponse) -> BaseResponse:
    """A person who went from one of our pages to another language's page chose it: remember.

    Links within the site keep the language, so reaching another language from this site is
    the language switch; the choice is kept as the switch route keeps it (tt_lang). A visitor
    arriving from elsewhere (a search engine, a shared link) changes nothing.
    """
    chosen = g.get(URL_LANGUAGE)
    if not chosen or response.status_code >= 400 or not _from_this_site():
        return response
    if visitor_language() == chosen:
        return response
    response.set_cookie(
        COOKIE_NAME,
        chosen,
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure,
    )
    response.headers["Cache-Control"] = "private, no-cache"  # a cookie for this visitor only
    return response


def _from_this_site() -> bool:
    fetched_from = request.headers.get("Sec-Fetch-Site")
    if fetched_from is not None:
        return fetched_from == "same-origin"
    referrer = request.headers.get("Referer")
    return bool(referrer) and urlsplit(referrer).netloc == request.host
