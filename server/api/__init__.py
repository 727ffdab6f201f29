"""The JSON API under /api/v1: content for everyone, batches and stickers for the field tool."""

from __future__ import annotations

from server.api import content, field, mobility, openapi, stats  # noqa: F401  (views: add their routes to bp)
from server.api.blueprint import bp
from server.api.errors import register_error_handlers

__all__ = ["bp", "register_error_handlers"]
