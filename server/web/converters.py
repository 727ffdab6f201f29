"""<int:...> in every route, bounded to the integers an id column can hold; <lang:...>, a
visitor page's language.

Werkzeug's converter takes any run of digits. 2^63 and above then reach the database driver,
which cannot send them (SQLite's driver raises OverflowError: an HTTP 500), and PostgreSQL
refuses anything past its 32-bit INTEGER, the type of every id column (taken for an outage: a
503). Bounded here, such a path matches no route and answers 404, in the API's JSON shape or as
a page.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import AnyConverter, IntegerConverter, Map

from server.i18n import LANGUAGES

# SQLAlchemy's Integer: PostgreSQL's INTEGER (32-bit signed); SQLite's holds more.
DATABASE_MIN, DATABASE_MAX = -(2**31), 2**31 - 1


class DatabaseInteger(IntegerConverter):
    """An integer within what a database column holds (or a rule's own, narrower bounds)."""

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = None,
        signed: bool = False,
    ) -> None:
        low = DATABASE_MIN if min is None or min < DATABASE_MIN else min
        high = DATABASE_MAX if max is None or max > DATABASE_MAX else max
        super().__init__(map, fixed_digits, low, high, signed)


class Language(AnyConverter):
    """One of the visitor pages' languages: <any(fr,en,nl):...> without the list to parse.

    Werkzeug parses a converter's arguments in every rule that names them, every time an app is
    built: about a quarter of building one, with some sixty pages in three languages."""

    def __init__(self, map: Map) -> None:
        super().__init__(map, *LANGUAGES)


def init_app(app: Flask) -> None:
    """Use the bounded converter for <int:...> and add <lang:...>; routes registered afterwards
    compile with them."""
    app.url_map.converters["int"] = DatabaseInteger
    app.url_map.converters["lang"] = Language
