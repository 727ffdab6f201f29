"""The analytics dashboard under /portal/analytics: taps, visitors, journeys, offers and sticker
health for analysts and administrators, drawn on the server and downloadable as CSV.

It reuses the portal's sign-in and role checks, and the portal's caching and error pages (from
server.web); its figures come from server/services/stats.py, which reads the rollups only.
"""

from __future__ import annotations

from flask import Blueprint, Flask

from server.web import caching, problems

bp = Blueprint("analytics", __name__, url_prefix="/portal/analytics")
bp.after_request(caching.personal)  # the portal's pages: same rules
bp.register_error_handler(403, problems.portal_forbidden)
bp.register_error_handler(404, problems.portal_not_found)


def init_app(app: Flask) -> None:
    """Register the dashboard."""
    app.register_blueprint(bp)


from server.analytics import views  # noqa: E402, F401  (routes register on import)
