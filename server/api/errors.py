"""The API's errors, all in one JSON shape (written by server.web.problems.error_response):

    {"error": {"status": 404, "code": "not_found", "message": "...", "field": null}}

`message` says what went wrong and what to do next; `field` names the offending input, if any.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from server.db import UNAVAILABLE
from server.errors import TapTrailError
from server.web.problems import API_PREFIX, error_response

log = logging.getLogger(__name__)

# Next steps for HTTP errors that do not come from the domain.
HINTS = {
    400: "the request could not be read; send JSON with Content-Type: application/json",
    401: "send 'Authorization: Bearer <token>' (create one with 'taptrail tokens create')",
    404: "no such resource; the routes are listed in /api/v1/openapi.json",
    405: "this route does not take that method; see /api/v1/openapi.json",
    503: "the database is not answering; try again in a minute",
}


class ApiError(TapTrailError):
    """An HTTP-level refusal raised by the API layer itself."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.status, self.code = status, code


def register_error_handlers(app: Flask) -> None:
    """Answer errors on /api/ paths with the JSON shape, and leave other paths alone."""

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response | HTTPException:
        if not request.path.startswith(API_PREFIX):
            return error
        status = error.code or 500
        code = (error.name or "error").lower().replace(" ", "_")
        response = error_response(status, code, HINTS.get(status, error.description or code))
        for name, value in error.get_headers():  # Allow on a 405, as RFC 9110 requires
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(UNAVAILABLE[0])
    def database_error(error: Exception) -> Response | tuple[str, int]:
        log.error("database error on %s: %s", request.path, type(error).__name__)
        if not request.path.startswith(API_PREFIX):
            raise error
        return error_response(503, "unavailable", HINTS[503])

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        if not request.path.startswith(API_PREFIX):
            raise error
        log.exception("unexpected error on %s", request.path)
        message = "the server failed on this request; it is logged, try again or report it"
        return error_response(500, "internal_error", message)
