"""The analytics dashboard under /portal/analytics: taps, visitors, journeys, offers and sticker
health for analysts and administrators, drawn on the server and downloadable as CSV.

It reuses the portal's sign-in, role checks, headers and error pages; its figures come from
server/services/stats.py, which reads the rollups only.
"""

from __future__ import annotations

from flask import Blueprint, Flask

from server.portal import _forbidden, _headers, _not_found

bp = Blueprint("analytics", __name__, url_prefix="/portal/analytics")
bp.after_request(_headers)  # the portal's no-store and Vary: same pages, same rules
bp.register_error_handler(403, _forbidden)
bp.register_error_handler(404, _not_found)


def init_app(app: Flask) -> None:
    """Register the dashboard."""
    app.register_blueprint(bp)


from server.analytics import views  # noqa: E402, F401  (routes register on import)
