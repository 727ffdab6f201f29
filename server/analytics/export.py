"""Figures as CSV downloads: one header line of field names, then one line per row (text cells
that a spreadsheet would run as a formula are neutralised: see server.spreadsheet)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

from flask import Response

from server import spreadsheet
from server.services.stats import Scope


def cell(value: Any) -> Any:
    """A value as written in CSV and JSON: dates in ISO 8601, the rest as is."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def as_dicts(rows: Sequence[Any]) -> list[dict[str, Any]]:
    """Dataclass rows as plain dictionaries of JSON-ready values."""
    return [{k: cell(v) for k, v in dataclasses.asdict(row).items()} for row in rows]


def csv_response(
    figure: str, territory: str, scope: Scope, rows: Sequence[Any], fields: Sequence[str]
) -> Response:
    """A CSV download of `rows`, named after the figure, the territory and the dates."""
    output = io.StringIO()
    writer = spreadsheet.Writer(output, lineterminator="\r\n")  # no live formula in a cell
    writer.writerow(fields)
    for row in as_dicts(rows):
        writer.writerow([row[name] for name in fields])
    name = f"taptrail-{figure}-{territory}-{scope.start}-{scope.end}.csv"
    return Response(
        output.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
