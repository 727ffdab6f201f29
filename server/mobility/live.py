"""The app's live mobility: the feeds configured, the store of their snapshots, and each feed's
state as an operator sees it (the health URL, the staff portal, `taptrail mobility status`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app

from server.mobility import feeds as feed_settings
from server.mobility.feeds import FeedSettings
from server.mobility.store import Store

MAX_BEAT_AGE = 30.0  # a poller writes its heartbeat every second; past this it is gone


@dataclass
class Mobility:
    """The feeds of this server and where their snapshots are."""

    feeds: list[FeedSettings]
    store: Store
    # Timetabled departures per (feed, stop, minute), for this app: the timetable changes only on
    # import, so a minute's answer serves every page of that minute (see services/mobility.py).
    memo: dict[Any, Any] = field(default_factory=dict)

    def holding(self, holds: str) -> list[FeedSettings]:
        """The feeds of one sort: bikes, parking or transit."""
        return [feed for feed in self.feeds if feed.holds == holds]  # a handful of feeds


def init_app(app: Flask) -> None:
    """Read the feeds file (a bad one stops the server with one sentence) and open the store."""
    app.extensions["taptrail.mobility"] = Mobility(
        feed_settings.load(app.config.get("MOBILITY_FEEDS")), Store(app.config["MOBILITY_DIR"])
    )


def mobility(app: Flask | None = None) -> Mobility:
    """This app's live mobility."""
    return (app or current_app).extensions["taptrail.mobility"]


def _age(value: str | None, now: dt.datetime) -> float | None:
    if not value:
        return None
    return round((now - dt.datetime.fromisoformat(value)).total_seconds(), 1)


def feed_states(live: Mobility, now: dt.datetime) -> list[dict[str, Any]]:
    """Each feed's state: ok, stale (its last good data is too old), failing, or never fetched."""
    states = []
    for feed in live.feeds:
        state = live.store.state(feed.name, cached=True)
        snapshot = live.store.snapshot(feed.name)
        success_age = _age(state.get("last_success_at"), now)
        if snapshot is None:
            status = "never" if not state.get("last_error") else "failing"
        elif state.get("failures"):
            status = "failing"
        elif success_age is not None and success_age > feed.stale_after:
            status = "stale"
        else:
            status = "ok"
        states.append(
            {
                "name": feed.name,
                "kind": feed.kind,
                "status": status,
                "items": len(snapshot.items) if snapshot else 0,
                "last_success_at": state.get("last_success_at"),
                "seconds_since_success": success_age,
                "last_error": state.get("last_error"),
                "last_error_at": state.get("last_error_at"),
                "failures": state.get("failures", 0),
                "next_attempt_at": state.get("next_attempt_at"),
                "stale_after": feed.stale_after,
            }
        )
    return states


def health(live: Mobility, now: dt.datetime) -> tuple[dict[str, Any], list[str]]:
    """The feeds' part of the health URL, and the problems an operator must act on.

    A feed that is down or stale is the outside party's outage: it is reported per feed but is
    not a problem of this host. A poller that is not running, while feeds are configured, is.
    """
    beat = live.store.heartbeat()
    problems = []
    if beat is not None:
        beat = {**beat, "seconds_since_beat": _age(beat.get("beat_at"), now)}
    if live.feeds and beat is None:
        problems.append("no feed poller has ever run on this host")
    elif live.feeds and beat is not None and (beat["seconds_since_beat"] or 0) > MAX_BEAT_AGE:
        problems.append(
            f"the feed poller's last heartbeat is {beat['seconds_since_beat']:.0f} s old"
        )
    return {"poller": beat, "feeds": feed_states(live, now)}, problems
