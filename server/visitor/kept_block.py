"""The mobility block kept rendered per place and language until any of its text would change.

Every place page and TV view shows the block, and most of what it says moves only when a feed
is fetched again: so it is rendered once, with numbered slots where the text changes with the
minute alone (a figure's age, "il y a 2 min"; a departure's "dans 4 min"), and each page fills
the slots by string substitution. A kept block serves from the moment it was made until:

- a feed's snapshot changes (a new fetch: the snapshot object read from disk is another one);
- its "good until" moment, the earliest at which a shown text may change otherwise: a figure
  turns stale, a departure passes or comes into the window, an alert starts or ends, the
  service day turns (services/mobility.py Spot.changes_at);
- ten minutes have passed (a new timetable import, a place moved; and, while feeds are down,
  the outage copy is rewritten at least that often);
- the clock goes back before the moment it was made.

Its text is always what a fresh render says at the same moment (tests/server/mobility/
test_kept_block.py). Data holding the slot marker (NUL) is never kept: that block is rendered
in full at every page, so no feed's text can land in another slot.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from markupsafe import Markup, escape

from server.i18n import language as current_language
from server.i18n import locale, speaking
from server.mobility.live import Mobility, mobility
from server.mobility.store import Snapshot
from server.models import Place
from server.services import mobility as moving
from server.visitor import mobility as said

MARK = "\x00"  # slots are "\x00<number>\x00" in the rendered template
LONGEST = dt.timedelta(minutes=10)
MAX_KEPT = 2_000  # (place, language, size) blocks per process; cleared past this

Slot = Callable[[dt.datetime], str]


@dataclass(frozen=True)
class Kept:
    """A rendered block: its text between slots, the slots, and when it holds."""

    since: dt.datetime
    until: dt.datetime
    snapshots: tuple[Snapshot | None, ...]
    where: tuple[Any, ...]
    texts: tuple[str, ...]  # one more than slots
    slots: tuple[Slot, ...]

    def holds(self, now: dt.datetime, snapshots: list[Snapshot | None], where: tuple) -> bool:
        """Whether this block still says what a fresh render would, but for its slots."""
        return (
            self.since <= now < self.until
            and self.where == where
            and len(snapshots) == len(self.snapshots)
            and all(a is b for a, b in zip(snapshots, self.snapshots, strict=True))
        )

    def fill(self, now: dt.datetime) -> Markup:
        """The block as of `now`."""
        texts, slots = self.texts, self.slots
        if not slots:
            return Markup(texts[0])
        out = [texts[0]]
        for number, slot in enumerate(slots):
            out.append(slot(now))
            out.append(texts[number + 1])
        return Markup("".join(out))


def markup(place: Place, language: str, now: dt.datetime, rows: int = 3, shown: int = 4) -> Markup:
    """The mobility block of `place` in `language` as of `now` (empty when there is nothing to
    show): `rows` nearest of each kind, `shown` departures per stop."""
    if language == current_language():
        return _markup(place, now, rows, shown)
    with speaking(language):
        return _markup(place, now, rows, shown)


def _markup(place: Place, now: dt.datetime, rows: int, shown: int) -> Markup:
    live = mobility()
    where = locale()
    key = (place.id, where.language, where.territory, rows, shown)
    snapshots = [live.store.snapshot(feed.name) for feed in live.feeds]
    at = (
        place.latitude,
        place.longitude,
        place.territory.timezone,
        current_app.config["MOBILITY_RADIUS_M"],
        bool(current_app.config.get("DEMO_FEEDS")),
    )
    kept = _kept(live)
    found = kept.get(key)
    if found is None or not found.holds(now, snapshots, at):
        made = _build(place, now, rows, shown, snapshots, at)
        if made is None:  # data holding the slot marker: rendered in full, not kept
            return said.fresh(place, now, rows, shown)
        if len(kept) >= MAX_KEPT:
            kept.clear()
        found = kept[key] = made
    return found.fill(now)


def _kept(live: Mobility) -> dict[tuple[Any, ...], Kept]:
    """This app's kept blocks (beside its snapshots: a new feeds file starts afresh)."""
    found = live.memo.get("kept blocks")
    if found is None:
        found = live.memo["kept blocks"] = {}
    return found


def _build(
    place: Place,
    now: dt.datetime,
    rows: int,
    shown: int,
    snapshots: list[Snapshot | None],
    at: tuple[Any, ...],
) -> Kept | None:
    """The block rendered once with slots, and until when it holds; None if it cannot be kept."""
    data = said.block(place, now, ahead=True)
    zone = place.territory.timezone
    slots: list[Slot] = []

    def slot(fill: Slot) -> str:
        slots.append(fill)
        return f"{MARK}{len(slots) - 1}{MARK}"

    stops = [spot for spot in data["spots"] if spot.kind == "stop"]
    for section in ("bikes", "parking", "stops"):
        for number, line in enumerate(data[section][:rows]):
            if line.age is not None and line.updated_at is not None:
                line.slot = slot(_updated(line.updated_at))
            if section == "stops":
                line.departures_slot = slot(_departures(stops[number], zone, shown))
    html = str(said.render(data, rows, shown))
    texts = html.split(MARK)
    # Exactly our slots, in order: any other NUL came from the data, and the block is not kept.
    if texts[1::2] != [str(number) for number in range(len(slots))]:
        return None
    until = min([now + LONGEST, *(spot.changes_at for spot in data["spots"] if spot.changes_at)])
    return Kept(now, until, tuple(snapshots), at, tuple(texts[0::2]), tuple(slots))


def _updated(updated_at: dt.datetime) -> Slot:
    def fill(now: dt.datetime) -> str:
        age = said.age(max((now - updated_at).total_seconds(), 0.0))
        return str(escape(said.updated(age)))

    return fill


def _departures(spot: moving.Spot, zone: str, shown: int) -> Slot:
    # The list made last and for which departures and minutes to go: one tuple, replaced
    # whole, so that threads never pair one list's key with another's text.
    last: list[tuple[list[tuple[int, int]], str]] = [([(-1, 0)], "")]

    def fill(now: dt.datetime) -> str:
        coming = moving.next_departures(spot, now)[:shown]
        # The same departures at the same minutes to go, as on most pages of a minute: the
        # same list. (A cancelled one's words do not change with its minutes.)
        key = [
            (id(d), -1 if d.cancelled else int((d.leaves - now).total_seconds() // 60))
            for d in coming
        ]
        made = last[0]
        if key != made[0]:
            made = (key, str(said.departure_list([said.departure(d, now, zone) for d in coming])))
            last[0] = made
        return made[1]

    return fill
