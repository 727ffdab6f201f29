"""taptrail rollups (refresh, rebuild, check) and taptrail purge."""

from __future__ import annotations

import datetime as dt

import click
from flask.cli import with_appcontext

from server import clock
from server.commands import edge
from server.db import database
from server.services import rollups
from server.services.retention import RETENTION_MONTHS, purge

DAY = click.DateTime(formats=["%Y-%m-%d"])


@click.group("rollups")
def rollups_group() -> None:
    """The analytics rollups: counts per day that the dashboard reads."""


@rollups_group.command("refresh")
@with_appcontext
@edge
def refresh_command() -> None:
    """Recompute the days changed since the last refresh (the drainer does this every minute)."""
    report = rollups.refresh(database())
    click.echo(f"recomputed {report.days} days and the journeys of {report.journey_days}")


@rollups_group.command("rebuild")
@click.option("--from", "first", type=DAY, help="First local day (default: the oldest tap).")
@click.option("--to", "last", type=DAY, help="Last local day (default: the newest tap).")
@click.option("--check", is_flag=True, help="Only compare the rollups with a recount; change none.")
@with_appcontext
@edge
def rebuild_command(first: dt.datetime | None, last: dt.datetime | None, check: bool) -> None:
    """Recompute the rollups from the raw taps, offer views and codes (or check them)."""
    start = first.date() if first else None
    end = last.date() if last else None
    if start and end and end < start:
        raise click.BadParameter("--to is before --from; give the earlier day first")
    if check:
        report = rollups.check(database(), start, end)
        for difference in report.differences:
            click.echo(difference)
        if report.differences:
            raise click.ClickException(
                f"{len(report.differences)} rollup tables differ from a recount of the raw "
                "rows; run 'taptrail rollups rebuild' for those days"
            )
        click.echo(f"checked {report.days} days: the rollups match the raw rows")
        return
    done = rollups.rebuild(database(), start, end)
    click.echo(f"recomputed {done.days} days and the journeys of {done.journey_days}")
    if done.too_old:
        click.echo(
            f"left {done.too_old} days alone: their raw rows are past retention "
            f"({RETENTION_MONTHS} months); their rollups are kept as they are"
        )


@click.command("purge")
@click.option(
    "--months",
    default=RETENTION_MONTHS,
    show_default=True,
    type=click.IntRange(1, RETENTION_MONTHS),
    help="Keep raw rows this many months.",
)
@click.option("--dry-run", is_flag=True, help="Count what would go; delete nothing.")
@with_appcontext
@edge
def purge_command(months: int, dry_run: bool) -> None:
    """Delete raw taps and visitor ids past retention (run daily); the rollups stay."""
    report = purge(database(), clock.now(), months, dry_run=dry_run)
    verb = "would delete" if dry_run else "deleted"
    click.echo(
        f"{verb} {report.taps} taps, {report.offer_views} offer views and "
        f"{report.visitor_days} visitor-days from before {report.cutoff:%Y-%m-%d %H:%M} UTC; "
        f"{'would strip' if dry_run else 'stripped'} the visitor id of "
        f"{report.codes_stripped} redemption codes"
    )
