"""The brand on visitor pages: whose service a page says it is, in its header, footer, title,
link previews and colours, and the logo itself (/brand/logo.svg, or a territory's own).

A page's territory is found from what the page shows (the territory, or the place, listing,
event, walk or offer, which each belong to one); pages of no territory carry the deployment's
brand.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Response, abort, current_app, g, url_for
from jinja2.runtime import Context
from jinja2.utils import pass_context
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from server.db import db_session
from server.models import Territory
from server.services import branding, logos
from server.services.branding import Brand
from server.visitor.blueprint import visitor_blueprint

bp = visitor_blueprint("brand", __name__)
# A logo opened on its own is a document: nothing in it may run or load (it was checked when
# set; this is the second lock). Added beside the site's own policy, so the stricter one holds.
LOGO_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"
MIMETYPES = {"svg": "image/svg+xml", "png": "image/png"}
# The template names of what a page shows, each of which belongs to a territory.
_SHOWN = ("territory", "place", "item", "event", "walk", "offer", "shop")


@dataclass(frozen=True)
class PageBrand:
    """A brand as a page shows it: its values and where its logo is served."""

    brand: Brand
    territory_slug: str | None  # set when the logo is the territory's own

    def __getattr__(self, name: str) -> Any:
        return getattr(self.brand, name)

    @property
    def logo_url(self) -> str | None:
        """Where the logo is served, if there is one (asked only by what shows it)."""
        kind = self.brand.logo_kind
        if kind is None:
            return None
        if self.territory_slug:
            return url_for("brand.territory_logo", slug=self.territory_slug, kind=kind)
        return url_for("brand.logo", kind=kind)

    @property
    def image_url(self) -> str:
        """A PNG that stands for the brand in link previews: the logo, or the app icon."""
        if self.brand.logo_kind == "png" and self.logo_url:
            return self.logo_url
        return "/icons/512.png"


def deployment() -> Brand:
    """The deployment's brand (TAPTRAIL_BRAND_*)."""
    return branding.of_app(current_app.extensions)


def territory_of(shown: Any) -> Territory | None:
    """The territory a shown object belongs to (an offer through its shop), if any."""
    if isinstance(shown, Territory):
        return shown
    found = getattr(shown, "territory", None)
    if found is None and getattr(shown, "shop", None) is not None:
        found = getattr(shown.shop, "territory", None)
    return found if isinstance(found, Territory) else None


def for_territory(territory: Territory | None) -> PageBrand:
    """The brand on this territory's pages (the deployment's where it sets nothing)."""
    chosen = branding.for_territory(deployment(), territory)
    own = territory is not None and chosen.logo != deployment().logo
    return PageBrand(chosen, territory.slug if own and territory is not None else None)


@pass_context
def page_brand(context: Context) -> PageBrand:
    """The brand of the page being rendered (a Jinja global: `brand()`)."""
    territory = next(
        (t for name in _SHOWN if (t := territory_of(context.get(name))) is not None), None
    )
    sticker_territory = getattr(context.get("sticker"), "territory_slug", None)
    if territory is None and sticker_territory:  # a tap's link preview names its territory
        territory = _territory_by_slug(sticker_territory)
    memo: dict[int | None, PageBrand] = g.setdefault("taptrail_brands", {})
    key = territory.id if territory is not None else None
    if key not in memo:
        memo[key] = for_territory(territory)
    return memo[key]


def service_brand() -> PageBrand:
    """The deployment's brand, whatever the page shows (a Jinja global for the portal and its
    mails: `service_brand()`)."""
    return for_territory(None)


def _territory_by_slug(slug: str) -> Territory | None:
    """The territory, or None when the database is away: a link preview is never worth
    failing for, and the deployment's brand stands in."""
    try:
        return db_session().scalars(select(Territory).where(Territory.slug == slug)).first()
    except SQLAlchemyError:
        db_session().rollback()
        return None


@bp.get("/brand/logo.<kind>")
def logo(kind: str) -> Response:
    """The deployment's logo, as an image."""
    return _logo(deployment().logo, kind)


@bp.get("/brand/<slug>/logo.<kind>")
def territory_logo(slug: str, kind: str) -> Response:
    """A territory's own logo, as an image."""
    found = db_session().scalars(select(Territory).where(Territory.slug == slug)).first()
    if found is None:
        abort(404)
    return _logo(branding.for_territory(deployment(), found).logo, kind)


def _logo(path: str | None, kind: str) -> Response:
    if not path or logos.kind_of(path) != kind:
        abort(404)
    data = logos.usable(path)
    if data is None:
        abort(404)  # moved or spoilt since it was set: the pages show the name alone
    response = Response(data, mimetype=MIMETYPES[kind])
    response.headers["Content-Security-Policy"] = LOGO_POLICY
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
