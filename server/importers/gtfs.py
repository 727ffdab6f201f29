"""Import transit stops from a GTFS feed (a zip, a folder, or its stops.txt alone).

A feed is named after its agencies (agency.txt), or as the staff choose: another agency's feed is
another feed, whatever its file is called. Importing a feed that is already here replaces its
stops as a whole, and only when asked to: otherwise it says what would change and stores nothing.
See server/importers/gtfsfeed.py for stations, platforms, lines and stops too far away.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from server import clock
from server.errors import NotFound, WouldReplace
from server.importers import gtfstimes
from server.importers.gtfsfeed import DEFAULT_WITHIN_KM, Feed, read_feed
from server.importers.gtfsfiles import FeedFiles
from server.importers.report import ImportReport, Progress, plural
from server.models import Territory, TransitFeed, TransitStop

COMPARED = ("code", "name", "latitude", "longitude", "location_type", "parent_station", "lines")


class FeedReplacement(WouldReplace):
    """The feed is already here and the file would change it: replacing it was not asked for."""


def import_gtfs(
    session: Session,
    path: Path,
    feed: str | None = None,
    demo: bool = False,
    *,
    replace: bool = False,
    territory: str | None = None,
    within_km: float = DEFAULT_WITHIN_KM,
    keep_outliers: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Store the feed's stops in `session` (the caller commits); say what was done.

    Stops further than `within_km` from the `territory` (by default, from the feed's median
    position) are left out unless `keep_outliers`. Raises ImportProblem for a feed that cannot be
    imported, and FeedReplacement when a feed of the same name is here, the file would change it
    and `replace` is not set.
    """
    center = None
    if territory is not None:
        row = session.scalars(select(Territory).where(Territory.slug == territory)).first()
        if row is None:
            raise NotFound(f"there is no territory {territory!r}; see GET /api/v1/territories")
        center = (row.latitude, row.longitude)
    found = read_feed(
        path,
        feed,
        center=center,
        within_km=within_km,
        keep_outliers=keep_outliers,
        progress=progress,
    )
    report = ImportReport("stop", "stop", skipped=found.left_out, notes=found.notes)
    report.source = f"the feed {found.name!r} ({found.agencies or 'agencies not named'})"
    existing = session.scalars(select(TransitFeed).where(TransitFeed.name == found.name)).first()
    stored = {
        stop.stop_id: stop
        for stop in session.scalars(select(TransitStop).where(TransitStop.feed == found.name))
    }
    _compare(found, stored, report)
    if existing is not None and (report.new or report.updated or report.removed) and not replace:
        changes = (
            f"this file would add {plural(report.new, 'stop')}, change {report.updated:,} and "
            f"remove {report.removed:,} ({report.unchanged:,} unchanged)"
        )
        raise FeedReplacement(
            f"the feed {found.name!r} ({_described(existing)}) is already imported and {changes}:"
            " import it with --replace to replace that feed, or with --feed NAME to keep both",
            f"The feed {found.name!r} ({_described(existing)}) is already imported: {changes}.",
            field="feed",
        )
    if existing is None:
        existing = TransitFeed(name=found.name)
        session.add(existing)
    existing.agencies, existing.publisher = found.agencies, found.publisher
    existing.version, existing.imported_at, existing.demo = found.version, clock.now(), demo
    session.flush()
    session.execute(delete(TransitStop).where(TransitStop.feed == found.name))
    if found.stops:
        rows = [{**stop, "feed": found.name, "demo": demo} for stop in found.stops]
        session.execute(insert(TransitStop), rows)
    # The timetable, for the next departures (docs/mobility.md), goes with the stops it serves.
    with FeedFiles.open(path) as files:
        existing.timezone = gtfstimes.timezone(files)
        kept = {stop["stop_id"] for stop in found.stops}
        report.notes.extend(gtfstimes.replace_timetable(session, files, found.name, kept, progress))
    session.flush()
    return report


def _compare(found: Feed, stored: dict[str, TransitStop], report: ImportReport) -> None:
    """Count the stops the file adds, changes, keeps and removes, by stop_id."""
    incoming = {stop["stop_id"]: stop for stop in found.stops}
    for stop_id, values in incoming.items():
        before = stored.get(stop_id)
        if before is None:
            report.new += 1
        elif _same(before, values):
            report.unchanged += 1
        else:
            report.updated += 1
    report.removed = sum(stop_id not in incoming for stop_id in stored)


def _same(before: TransitStop, values: dict[str, Any]) -> bool:
    return all(getattr(before, column) == values[column] for column in COMPARED)


def _described(feed: TransitFeed) -> str:
    """ "Ilévia, version 2026-03, imported on 2026-03-02"."""
    parts = [feed.agencies or "agencies unknown"]
    if feed.version:
        parts.append(f"version {feed.version}")
    parts.append(f"imported on {feed.imported_at:%Y-%m-%d}")
    return ", ".join(parts)
