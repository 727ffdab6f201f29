"""`taptrail import osm`: an OpenStreetMap extract becomes the street map of the territories."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from server import clock
from server.errors import Invalid, NotFound
from server.importers.osm import read_extract, region_around
from server.models import StreetMap, Territory
from server.services import street_maps

DEFAULT_MARGIN_M = 1500.0  # around a territory's places: beyond the farthest "nearby"


@dataclass(frozen=True)
class Stored:
    """What one territory got from the extract."""

    territory: str
    lines: int
    areas: int
    nodes: int
    edges: int


def import_osm(
    session: Session,
    path: Path,
    territory: str | None = None,
    margin_m: float = DEFAULT_MARGIN_M,
    buildings: bool = False,
    keep_other_sources: bool = False,
) -> tuple[list[Stored], list[str]]:
    """Store the map of every territory (or the one named) the extract covers; the caller commits.

    Returns what was stored and the names of the territories the extract does not cover (their
    map is left as it was). With `keep_other_sources`, a map imported from another file is kept
    too (the demo's hand-drawn map never replaces a real one). Raises Invalid when it covers none.
    """
    query = select(Territory).order_by(Territory.name)
    if territory is not None:
        query = query.where(Territory.slug == territory)
    territories = list(session.scalars(query))
    if keep_other_sources:
        others = select(StreetMap.territory_id).where(StreetMap.source != path.name)
        taken = set(session.scalars(others))
        territories = [t for t in territories if t.id not in taken]
        if not territories:
            return [], []
    if territory is not None and not territories:
        raise NotFound(f"there is no territory {territory!r}; see GET /api/v1/territories")
    if not territories:
        raise Invalid("there is no territory yet; create one (or run 'taptrail demo') first")
    regions = [
        region_around(
            t.id,
            [(t.latitude, t.longitude)] + [(p.latitude, p.longitude) for p in t.places],
            margin_m,
        )
        for t in territories
    ]
    extracts = read_extract(path, regions, buildings=buildings)
    stored: list[Stored] = []
    missed: list[str] = []
    now = clock.now()
    for found in territories:
        extract = extracts[found.id]
        if not extract.lines and not extract.areas:
            missed.append(found.name)
            continue
        street_maps.store(session, found.id, extract.as_data(), path.name, now)
        stored.append(
            Stored(
                found.name,
                len(extract.lines),
                len(extract.areas),
                len(extract.nodes) // 2,
                len(extract.edges),
            )
        )
    if not stored:
        raise Invalid(
            f"{path.name} holds no street, water or park near "
            + ", ".join(missed)
            + "; give an extract of the region the territories are in"
        )
    return stored, missed
