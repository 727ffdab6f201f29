"""The dashboard's pages: overview, places and stickers, journeys, offers, sticker health, and
the CSV download of every figure. Every view is for analysts and administrators only."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

from babel.dates import format_skeleton, get_day_names
from flask import abort, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from server import clock
from server.analytics import charts
from server.analytics.blueprint import bp
from server.analytics.export import csv_response
from server.analytics.scope import Chosen, read_scope
from server.db import db_session
from server.errors import N_, TapTrailError
from server.i18n import gettext, locale
from server.maps import circles, svg
from server.models import Place, Role, Territory
from server.portal.access import allow
from server.services import funnel, stats, street_maps

ANALYSTS = frozenset({Role.ANALYST, Role.ADMINISTRATOR})
PAGES = (
    ("analytics.overview", N_("Overview")),
    ("analytics.places", N_("Places and stickers")),
    ("analytics.journeys", N_("Journeys")),
    ("analytics.offers", N_("Offers")),
    ("analytics.funnel_page", N_("Shop funnel")),
    ("analytics.health", N_("Sticker health")),
)


def _form_args() -> dict[str, str]:
    """The scope arguments of this request, to carry into links and CSV downloads."""
    keys = ("territory", "from", "to", "place")
    return {key: request.args[key] for key in keys if request.args.get(key)}


def _page(template: str, figures: Any) -> tuple[str, int]:
    """Render a dashboard page: its figures for the chosen scope, or the reason it has none."""
    territories = list(db_session().scalars(select(Territory).order_by(Territory.name)))
    chosen: Chosen | None = None
    problem, status, values = None, 200, {}
    try:
        chosen = read_scope(db_session(), request.args, clock.now())
        values = figures(chosen)
    except TapTrailError as error:
        problem, status = error.message, error.status if error.status < 500 else 400
    places: list[Place] = []
    territory_id = chosen.territory.id if chosen else (territories[0].id if territories else None)
    if territory_id is not None:
        places = list(
            db_session().scalars(
                select(Place).where(Place.territory_id == territory_id).order_by(Place.name)
            )
        )
    page = render_template(
        f"analytics/{template}.html",
        chosen=chosen,
        problem=problem,
        territories=territories,
        places=places,
        args=_form_args(),
        pages=[(endpoint, gettext(label)) for endpoint, label in PAGES],
        **values,
    )
    return page, status


def _figure(chosen: Chosen, name: str) -> list[Any]:
    return stats.figure(db_session(), name, chosen.scope)


def _labels(days: list[stats.DayTaps]) -> list[str]:
    return [format_skeleton("dM", day.day, locale=locale()) for day in days]


def _weekdays() -> list[str]:
    """Monday to Sunday, abbreviated in the reader's language."""
    names = get_day_names("abbreviated", locale=locale())
    return [names[day] for day in range(7)]


@bp.get("/")
@allow(ANALYSTS)
def overview() -> tuple[str, int]:
    """Totals, taps and visitors by day, the hour-of-week heat map, the busiest places, the map."""

    def figures(chosen: Chosen) -> dict[str, Any]:
        days = _figure(chosen, "taps-by-day")
        week = _figure(chosen, "hour-of-week")
        places = _figure(chosen, "places")
        labels = _labels(days)
        people = charts.bars(
            gettext("People's taps and unique visitors per day"),
            labels,
            [
                charts.Series(gettext("Taps by people"), [d.person for d in days], svg.BLUE),
                charts.Series(gettext("Unique visitors"), [d.visitors for d in days], svg.GREEN),
            ],
        )
        machines = charts.bars(
            gettext("Link previews and other machines per day (not counted as people)"),
            labels,
            [
                charts.Series(gettext("Link previews"), [d.preview for d in days], svg.ORANGE),
                charts.Series(
                    gettext("Crawlers and other machines"), [d.machine for d in days], svg.GREY
                ),
            ],
        )
        grid = [[0] * 24 for _ in range(7)]
        for cell in week:
            grid[cell.weekday][cell.hour] = cell.taps
        return {
            "totals": _figure(chosen, "totals")[0],
            "days": days,
            "people_chart": people,
            "machines_chart": machines,
            "heat": charts.heat_map(
                gettext("People's taps per hour of the week"), grid, _weekdays()
            ),
            "grid": grid,
            "weekdays": _weekdays(),
            "top": places[:10],
            "top_chart": charts.hbars(
                gettext("Busiest places, taps by people"), [(p.name, p.person) for p in places[:10]]
            ),
            "map": circles.place_map(
                gettext("Places sized by people's taps"),
                [circles.Spot(p.name, p.latitude, p.longitude, p.person) for p in places],
                street_maps.load(db_session(), chosen.territory.id),
            ),
        }

    return _page("overview", figures)


