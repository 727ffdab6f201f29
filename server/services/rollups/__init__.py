"""The analytics rollups: kept by recomputing whole local days marked dirty by the writers."""

from server.services.rollups.calendar import day_bounds, local_day
from server.services.rollups.marks import mark, mark_moments, mark_places
from server.services.rollups.rebuild import rebuild
from server.services.rollups.refresh import (
    CheckReport,
    RefreshReport,
    Schedule,
    check,
    rebuild_by_day,
    refresh,
)

__all__ = [
    "CheckReport",
    "RefreshReport",
    "Schedule",
    "check",
    "day_bounds",
    "local_day",
    "mark",
    "mark_moments",
    "mark_places",
    "rebuild",
    "rebuild_by_day",
    "refresh",
]
