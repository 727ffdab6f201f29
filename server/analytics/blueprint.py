"""The dashboard's blueprint: its pages follow the portal's rules (no-store, problem pages)."""

from __future__ import annotations

from flask import Blueprint

from server.web import caching, problems

bp = Blueprint("analytics", __name__, url_prefix="/portal/analytics")
bp.after_request(caching.personal)  # the portal's no-store and Vary: same pages, same rules
bp.register_error_handler(403, problems.portal_forbidden)
bp.register_error_handler(404, problems.portal_not_found)
