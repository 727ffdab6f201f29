"""Place pages kept rendered in memory: served again while nothing they show has changed.

A rendering is kept per page address (host, path, category filter) and locale, up to
PLACE_PAGE_CACHE of them per process (least recently used go first), and served while both hold:

- the content version is the one it was rendered at: database triggers bump it at every change
  to what the page shows (server.models.content; migration 0023), read with one SELECT;
- the moment is before its "good until": the next opening or closing of anything listed, an
  event's start or end, an event coming within the listing's horizon, local midnight (dates,
  offers' validity, "tomorrow").

The page is the same for every visitor (as its copy kept on disk for outages is): its language
is in its address, and nothing in it depends on cookies. An address with other query values
(?utm_source=…, which the language links repeat) is rendered each time and not kept. The live
mobility block is rendered at each request and put where the page marks it.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from flask import Response, current_app, request
from markupsafe import Markup
from sqlalchemy import select

from server import clock
from server.db import UNAVAILABLE, db_session
from server.models import ContentVersion
from server.visitor import kept

EXTENSION = "taptrail.place_pages"
# Where the live block goes in a kept rendering (a comment no content can produce: text is
# escaped, so "<!--" never comes from a field).
LIVE_MARK = Markup("<!--taptrail-live-block-->")
Key = tuple[str, str, str]  # base URL, query, kept-copy key (page and locale)


@dataclass(frozen=True)
class Rendered:
    """A page as rendered, with LIVE_MARK where the live block goes."""

    html: str
    good_until: dt.datetime  # the first moment it may read otherwise
    live: Callable[[dt.datetime], str]  # the live block's markup at a moment

    def page(self, now: dt.datetime) -> str:
        """The whole page at `now`: the rendering with its live block."""
        return self.html.replace(LIVE_MARK, self.live(now), 1)


class Renderings:
    """Renderings by key, with the content version each was made at; bounded, thread-safe."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._kept: OrderedDict[Key, tuple[int, Rendered]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Key, version: int, now: dt.datetime) -> Rendered | None:
        """The rendering kept for `key`, if made at `version` and still good at `now`."""
        with self._lock:
            found = self._kept.get(key)
            if found is None:
                return None
            if found[0] != version or now >= found[1].good_until:
                del self._kept[key]
                return None
            self._kept.move_to_end(key)
            return found[1]

    def put(self, key: Key, version: int, rendered: Rendered) -> None:
        """Keep `rendered`, made at `version`, dropping the least recently used past the size."""
        with self._lock:
            self._kept[key] = (version, rendered)
            self._kept.move_to_end(key)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)

    def __len__(self) -> int:
        return len(self._kept)


def renderings() -> Renderings:
    """This app's kept renderings (one set per app: tests make many apps)."""
    found = current_app.extensions.get(EXTENSION)
    if found is None:
        found = current_app.extensions[EXTENSION] = Renderings(
            int(current_app.config["PLACE_PAGE_CACHE"])
        )
    return found


def content_version() -> int | None:
    """The content version now (None if its row is missing: nothing is kept then)."""
    return db_session().scalar(select(ContentVersion.version).where(ContentVersion.id == 1))


def serve(page: str, render: Callable[[dt.datetime], Rendered], query: str) -> Response:
    """The page `page` (named as kept.serve names it), from its kept rendering when it holds,
    else rendered now; `query` is the only query string it may be kept with (its filter)."""
    copy_key = kept.localized_key(page)
    keep = (
        int(current_app.config["PLACE_PAGE_CACHE"]) > 0
        and request.method in ("GET", "HEAD")
        and request.query_string.decode("latin-1") == query
    )
    key = (request.base_url, query, copy_key)
    now = clock.now()
    try:
        # Read before rendering: a change committed meanwhile makes the next request render.
        version = content_version() if keep else None
        found = renderings().get(key, version, now) if version is not None else None
        fresh = found is None
        if found is None:
            found = render(now)
            if version is not None:
                renderings().put(key, version, found)
        html = found.page(now)
    except UNAVAILABLE:
        return kept.kept_copy(copy_key)
    if fresh:
        kept.pages().store(copy_key, html)  # the outage copy, as kept.serve makes it
    return Response(html)
