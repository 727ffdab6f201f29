"""The API's blueprint, under /api/v1 (its errors: server.api.errors)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
