"""A shop's listing: text in three languages, category, contact, and its position on a map."""

from __future__ import annotations

from typing import Any

from flask import Response, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse

from server.db import db_session
from server.errors import N_, Invalid
from server.i18n import gettext
from server.maps import picker, projection
from server.models import (
    ChangeStatus,
    PendingChange,
    Place,
    PointOfInterest,
    Shop,
    TransitStop,
    Walk,
)
from server.portal.access import KEEPERS, allow, shop_for, user
from server.portal.blueprint import bp
from server.portal.branded import brand_name
from server.portal.forms import done, problems_of, values
from server.services import audit, listings, review, street_maps
from server.services.geo import bounding_box
from server.visitor.present import CATEGORIES
from server.web.values import finite


def pending_change(shop: Shop, kind: str, target_id: int | None = None) -> PendingChange | None:
    """The change of this kind waiting for review, if any."""
    query = select(PendingChange).where(
        PendingChange.shop_id == shop.id,
        PendingChange.kind == kind,
        PendingChange.status == ChangeStatus.PENDING,
    )
    if target_id is not None:
        query = query.where(PendingChange.target_id == target_id)
    return db_session().scalars(query.order_by(PendingChange.submitted_at.desc())).first()


def save_listing(shop: Shop, changed: dict[str, Any], action: str) -> None:
    """Put listing fields live, or send them for review; logged and committed, then said."""
    account = user()
    if review.needs_review(shop, account):
        waiting = pending_change(shop, "listing")
        payload = {**(waiting.payload if waiting else {}), **audit.plain(changed)}
        review.propose(db_session(), shop, account, "listing", payload)
        done(
            gettext(
                N_("Sent for review: the %(service)s team will put it online."),
                service=brand_name(),
            )
        )
    else:
        changes = listings.apply(shop, changed)
        if changes:
            audit.record(
                db_session(),
                account.id,
                action,
                ("shop", shop.id),
                f"{shop.name}: {action}",
                changes,
            )
        done(gettext(N_("Saved. Visitors see it now.")))
    db_session().commit()


def _categories() -> list[tuple[str, str]]:
    return [(name, gettext(CATEGORIES[name])) for name in listings.SHOP_CATEGORIES]


def _render(shop: Shop, form: dict[str, Any], errors: dict[str, str], moved: bool = False) -> str:
    waiting = pending_change(shop, "listing")
    return render_template(
        "portal/listing.html",
        shop=shop,
        form=form,
        errors=errors,
        categories=_categories(),
        moved=moved,
        waiting=waiting,
    )


@bp.route("/shops/<slug>/listing", methods=["GET", "POST"])
@allow(KEEPERS)
def listing(slug: str) -> BaseResponse | str | tuple[str, int]:
    """Edit the listing; a click on the map moves the pin (saved with the rest)."""
    shop = shop_for(slug)
    if request.method == "GET":
        stored = listings.listing_values(shop)
        waiting = pending_change(shop, "listing")
        if waiting:  # show what the owner asked for, not what is online
            stored = {**stored, **waiting.payload}
        return _render(shop, listings.form_values(stored), {})
    submitted: dict[str, Any] = values()
    if "map.x" in request.form:
        try:
            center = (finite(request.form["map_lat"]), finite(request.form["map_lon"]))
            x, y = finite(request.form["map.x"]), finite(request.form["map.y"])
        except (KeyError, ValueError):
            return _render(shop, submitted, {}), 400
        submitted["latitude"], submitted["longitude"] = projection.point_at(center, x, y)
        return _render(shop, submitted, {}, moved=True)
    try:
        cleaned = listings.clean_listing(submitted, shop)
    except Invalid as refused:
        return _render(shop, submitted, problems_of(refused)), 422
    save_listing(shop, cleaned, "listing.update")
    return redirect(url_for("portal.listing", slug=shop.slug), code=303)


@bp.get("/map.png")
@allow(KEEPERS)
def map_image() -> Response:
    """The map around ?lat=&lon= with what TapTrail knows there (see server.maps.picker)."""
    try:
        center = (finite(request.args["lat"]), finite(request.args["lon"]))
    except (KeyError, ValueError):
        center = (0.0, 0.0)
    if not (-85 <= center[0] <= 85 and -180 <= center[1] <= 180):
        center = (0.0, 0.0)
    try:  # a wider view for a territory's places, at most 20 km across
        span = min(max(finite(request.args.get("span", str(projection.SPAN_M))), 200.0), 20000.0)
    except ValueError:
        span = projection.SPAN_M
    wide = span > projection.SPAN_M
    png = picker.render(
        center,
        _features(center, span, wide),
        [] if wide else _walks(center),
        span,
        pin=not wide,
        base=street_maps.nearest(db_session(), *center),
    )
    response = Response(png, mimetype="image/png")
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


def _features(center: tuple[float, float], span: float, wide: bool) -> list[picker.Feature]:
    box = bounding_box(center[0], center[1], projection.reach_m(span))
    found: list[picker.Feature] = []
    # A wide view shows the places only: dozens of shops would hide them.
    models = (
        ((Place, "place"),)
        if wide
        else ((Place, "place"), (Shop, "shop"), (PointOfInterest, "poi"))
    )
    for model, kind in models:
        rows = db_session().execute(
            select(model.latitude, model.longitude, model.name).where(
                model.latitude.between(box.south, box.north),
                model.longitude.between(box.west, box.east),
            )
        )
        found += [picker.Feature(kind, lat, lon, name) for lat, lon, name in rows]
    if wide:
        return found
    stops = db_session().execute(
        select(TransitStop.latitude, TransitStop.longitude, TransitStop.name).where(
            TransitStop.latitude.between(box.south, box.north),
            TransitStop.longitude.between(box.west, box.east),
            TransitStop.parent_station.is_(None),  # a station once, not each of its platforms
        )
    )
    found += [picker.Feature("transit_stop", lat, lon, name) for lat, lon, name in stops]
    return found


def _walks(center: tuple[float, float]) -> list[list[picker.Feature]]:
    box = bounding_box(center[0], center[1], 3000)
    walks = db_session().scalars(
        select(Walk).where(
            Walk.start_latitude.between(box.south, box.north),
            Walk.start_longitude.between(box.west, box.east),
        )
    )
    return [
        [picker.Feature("walk", stop.latitude, stop.longitude) for stop in walk.stops]
        for walk in walks
    ]
