"""What the visitor sees: the place page a tap lands on and every page it links to.

One blueprint per module: `pages` (home, territory, place, language), `details` (shop, point of
interest, event, walk), `offers` (offers and cross-offer codes), `tv` (the large screen) and
`media` (shop photos); `blueprint` makes them, with what every visitor page follows;
`localized` gives each page its /fr/, /en/ and /nl/ URLs, and `findable` the sitemap and
robots.txt.
"""

from __future__ import annotations

from flask import Flask, request, url_for
from markupsafe import Markup

from server.i18n import Text, language, translated
from server.visitor import branding, formats, localized, present
from server.visitor.kept import stale_mark
from server.web.targets import query_suffix, same_site_path


def init_app(app: Flask) -> None:
    """What the visitor templates share (create_app registers the blueprints)."""
    localized.init_app(app)
    app.jinja_env.globals.update(
        alternates=localized.alternates,
        switch_links=localized.switch_links,
        here=here,
        lang_of=lang_of,
        tr=translated,
        stale_mark=stale_mark,
        place_kind=present.place_kind,
        fmt=formats,
        brand=branding.page_brand,  # the page's brand: its territory's, or the deployment's
        service_brand=branding.service_brand,  # the portal's and its mails': the deployment's
    )
    app.jinja_env.filters["breakable"] = formats.breakable


def here() -> str:
    """This page's path and query, where the language switch comes back to; the home page for
    tap pages, whose URL would count another tap."""
    home = url_for("visitor.home")
    if not request.endpoint or request.endpoint.startswith("tap."):
        return home
    # Checked as the switch will check it: a refused address (a NUL in it) links home.
    return same_site_path(request.path + query_suffix(request.query_string), home)


def lang_of(text: Text | str) -> Markup:
    """A lang attribute when a text is not in the page's language (a French fallback)."""
    lang = getattr(text, "lang", "")
    return Markup(' lang="%s"') % lang if lang and lang != language() else Markup("")
