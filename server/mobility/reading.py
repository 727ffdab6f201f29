"""What every feed reader shares: the files it asks for, the refusal of bad data, its result."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import orjson

SCHEMAS = Path(__file__).parent / "schemas"


class Refused(Exception):
    """A feed file that is not what it must be: refused whole, the last good data kept."""


# Returns the body of one of the feed's files: fetched now, or kept from the last good snapshot
# when the server answered 304 Not Modified. Raises fetch.FetchError when it cannot be had.
GetFile = Callable[[str], bytes]


@dataclass
class Reading:
    """What a reader made of a feed: its items (JSON-ready) and when to look again."""

    items: list[dict[str, Any]]
    extra: dict[str, Any] = field(default_factory=dict)  # kept in the snapshot beside the items
    ttl: float = 0.0  # the feed asks not to be fetched again before this (seconds)
    notes: list[str] = field(default_factory=list)  # what was left out, for the operator


def load_json(body: bytes, label: str) -> Any:
    """A JSON document, or a refusal naming the file."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise Refused(f"{label} is not JSON ({error})") from None


@functools.cache
def validator(relative: str) -> jsonschema.protocols.Validator:
    """The validator of one vendored schema (schemas/...), compiled once."""
    schema = orjson.loads((SCHEMAS / relative).read_bytes())
    kind = jsonschema.validators.validator_for(schema)
    kind.check_schema(schema)
    return kind(schema, format_checker=kind.FORMAT_CHECKER)


def validate(document: Any, relative: str, label: str) -> None:
    """Refuse `document` unless the schema at schemas/`relative` accepts it; say where it fails."""
    error = jsonschema.exceptions.best_match(validator(relative).iter_errors(document))
    if error is not None:
        where = "/".join(str(part) for part in error.absolute_path) or "the top"
        raise Refused(f"{label} fails its schema at {where}: {error.message[:200]}")


def timestamp(value: Any, label: str) -> dt.datetime:
    """A POSIX time (GBFS 2.x) or an RFC 3339 one (GBFS 3.0, DATEX II), as aware UTC."""
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return dt.datetime.fromtimestamp(value, dt.UTC)
        moment = dt.datetime.fromisoformat(str(value))
    except (ValueError, OverflowError, OSError):
        raise Refused(f"{label}: {str(value)[:40]!r} is not a time") from None
    if moment.tzinfo is None:
        raise Refused(f"{label}: {str(value)[:40]!r} has no UTC offset")
    return moment.astimezone(dt.UTC)
