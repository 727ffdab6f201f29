"""What the visitor sees: the place page a tap lands on and every page it links to.

One blueprint per module: `pages` (home, territory, place, language), `details` (shop, point of
interest, event, walk), `offers` (offers and cross-offer codes), `tv` (the large screen) and
`media` (shop photos).
"""

from __future__ import annotations

from flask import Blueprint, Flask, request, url_for
from markupsafe import Markup

from server.i18n import Text, language, translated
from server.visitor import details, formats, media, offers, pages, present, tv
from server.visitor.kept import stale_mark
from server.web import caching, problems
from server.web.targets import same_site_path

BLUEPRINTS: tuple[Blueprint, ...] = (pages.bp, details.bp, offers.bp, tv.bp, media.bp)


def init_app(app: Flask) -> None:
    """Register the visitor blueprints and what their templates share."""
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    app.jinja_env.globals.update(
        here=here,
        lang_of=lang_of,
        tr=translated,
        stale_mark=stale_mark,
        place_kind=present.place_kind,
        fmt=formats,
    )


def here() -> str:
    """This page's path and query, where the language switch comes back to; the home page for
    tap pages, whose URL would count another tap."""
    home = url_for("visitor.home")
    if not request.endpoint or request.endpoint.startswith("tap."):
        return home
    query = request.query_string.decode("latin-1")
    # Checked as the switch will check it: a refused address (a NUL in it) links home.
    return same_site_path(request.path + (f"?{query}" if query else ""), home)


def lang_of(text: Text | str) -> Markup:
    """A lang attribute when a text is not in the page's language (a French fallback)."""
    lang = getattr(text, "lang", "")
    return Markup(' lang="%s"') % lang if lang and lang != language() else Markup("")


# Set up once, when first imported: blueprints are shared by every app made in a process.
# The security headers come from server.web.headers, for every response.
for _blueprint in BLUEPRINTS:
    _blueprint.after_request(caching.revalidated)
    _blueprint.register_error_handler(404, problems.site_not_found)
