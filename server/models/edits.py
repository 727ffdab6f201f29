"""When a visitor page's content was last edited: `updated_at`, the sitemap's lastmod.

Stamped at every flush that changes one of the row's own columns, whoever made it (portal,
importers, commands); a walk's stops added, changed or removed stamp their walk. Counters kept
by plain UPDATE statements (an offer's codes issued) go around the ORM and are no edit.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, object_session

from server.clock import machine_now
from server.models.agenda import Event, Walk, WalkStop
from server.models.listings import PointOfInterest, Shop
from server.models.offers import Offer
from server.models.places import Place, Territory

EDITED = (Territory, Place, Shop, PointOfInterest, Event, Walk, Offer)


@event.listens_for(Session, "before_flush")
def stamp_edits(session: Session, _context: Any, _instances: Any) -> None:
    """Give every edited row (and the walk of every edited stop) this moment as updated_at."""
    now = machine_now()
    for row in session.dirty:
        if isinstance(row, EDITED) and session.is_modified(row, include_collections=False):
            row.updated_at = now
    for row in (*session.new, *session.dirty, *session.deleted):
        if not isinstance(row, WalkStop):
            continue
        # Its walk, and the walk it was taken out of: a stop removed from walk.stops is only
        # deleted later in the flush (delete-orphan), and meanwhile its walk is None.
        for walk in {row.walk, *inspect(row).attrs.walk.history.deleted}:
            if walk is not None and object_session(walk) is session and _kept(session, walk):
                walk.updated_at = now


def _kept(session: Session, walk: Walk) -> bool:
    """Whether the walk was there before this flush and stays after it (else no edit to date)."""
    return walk not in session.new and walk not in session.deleted