@bp.get("/places")
@allow(ANALYSTS)
def places() -> tuple[str, int]:
    """Every place's and sticker's taps, and the taps by hour (of the chosen place, if any)."""

    def figures(chosen: Chosen) -> dict[str, Any]:
        hours = _figure(chosen, "taps-by-hour")
        where = chosen.place.name if chosen.place else chosen.territory.name
        labels = [f"{h.hour:02d}h" for h in hours]
        return {
            "rows": _figure(chosen, "places"),
            "stickers": _figure(chosen, "stickers"),
            "hours": hours,
            "hours_chart": charts.bars(
                gettext("Taps per hour of the day, %(where)s", where=where),
                labels,
                [
                    charts.Series(gettext("People"), [h.person for h in hours], svg.BLUE),
                    charts.Series(gettext("Link previews"), [h.preview for h in hours], svg.ORANGE),
                    charts.Series(gettext("Other machines"), [h.machine for h in hours], svg.GREY),
                ],
                every=3,
            ),
        }

    return _page("places", figures)


@bp.get("/journeys")
@allow(ANALYSTS)
def journeys() -> tuple[str, int]:
    """Museum visitors who went on to the shops, per museum and per shop; flows between places."""

    def figures(chosen: Chosen) -> dict[str, Any]:
        rows = _figure(chosen, "journeys")
        return {
            "rows": rows,
            "shops": _figure(chosen, "journey-shops"),
            "flows": _figure(chosen, "flows"),
            "chart": charts.hbars(
                gettext("Museum visitors who went on to a shop within 7 days (%)"),
                [(r.place, round(100 * r.week_ratio)) for r in rows],
                svg.GREEN,
            ),
        }

    return _page("journeys", figures)


@bp.get("/offers")
@allow(ANALYSTS)
def offers() -> tuple[str, int]:
    """Offer views, codes issued and redemptions, per offer and per shop."""

    def figures(chosen: Chosen) -> dict[str, Any]:
        shops = _figure(chosen, "offers-by-shop")
        return {
            "rows": _figure(chosen, "offers"),
            "shops": shops,
            "chart": charts.hbars(
                gettext("Offer views per shop"), [(s.shop, s.views) for s in shops]
            ),
        }

    return _page("offers", figures)


FUNNEL_CSV: dict[str, tuple[Callable[[Session, int, dt.date, dt.date], list[Any]], list[str]]] = {
    "shops": (funnel.shops, [f.name for f in dataclasses.fields(funnel.Steps)][1:]),
    "origins": (funnel.origins, [f.name for f in dataclasses.fields(funnel.Origin)]),
    "pairs": (funnel.pairs, [f.name for f in dataclasses.fields(funnel.Pair)]),
}


@bp.get("/funnel")
@allow(ANALYSTS)
def funnel_page() -> tuple[str, int]:
    """Per shop: window taps, views, codes issued and used, stamps; who came from a museum;
    each cross-offer pair. Counts from 1 to 4 read "fewer than 5"."""

    def figures(chosen: Chosen) -> dict[str, Any]:
        scope = chosen.scope
        shops = funnel.shops(db_session(), scope.territory_id, scope.start, scope.end)
        return {
            "shops": funnel.masked_rows(shops),
            "origins": funnel.masked_rows(
                funnel.origins(db_session(), scope.territory_id, scope.start, scope.end)
            ),
            "pairs": funnel.masked_rows(
                funnel.pairs(db_session(), scope.territory_id, scope.start, scope.end)
            ),
            "chart": charts.hbars(
                gettext("Codes used per shop (under 5 not drawn)"),
                [(s.shop, funnel.drawn(s.codes_used)) for s in shops],
            ),
        }

    return _page("funnel", figures)


@bp.get("/funnel/<name>.csv")
@allow(ANALYSTS)
def funnel_download(name: str) -> Any:
    """A part of the shop funnel as CSV, for the same scope (small counts masked)."""
    if name not in FUNNEL_CSV:
        abort(404)
    try:
        chosen = read_scope(db_session(), request.args, clock.now())
    except TapTrailError as error:
        return error.message + "\n", 400, {"Content-Type": "text/plain; charset=utf-8"}
    query, fields = FUNNEL_CSV[name]
    scope = chosen.scope
    rows = funnel.masked_rows(query(db_session(), scope.territory_id, scope.start, scope.end))
    return csv_response(f"funnel-{name}", chosen.territory.slug, scope, rows, fields)


@bp.get("/health")
@allow(ANALYSTS)
def health() -> tuple[str, int]:
    """Stickers silent for two weeks, copied, or encoded but never installed."""
    return _page("health", lambda chosen: {"rows": _figure(chosen, "sticker-health")})


@bp.get("/<name>.csv")
@allow(ANALYSTS)
def download(name: str) -> Any:
    """A figure of the dashboard as CSV, for the same scope."""
    if name not in stats.FIGURES:
        abort(404)
    try:
        chosen = read_scope(db_session(), request.args, clock.now())
    except TapTrailError as error:
        return error.message + "\n", 400, {"Content-Type": "text/plain; charset=utf-8"}
    rows = _figure(chosen, name)
    return csv_response(name, chosen.territory.slug, chosen.scope, rows, stats.columns(name))
