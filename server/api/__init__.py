"""The JSON API under /api/v1: content for everyone, batches and stickers for the field tool."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from server.api import content, field, openapi, stats  # noqa: E402, F401  (routes register on import)
from server.api.errors import register_error_handlers  # noqa: E402

__all__ = ["bp", "register_error_handlers"]
