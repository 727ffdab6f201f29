"""Control characters refused at the edge, before any view, the tap spool or the database.

No code, slug or query value of TapTrail can hold a NUL or another C0 control character (a code
and a slug are ASCII letters, digits and hyphens). PostgreSQL refuses a NUL in text, which the
pages and the tap drainer would take for an outage, so such input never gets that far: a path
holding one answers 404 (nothing can live there), a query argument or form field 400.

Paths and query strings are checked on the raw WSGI strings with one regular expression each,
in the WSGI layer before Flask (server.web.edge), so the tap path pays well under a microsecond
and parses nothing. Form fields are checked as the form is read (every portal POST reads it
for its CSRF token, before the view), and may hold tabs and line breaks: a description has
paragraphs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from flask import Flask, Request, Response
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import BadRequest

from server.web.controls import IN_PATH, IN_QUERY, unwelcome
from server.web.problems import refusal

PATH_MESSAGE = (
    "no such resource: no path holds control characters such as NUL; check the address "
    "(the routes are listed in /api/v1/openapi.json)"
)


def _message(name: str, where: str) -> str:
    return f"the {where} {name!r} holds a control character such as NUL; send plain text"


class ControlCharacters(BadRequest):
    """A form field holds a control character; `field` names it."""

    def __init__(self, field: str) -> None:
        super().__init__(_message(field, "form field"))
        self.field = field


class GuardedRequest(Request):
    """Flask's request, whose form refuses control characters as it is read."""

    def _load_form_data(self) -> None:
        super()._load_form_data()
        fields = [*self.form.items(multi=True)]
        fields += [(name, upload.filename or "") for name, upload in self.files.items(multi=True)]
        for name, value in fields:
            if unwelcome(name) or unwelcome(value):
                for upload in self.files.values():
                    upload.close()
                # Whoever reads the form after this (an error page) finds it empty.
                self.__dict__["form"] = self.__dict__["files"] = ImmutableMultiDict()
                raise ControlCharacters(name)


@dataclass(frozen=True)
class Refusal:
    """Why a request is refused before it reaches Flask: its status, message and field."""

    status: int
    message: str
    field: str | None = None


def refused(environ: dict[str, Any]) -> Refusal | None:
    """The refusal of a request whose path or query string holds a control character."""
    if IN_PATH.search(environ.get("PATH_INFO", "")):
        return Refusal(404, PATH_MESSAGE)
    query = environ.get("QUERY_STRING")
    if query and IN_QUERY.search(query):
        name = _first_bad_argument(query)
        return Refusal(400, _message(name, "query argument"), name)
    return None


def _first_bad_argument(query: str) -> str:
    for name, value in parse_qsl(query, keep_blank_values=True, encoding="latin-1"):
        if IN_PATH.search(name) or IN_PATH.search(value):
            return name
    return query.split("=", 1)[0]


def _form_refused(error: ControlCharacters) -> Response:
    return refusal(400, error.description or "", error.field)


def init_app(app: Flask) -> None:
    """Check every form as it is read (paths and query strings: see server.web.edge)."""
    app.request_class = GuardedRequest
    app.register_error_handler(ControlCharacters, _form_refused)
