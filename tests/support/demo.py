"""The demo data as tests see it: a database holding it, a moment to look at it, and what the
place page should list then, worked out from the nearby service rather than written down.

The tests' calendar is fixed, so that none depends on the day it runs: the demo is loaded as of
DEMO_LOADED (its weekly events from then on, its taps up to then), within the demo offers' dates
(2026 and 2027), and looked at in the days that follow (next_local).
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from server.db import make_engine
from server.demo import load_demo
from server.migrate import upgrade
from server.models import Place
from server.services import nearby
from server.services.accounts import Passwords
from server.visitor.present import collapse_repeats
from tags.keyring import Keyring

PARIS = ZoneInfo("Europe/Paris")
SATURDAY = 5
DEMO_LOADED = dt.datetime(2026, 11, 23, 9, tzinfo=PARIS).astimezone(dt.UTC)  # a Monday


@dataclass(frozen=True)
class Demo:
    """A database holding the demo, made once per session, and the folder of its photos."""

    url: str
    media: Path
    rows: dict[str, int] = field(default_factory=dict)  # per table, as loaded (PostgreSQL)

    def copy_media(self, folder: Path) -> None:
        """Give a test its own copy of the demo's photos (tests may add or delete some)."""
        shutil.copytree(self.media, folder / "media")

    def copy_sqlite(self, folder: Path, name: str = "taptrail.db") -> str:
        """A SQLite demo's own copy in `folder`, its photos too; returns the copy's URL."""
        shutil.copy(make_url(self.url).database, folder / name)
        self.copy_media(folder)
        return f"sqlite:///{folder / name}"


def next_local(weekday: int, hour: int, zone: ZoneInfo = PARIS) -> dt.datetime:
    """The first such weekday (0 is Monday) and hour, local time, after the demo was loaded, in
    UTC: a moment when the demo's recurring events and offers are there."""
    loaded = DEMO_LOADED.astimezone(zone)
    day = loaded.date() + dt.timedelta(days=(weekday - loaded.weekday()) % 7 or 7)
    return dt.datetime.combine(day, dt.time(hour), zone).astimezone(dt.UTC)


def demo_database(path: Path, ring: Keyring, base_url: str = "https://t.example.org") -> str:
    """A migrated SQLite database at `path` with the demo loaded, its photos in the folder
    `media` beside it; returns its URL."""
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as session, session.begin():
        # Its accounts' passwords are made up and printed, never signed in with: cheapest.
        load_demo(
            session,
            ring,
            base_url,
            DEMO_LOADED,
            passwords=Passwords("cheapest"),
            media=path.parent / "media",
        )
    engine.dispose()
    return url


def expected_titles(
    session: Session, slug: str, now: dt.datetime, lang: str, kind: str | None = None
) -> list[str]:
    """The titles the place page should list, in order: the nearby ranking (each repeated event
    once), offers under their title in `lang` (French when missing), everything else by name."""
    place = session.scalars(select(Place).where(Place.slug == slug)).one()
    items = collapse_repeats(nearby.for_place(session, place, now, limit=10_000))
    titles = []
    for item in items:
        if kind and item.kind != kind:
            continue
        if item.kind is nearby.Kind.OFFER:
            title = item.details["title"]
            titles.append(title.get(lang) or title["fr"])
        else:
            titles.append(item.name)
    return titles
