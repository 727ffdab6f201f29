"""The dashboard's figures as JSON under /api/v1/stats, for tokens with the read-analytics scope.

Each figure of server/services/stats.py has its route, /api/v1/stats/<name>, and takes the
dashboard's arguments: territory (slug; the first by name when absent), from and to (local
dates, the last 30 days by default), place (slug) and sticker (number).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, jsonify, request

from server import clock
from server.analytics.export import as_dicts
from server.analytics.scope import read_scope
from server.api.auth import require_scope
from server.api.blueprint import bp
from server.db import db_session
from server.services import stats
from server.services.tokens import TokenScope


def _answer(name: str) -> Response:
    chosen = read_scope(db_session(), request.args, clock.now())
    rows = stats.figure(db_session(), name, chosen.scope)
    return jsonify(
        {
            "figure": name,
            "territory": chosen.territory.slug,
            "timezone": chosen.territory.timezone,
            "from": chosen.scope.start.isoformat(),
            "to": chosen.scope.end.isoformat(),
            "place": chosen.place.slug if chosen.place else None,
            "items": as_dicts(rows),
        }
    )


def _view(name: str) -> Callable[[], Response]:
    def view() -> Response:
        return _answer(name)

    view.__name__ = view.__qualname__ = "stats_" + name.replace("-", "_")
    view.__doc__ = f"The {name.replace('-', ' ')} figure as JSON."
    return require_scope(TokenScope.READ_ANALYTICS)(view)


for _name in stats.FIGURES:
    bp.add_url_rule(f"/stats/{_name}", view_func=_view(_name), methods=["GET"])
