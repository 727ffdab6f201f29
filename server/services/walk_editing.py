"""Walks as staff edit them: a name, a description and ordered stops, each with a name, a
position and a note in each language. The content importer stores walks through `store` too,
so a walk from a file and one from the portal keep the same shape (the start is the first stop).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from server.errors import N_, Problem, Problems
from server.i18n import LANGUAGES
from server.models import Walk, WalkStop
from server.services.listings import clean_fields, coordinate, text, translated_texts

MAX_STOPS = 40
NOTE = 500  # characters of a stop's note, per language


@dataclass
class Stop:
    """A stop as the form holds it: text as typed, until it is cleaned."""

    name: str
    latitude: str
    longitude: str
    note: dict[str, str] = field(default_factory=dict)
    url: str = ""


def stops_of(form: Mapping[str, str]) -> list[Stop]:
    """The stops the form carries, in order (fields stop-1-name, stop-1-latitude...)."""
    found = []
    number = 1
    while f"stop-{number}-name" in form:
        key = f"stop-{number}-"
        found.append(
            Stop(
                form.get(key + "name", ""),
                form.get(key + "latitude", ""),
                form.get(key + "longitude", ""),
                {lang: form.get(f"{key}note_{lang}", "") for lang in LANGUAGES},
                form.get(key + "url", ""),
            )
        )
        number += 1
    return found


def stop_fields(stops: list[Stop]) -> dict[str, str]:
    """The form's fields for these stops (what stops_of reads back)."""
    fields: dict[str, str] = {}
    for number, stop in enumerate(stops, start=1):
        key = f"stop-{number}-"
        fields |= {
            key + "name": stop.name,
            key + "latitude": stop.latitude,
            key + "longitude": stop.longitude,
            key + "url": stop.url,
        }
        fields |= {f"{key}note_{lang}": stop.note.get(lang, "") for lang in LANGUAGES}
    return fields


def moved(stops: list[Stop], index: int, step: int) -> list[Stop]:
    """The stops with the one at `index` moved up (-1) or down (+1); as they were at an end."""
    other = index + step
    if not (0 <= index < len(stops) and 0 <= other < len(stops)):
        return stops
    reordered = list(stops)
    reordered[index], reordered[other] = reordered[other], reordered[index]
    return reordered


def clean_walk(form: Mapping[str, str]) -> tuple[dict[str, Any], list[WalkStop]]:
    """A walk's values and its stops from a staff form, or Problems naming each wrong field."""
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    for part in (
        lambda: clean_fields(form, {"name": text(200, required=True)}),
        lambda: {"description": translated_texts(form, "description", 1000)},
    ):
        try:
            values.update(part())
        except Problems as refused:
            problems += refused.problems
    stops = stops_of(form)
    if not stops:
        problems.append(
            Problem(N_("A walk needs at least one stop: add one from the map or the search."))
        )
    if len(stops) > MAX_STOPS:
        problems.append(Problem(N_("A walk has %(most)d stops at most."), most=MAX_STOPS))
    cleaned = []
    for number, stop in enumerate(stops, start=1):
        key = f"stop-{number}-"
        checks = {
            key + "name": text(200, required=True),
            key + "latitude": coordinate(-90, 90, "50.69229"),
            key + "longitude": coordinate(-180, 180, "3.16782"),
        }
        fields = {key + "name": stop.name, key + "latitude": stop.latitude}
        fields |= {key + "longitude": stop.longitude}
        fields |= {f"{key}note_{lang}": stop.note.get(lang, "") for lang in LANGUAGES}
        try:
            checked = clean_fields(fields, checks)
            note = translated_texts(fields, key + "note", NOTE)
        except Problems as refused:
            problems += refused.problems
            continue
        cleaned.append(
            WalkStop(
                position=number,
                name=checked[key + "name"],
                latitude=checked[key + "latitude"],
                longitude=checked[key + "longitude"],
                note=note,
                url=stop.url or None,
            )
        )
    if problems:
        raise Problems(problems)
    return values, cleaned


def store(session: Session, walk: Walk, values: Mapping[str, Any], stops: list[WalkStop]) -> None:
    """Set the walk's values and replace its stops; it starts where its first stop is."""
    for name, value in values.items():
        setattr(walk, name, value)
    for position, stop in enumerate(stops, start=1):
        stop.position = position
    walk.start_latitude, walk.start_longitude = stops[0].latitude, stops[0].longitude
    walk.stops.clear()
    session.flush()  # delete the old stops before their positions are reused
    walk.stops.extend(stops)


def summary(walk: Walk) -> dict[str, Any]:
    """The walk as the audit log compares it: name, description, and its stops by name."""
    return {
        "name": walk.name,
        "description": dict(walk.description or {}),
        "stops": [stop.name for stop in walk.stops],
    }
