"""The dashboard's blueprint: its pages follow the portal's rules (no-store, problem pages)."""

from __future__ import annotations

from flask import Blueprint

from server.portal.blueprint import _forbidden, _headers, _not_found

bp = Blueprint("analytics", __name__, url_prefix="/portal/analytics")
bp.after_request(_headers)  # the portal's no-store and Vary: same pages, same rules
bp.register_error_handler(403, _forbidden)
bp.register_error_handler(404, _not_found)
