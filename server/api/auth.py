"""Bearer-token authorization with scopes."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from flask import g, request

from server import clock
from server.api.errors import ApiError
from server.db import db_session
from server.services.tokens import TokenScope, authenticate

LAST_USED_PRECISION = dt.timedelta(minutes=1)
P = ParamSpec("P")
R = TypeVar("R")


def require_scope(scope: TokenScope) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Refuse the view without a valid token (401) or without `scope` (403)."""

    def decorate(view: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            header = request.headers.get("Authorization", "")
            kind, _, token = header.partition(" ")
            if kind.lower() != "bearer" or not token.strip():
                raise ApiError(
                    401,
                    "unauthorized",
                    "send 'Authorization: Bearer <token>'; "
                    f"create one with 'taptrail tokens create --scope {scope}'",
                )
            row = authenticate(db_session(), token.strip())
            if row is None:
                raise ApiError(
                    401,
                    "unauthorized",
                    "this token is unknown or revoked; ask an administrator for a new one",
                )
            if scope not in row.scope_set:
                raise ApiError(
                    403,
                    "forbidden",
                    f"this token lacks the {scope!r} scope; "
                    f"create one with 'taptrail tokens create --scope {scope}'",
                )
            now = clock.now()
            if row.last_used_at is None or now - row.last_used_at > LAST_USED_PRECISION:
                row.last_used_at = now  # at most one write a minute per token
                db_session().commit()
            g.api_token = row
            return view(*args, **kwargs)

        return wrapper

    return decorate
