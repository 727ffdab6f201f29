"""Taps stored the way the drainer stores them, and a naive recount to hold the rollups to."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy import select

from server.db import database
from server.models import Audience, Tap
from server.services import rollups
from server.taps.store import store_taps

PARIS = ZoneInfo("Europe/Paris")
_ids = itertools.count(1)
# The tests' "now": their taps of 2026 must stay inside the 25 months kept, whenever they run.
NOW = dt.datetime(2026, 11, 28, 12, tzinfo=dt.UTC)


def tap(
    tag_id: int,
    at: dt.datetime,
    visitor: str = "visitor-1",
    human: bool = True,
    reason: str | None = None,
    **extra: object,
) -> dict:
    """A spool record of a tap at sticker `tag_id` at `at` (aware)."""
    return {
        "id": f"{next(_ids):032x}",
        "at": at.astimezone(dt.UTC).isoformat(),
        "code": "X",
        "tag_id": tag_id,
        "outcome": "ok",
        "visitor_id": visitor,
        "visitor_kind": "cookie" if human else "hash",
        "human": human,
        "reason": reason,
        "method": "GET",
        **extra,
    }


def store(app: Flask, records: list[dict]) -> None:
    """Store taps as the drainer does."""
    store_taps(database(app), records)


def paris(*args: int) -> dt.datetime:
    """A moment on the clocks of Paris."""
    return dt.datetime(*args, tzinfo=PARIS)


def raw_counts(app: Flask) -> Counter:
    """Taps per (local day, sticker, audience), counted one by one from the raw table."""
    counts: Counter = Counter()
    with database(app).sessions() as session:
        for row in session.scalars(select(Tap)):
            counts[row.occurred_at.astimezone(PARIS).date(), row.sticker_id, audience_of(row)] += 1
    return counts


def audience_of(row: Tap) -> Audience:
    """Who tapped, told apart independently of the code under test."""
    if row.human:
        return Audience.PERSON
    if (row.reason or "").startswith("link preview"):
        return Audience.PREVIEW
    return Audience.MACHINE


def refresh(app: Flask) -> rollups.RefreshReport:
    """Refresh the rollups as the drainer does, on the tests' clock."""
    return rollups.refresh(database(app), now=NOW)


def rebuild(app: Flask, *days: dt.date) -> rollups.RefreshReport:
    """Rebuild the rollups (of the days from the first to the last given) on the tests' clock."""
    return rollups.rebuild(database(app), *days, now=NOW)


def check(app: Flask) -> list[str]:
    """What `taptrail rollups rebuild --check` would report, on the tests' clock."""
    return rollups.check(database(app), now=NOW).differences
