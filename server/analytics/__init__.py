"""The analytics dashboard under /portal/analytics: taps, visitors, journeys, offers and sticker
health for analysts and administrators, drawn on the server and downloadable as CSV.

It reuses the portal's sign-in, role checks, headers and error pages; its figures come from
server/services/stats.py, which reads the rollups only.
"""

from __future__ import annotations

from server.analytics import views  # noqa: F401  (views: add their routes to bp)
from server.analytics.blueprint import bp

__all__ = ["bp"]
