"""A shop's own figures, week by week (its keepers, staff, and analysts may read them)."""

from __future__ import annotations

from flask import render_template

from server import clock
from server.db import db_session
from server.portal.access import READERS, allow, shop_for
from server.portal.blueprint import bp
from server.services import shop_figures


@bp.get("/shops/<slug>/figures")
@allow(READERS)
def figures(slug: str) -> str:
    """Taps near the shop, offer views, codes given and used, for the last weeks."""
    shop = shop_for(slug, READERS)
    weeks = shop_figures.by_week(db_session(), shop, clock.now())
    near = shop_figures.places_near(db_session(), shop)
    return render_template(
        "portal/figures.html",
        shop=shop,
        weeks=list(reversed(weeks)),
        near=near,
    )
