"""Staff make a territory's walks: a name, a description in each language and ordered stops,
picked on the map (a click near a sight, shop or place takes it; elsewhere, a named point) or
found by a search. Every step is a plain form post, so it works without JavaScript: the stops
travel in the form until it is saved; up and down buttons reorder them. Saving puts the walk
online at once, audited as places are; its route on the streets is drawn when visitors see it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from server.db import db_session
from server.errors import N_, Invalid
from server.i18n import LANGUAGES, gettext
from server.models import Place, PointOfInterest, Shop, Territory, Walk
from server.portal import pin
from server.portal.access import STAFF, allow, by_slug, found
from server.portal.blueprint import bp
from server.portal.content import chosen_territory
from server.portal.forms import problems_of, saved, values
from server.services import audit, walk_editing
from server.services.content_slugs import add_under_free_slug
from server.services.geo import bounding_box, distance_m
from server.services.walk_editing import Stop

KIND_NAMES = {"sight": N_("sight"), "shop": N_("shop"), "place": N_("place")}
SNAP_M = 40  # a click this close to something TapTrail knows takes it as the stop
FOUND = 12  # search results shown

# What a stop can be taken from, with the visitor page it links to.
SOURCES: dict[str, tuple[Any, str, str]] = {
    "sight": (PointOfInterest, "details.poi", "slug"),
    "shop": (Shop, "details.shop", "slug"),
    "place": (Place, "visitor.place", "slug"),
}


@dataclass(frozen=True)
class Candidate:
    """Something a stop can be made of: a sight, a shop or a place of the territory."""

    kind: str
    slug: str
    name: str
    latitude: float
    longitude: float


def _form(walk: Walk | None) -> dict[str, Any]:
    form: dict[str, Any] = {"name": walk.name if walk else "", "q": ""}
    for lang in LANGUAGES:
        form[f"description_{lang}"] = (walk.description if walk else {}).get(lang, "")
    stops = [
        Stop(
            stop.name,
            str(stop.latitude),
            str(stop.longitude),
            dict(stop.note or {}),
            stop.url or "",
        )
        for stop in (walk.stops if walk else [])
    ]
    return form | walk_editing.stop_fields(stops)


def _listed(model: Any, territory: Territory) -> Any:
    query = select(model).where(model.territory_id == territory.id)
    if model is not Place:
        query = query.where(model.published)
    return query


def _candidates(territory: Territory, words: str) -> list[Candidate]:
    """Sights, shops and places of the territory whose name holds these words."""
    if not words.strip():
        return []
    found_: list[Candidate] = []
    for kind, (model, _endpoint, _key) in SOURCES.items():
        rows = db_session().scalars(
            _listed(model, territory)
            .where(model.name.icontains(words.strip()[:60], autoescape=True))
            .order_by(model.name)
            .limit(FOUND)
        )
        found_ += [Candidate(kind, r.slug, r.name, r.latitude, r.longitude) for r in rows]
    return sorted(found_, key=lambda c: c.name.lower())[:FOUND]


def _near(territory: Territory, latitude: float, longitude: float) -> Candidate | None:
    """What TapTrail knows within SNAP_M of a click, the closest first."""
    box = bounding_box(latitude, longitude, SNAP_M)
    best: tuple[float, Candidate] | None = None
    for kind, (model, _endpoint, _key) in SOURCES.items():
        rows = db_session().scalars(
            _listed(model, territory).where(
                model.latitude.between(box.south, box.north),
                model.longitude.between(box.west, box.east),
            )
        )
        for row in rows:
            metres = distance_m(latitude, longitude, row.latitude, row.longitude)
            if metres <= SNAP_M and (best is None or metres < best[0]):
                best = (metres, Candidate(kind, row.slug, row.name, row.latitude, row.longitude))
    return best[1] if best else None


def _stop(candidate: Candidate) -> Stop:
    _model, endpoint, key = SOURCES[candidate.kind]
    return Stop(
        candidate.name,
        str(candidate.latitude),
        str(candidate.longitude),
        {},
        url_for(endpoint, _external=True, **{key: candidate.slug}),
    )


@bp.route("/staff/walks/new", methods=["GET", "POST"])
@allow(STAFF)
def new_walk() -> Response | str | tuple[str, int]:
    """Make a walk in a territory (?territory=)."""
    return _edit(None, found(chosen_territory()))


@bp.route("/staff/walks/<slug>", methods=["GET", "POST"])
@allow(STAFF)
def edit_walk(slug: str) -> Response | str | tuple[str, int]:
    """Change a walk: its texts, and its stops (add, remove, reorder)."""
    walk = by_slug(Walk, slug)
    return _edit(walk, walk.territory)


def _edit(walk: Walk | None, territory: Territory) -> Response | str | tuple[str, int]:
    def page(form: dict[str, Any], errors: dict[str, str], **shown: Any) -> str:
        stops = walk_editing.stops_of(form)
        last = stops[-1] if stops else None
        try:
            center = (float(last.latitude), float(last.longitude)) if last else None
        except ValueError:
            center = None
        return render_template(
            "portal/walk.html",
            walk=walk,
            territory=territory,
            form=form,
            errors=errors,
            stops=stops,
            center=center or (territory.latitude, territory.longitude),
            kind_name=lambda kind: gettext(KIND_NAMES[kind]),
            **({"results": None, "said": None} | shown),
        )

    if request.method == "GET":
        return page(_form(walk), {})
    form: dict[str, Any] = values()
    stops = walk_editing.stops_of(form)
    action = request.form.get("action", "")
    if pin.clicked(request.form):
        try:
            latitude, longitude = pin.picked(request.form)
        except ValueError:
            return page(form, {}), 400
        near = _near(territory, latitude, longitude)
        if near is not None:
            added = _stop(near)
        else:
            name = gettext("Stop %(number)d", number=len(stops) + 1)
            added = Stop(name, str(latitude), str(longitude))
        said = gettext("%(name)s added as stop %(number)d.", name=added.name, number=len(stops) + 1)
        return page(_with_stops(form, [*stops, added]), {}, said=said)
    if action == "search":
        results = _candidates(territory, form.get("q", ""))
        said = gettext("%(count)d found.", count=len(results))
        return page(form, {}, results=results, said=said)
    if action.startswith("add:"):
        kind, _, slug = action[4:].partition(":")
        picked = next((c for c in _candidates_by(territory, kind, slug)), None)
        if picked is None:
            return page(form, {}), 400
        said = gettext(
            "%(name)s added as stop %(number)d.", name=picked.name, number=len(stops) + 1
        )
        return page(_with_stops(form, [*stops, _stop(picked)]), {}, said=said)
    for verb, step in (("up:", -1), ("down:", 1), ("remove:", 0)):
        if action.startswith(verb):
            try:
                index = int(action[len(verb) :]) - 1
            except ValueError:
                return page(form, {}), 400
            if step:
                changed = walk_editing.moved(stops, index, step)
            else:
                changed = [stop for number, stop in enumerate(stops) if number != index]
            return page(
                _with_stops(form, changed),
                {},
                said=gettext("The stops changed: save to keep them."),
            )
    return _save(walk, territory, form, page)


def _candidates_by(territory: Territory, kind: str, slug: str) -> list[Candidate]:
    if kind not in SOURCES:
        return []
    model = SOURCES[kind][0]
    row = db_session().scalars(_listed(model, territory).where(model.slug == slug)).first()
    return [Candidate(kind, row.slug, row.name, row.latitude, row.longitude)] if row else []


def _with_stops(form: dict[str, Any], stops: list[Stop]) -> dict[str, Any]:
    kept = {name: value for name, value in form.items() if not name.startswith("stop-")}
    return kept | walk_editing.stop_fields(stops)


def _save(
    walk: Walk | None, territory: Territory, form: dict[str, Any], page: Any
) -> Response | tuple[str, int]:
    try:
        cleaned, stops = walk_editing.clean_walk(form)
    except Invalid as refused:
        return page(form, problems_of(refused)), 422
    if walk is None:
        walk = Walk(
            territory_id=territory.id,
            start_latitude=stops[0].latitude,
            start_longitude=stops[0].longitude,
            **cleaned,
        )
        add_under_free_slug(db_session(), walk, cleaned["name"], "walk")
        before: dict[str, Any] = {}
    else:
        before = walk_editing.summary(walk)
    walk_editing.store(db_session(), walk, cleaned, stops)
    db_session().flush()
    return saved(
        "walk.save",
        ("walk", walk.id),
        walk.name,
        message=gettext("%(name)s saved.", name=walk.name),
        to=url_for("portal.content", territory=territory.slug),
        changes=audit.diff(before, walk_editing.summary(walk)),
    )
