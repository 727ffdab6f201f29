"""A shop's own figures, week by week (its keepers, staff, and analysts may read them), and its
museum -> shop funnel per day from the rollups, as a chart readable on a phone and a CSV. Counts
from 1 to 4 are shown as "fewer than 5"; no visitor id or one person's path is ever shown."""

from __future__ import annotations

import datetime as dt
import io

from flask import Response, render_template

from server import clock, spreadsheet
from server.analytics import charts
from server.db import db_session
from server.i18n import gettext
from server.maps import svg
from server.portal.access import READERS, allow, shop_for
from server.portal.blueprint import bp
from server.services import funnel, shop_figures
from server.services.rollups import local_day

FUNNEL_DAYS = 28


def _funnel_range(timezone: str) -> tuple[dt.date, dt.date]:
    today = local_day(clock.now(), timezone)
    return today - dt.timedelta(days=FUNNEL_DAYS - 1), today


@bp.get("/shops/<slug>/figures")
@allow(READERS)
def figures(slug: str) -> str:
    """Taps near the shop, offer views, codes given and used, for the last weeks; the funnel."""
    shop = shop_for(slug, READERS)
    session = db_session()
    weeks = shop_figures.by_week(session, shop, clock.now())
    near = shop_figures.places_near(session, shop)
    start, end = _funnel_range(shop.territory.timezone)
    days = funnel.shop_days(session, shop, start, end)
    total = funnel.Steps(
        None, shop.id, shop.name, *(sum(getattr(d, step) for d in days) for step in funnel.STEPS)
    )
    chart = charts.bars(
        gettext("Your customers per day, last 4 weeks"),
        [day.day.strftime("%d/%m") for day in days if day.day],
        [
            charts.Series(
                gettext("Window taps"), [funnel.drawn(d.window_taps) for d in days], svg.BLUE
            ),
            charts.Series(
                gettext("Codes used"), [funnel.drawn(d.codes_used) for d in days], svg.GREEN
            ),
            charts.Series(gettext("Stamps"), [funnel.drawn(d.stamps) for d in days], svg.ORANGE),
        ],
    )
    return render_template(
        "portal/figures.html",
        shop=shop,
        weeks=list(reversed(weeks)),
        near=near,
        total=total,
        steps=funnel.STEPS,
        chart=chart,
        origins=funnel.origins(session, shop.territory_id, start, end, shop.id),
        pairs=funnel.pairs(session, shop.territory_id, start, end, shop.id),
        masked=funnel.masked,
        start=start,
        end=end,
    )


@bp.get("/shops/<slug>/funnel.csv")
@allow(READERS)
def funnel_csv(slug: str) -> Response:
    """The shop's funnel per day as CSV (counts from 1 to 4 written "fewer than 5")."""
    shop = shop_for(slug, READERS)
    start, end = _funnel_range(shop.territory.timezone)
    output = io.StringIO()
    writer = spreadsheet.Writer(output, lineterminator="\r\n")
    writer.writerow(["day", *funnel.STEPS])
    for day in funnel.shop_days(db_session(), shop, start, end):
        assert day.day is not None
        writer.writerow(
            [day.day.isoformat(), *(funnel.masked(getattr(day, s)) for s in funnel.STEPS)]
        )
    name = f"taptrail-funnel-{shop.slug}-{start}-{end}.csv"
    return Response(
        output.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
