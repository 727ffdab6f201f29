"""taptrail mobility: run the feed poller, fetch a feed now, see each feed's state."""

from __future__ import annotations

import contextlib
import signal
import sys
import threading

import click
import orjson
from flask import current_app
from flask.cli import with_appcontext

from server.clock import machine_now
from server.commands import edge
from server.mobility.fetch import Fetcher
from server.mobility.live import health, mobility
from server.mobility.poller import PollerLoop


@click.group("mobility")
def mobility_group() -> None:
    """Live mobility feeds (TAPTRAIL_MOBILITY_FEEDS): poll them, see their state."""


def _fetcher() -> Fetcher:
    return Fetcher(
        timeout=float(current_app.config["MOBILITY_TIMEOUT"]),
        max_bytes=int(current_app.config["MOBILITY_MAX_BYTES"]),
    )


@mobility_group.command("poll")
@click.option("--follow", is_flag=True, help="Keep polling until stopped (the poller process).")
@click.option("--feed", "names", multiple=True, help="Only this feed (repeatable).")
@click.option("--parent", type=int, hidden=True, help="Stop when this process is gone.")
@click.option("--restarts", type=int, default=0, hidden=True, help="Set by the supervisor.")
@with_appcontext
@edge
def poll_command(follow: bool, names: tuple[str, ...], parent: int | None, restarts: int) -> None:
    """Fetch every feed now (or with --follow, each on its schedule until stopped)."""
    live = mobility()
    feeds = [feed for feed in live.feeds if not names or feed.name in names]
    if names and len(feeds) != len(set(names)):
        known = ", ".join(feed.name for feed in live.feeds) or "none"
        raise click.ClickException(f"no such feed in TAPTRAIL_MOBILITY_FEEDS (feeds: {known})")
    if not feeds:
        raise click.ClickException(
            "no feed is configured: set TAPTRAIL_MOBILITY_FEEDS to a feeds file "
            "(see docs/mobility.md)"
        )
    loop = PollerLoop(feeds, live.store, _fetcher(), parent=parent, restarts=restarts)
    if follow:
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        with contextlib.suppress(KeyboardInterrupt):
            loop.run(stop)
        return
    failed = 0
    for feed in feeds:
        good = loop.poll(feed)
        state = live.store.state(feed.name)
        said = f"{state.get('items', 0)} items" if good else f"FAILED: {state.get('last_error')}"
        click.echo(f"{feed.name:<20} {feed.kind:<15} {said}")
        failed += not good
    if failed:
        sys.exit(1)


@mobility_group.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print JSON, as GET /healthz shows it.")
@with_appcontext
@edge
def status_command(as_json: bool) -> None:
    """Each feed's state: last success, last error, age; exits with 1 if the poller is gone."""
    body, problems = health(mobility(), machine_now())
    if as_json:
        click.echo(orjson.dumps({**body, "problems": problems}, option=orjson.OPT_INDENT_2))
    else:
        beat = body["poller"]
        if beat is None:
            click.echo("poller      never seen")
        else:
            click.echo(
                f"poller      pid {beat['pid']}, heartbeat {beat['seconds_since_beat']:.0f} s "
                f"ago, restarted {beat['restarts']} times"
            )
        for feed in body["feeds"]:
            age = feed["seconds_since_success"]
            click.echo(
                f"{feed['name']:<20} {feed['status']:<8} {feed['items']:>5} items"
                + (f", last good {age:.0f} s ago" if age is not None else "")
                + (f", last error: {feed['last_error']}" if feed["failures"] else "")
            )
        for problem in problems:
            click.echo(f"  - {problem}")
    if problems:
        sys.exit(1)
