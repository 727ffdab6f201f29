"""taptrail import (GTFS stops, iCalendar events, a content file, an OpenStreetMap extract) and
taptrail demo."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from server.commands import edge
from server.commands.import_output import run_import
from server.db import database


@click.group("import")
def import_group() -> None:
    """Import content; a file that cannot be read imports nothing, and replacing asks first."""


@import_group.command("gtfs")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--feed", help="Name of the feed (default: from its agency.txt).")
@click.option("--replace", is_flag=True, help="Replace the feed of the same name, if any.")
@click.option("--territory", help="Leave out stops far from this territory (by slug).")
@click.option(
    "--within",
    type=click.FloatRange(min=1),
    help="Kilometres from the territory (or the feed's median position) beyond which stops are "
    "left out (default 50).",
)
@click.option("--keep-outliers", is_flag=True, help="Keep the stops that are far from the rest.")
@with_appcontext
@edge
def import_gtfs_command(
    path: Path,
    feed: str | None,
    replace: bool,
    territory: str | None,
    within: float | None,
    keep_outliers: bool,
) -> None:
    """Transit stops from a GTFS feed (zip or folder) or its stops.txt."""
    from server.importers.gtfs import import_gtfs
    from server.importers.gtfsfeed import DEFAULT_WITHIN_KM

    run_import(
        import_gtfs,
        path,
        "stop_times.txt",
        replace,
        feed=feed,
        territory=territory,
        within_km=within or DEFAULT_WITHIN_KM,
        keep_outliers=keep_outliers,
    )


@import_group.command("ical")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--territory", required=True, help="The territory's slug.")
@click.option("--latitude", type=click.FloatRange(-90, 90), help="Position for events without GEO.")
@click.option("--longitude", type=click.FloatRange(-180, 180))
@click.option(
    "--calendar", help="Name of the calendar (default: its X-WR-CALNAME, or the file name)."
)
@click.option("--all-or-nothing", is_flag=True, help="Import nothing if any event is wrong.")
@click.option(
    "--replace", is_flag=True, help="Replace a calendar of the same name with no event in common."
)
@with_appcontext
@edge
def import_ical_command(
    path: Path,
    territory: str,
    latitude: float | None,
    longitude: float | None,
    calendar: str | None,
    all_or_nothing: bool,
    replace: bool,
) -> None:
    """Events from an iCalendar file: new, changed and cancelled ones, in one go."""
    from server.importers.ical import import_ical

    if (latitude is None) != (longitude is None):
        raise click.UsageError("give both --latitude and --longitude, or neither")
    position = (latitude, longitude) if latitude is not None and longitude is not None else None
    run_import(
        import_ical,
        path,
        "events",
        replace,
        territory_slug=territory,
        position=position,
        calendar=calendar,
        all_or_nothing=all_or_nothing,
    )


@import_group.command("content")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
@edge
def import_content_command(path: Path) -> None:
    """Shops, points of interest, offers, walks (and places, events) from a YAML or JSON file."""
    from server.importers.content import import_content

    with database().transaction() as session:
        report = import_content(session, path)
    parts = [
        f"{section}: {report.created.get(section, 0)} new, {report.updated.get(section, 0)} updated"
        for section in sorted({*report.created, *report.updated})
    ]
    click.echo(f"imported {path}: " + ("; ".join(parts) or "nothing in it"))


@import_group.command("osm")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--territory", help="Only this territory (by slug); default: every one it covers.")
@click.option(
    "--margin",
    type=click.FloatRange(min=100),
    help="Metres kept around a territory's places (default 1500).",
)
@click.option("--buildings", is_flag=True, help="Keep buildings too (larger maps).")
@with_appcontext
@edge
def import_osm_command(
    path: Path, territory: str | None, margin: float | None, buildings: bool
) -> None:
    """Street maps and walking graph from an OpenStreetMap extract (.osm or .osm.pbf).

    Each territory the extract covers gets its map replaced; the others keep theirs.
    """
    from server.importers.streetmap import DEFAULT_MARGIN_M, import_osm

    with database().transaction() as session:
        stored, missed = import_osm(session, path, territory, margin or DEFAULT_MARGIN_M, buildings)
    for found in stored:
        click.echo(
            f"{found.territory}: {found.lines} streets and waterways, {found.areas} areas, "
            f"walking graph of {found.nodes} points and {found.edges} links"
        )
    for name in missed:
        click.echo(f"{name}: not in {path.name}, its map is left as it was")


@click.command("demo")
@click.option("--urls", default=4, show_default=True, help="How many demo tap URLs to print.")
@with_appcontext
@edge
def demo(urls: int) -> None:
    """Load the demo content for the three pilot areas (again: updates it) and print tap URLs."""
    from server import clock
    from server.commands.pictures import draw_all
    from server.config import keyring, passwords
    from server.demo import load_demo
    from server.demo.traffic import load_traffic

    with database().transaction() as session:
        base_url = current_app.config["TAP_BASE_URL"]
        loaded = load_demo(
            session,
            keyring(),
            base_url,
            passwords=passwords(),
            media=current_app.config["MEDIA_DIR"],
        )
    # After the stickers are committed: taps are stored (and counted) as the drainer does.
    taps = load_traffic(database(), clock.now())
    click.echo(f"demo loaded: {loaded.summary}, {taps} new demo taps")
    # The photos' sizes, so that the demo's first visitor waits for none of them.
    _photos, drawn, _missing = draw_all()
    click.echo(f"photo sizes drawn ahead: {drawn}")
    for label, url in loaded.urls[:urls]:
        click.echo(f"  {label}: {url}")
    click.echo("demo accounts for the portal at /portal/login (new passwords at every load):")
    for email, role, password in loaded.accounts:
        click.echo(f"  {role:<14} {email:<34} {password}")
