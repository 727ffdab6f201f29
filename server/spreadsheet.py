"""CSV as TapTrail writes it: every CSV the service produces goes through `Writer`.

A text cell that starts with = + - @, a tab or a carriage return is run as a formula by Excel,
LibreOffice and Google Sheets (`=HYPERLINK(...)` in a shop's name would become a live link in
an analyst's download). As OWASP advises against CSV injection, such a cell is written with a
single quote in front, which spreadsheets show as text. Numbers stay numbers: -3 is not a
formula, and only text cells are touched.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import IO, Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """The value as a CSV cell: a text that a spreadsheet would run is quoted, the rest as is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class Writer:
    """csv.writer (with its options) that never writes a live formula: cells go through cell()."""

    def __init__(self, stream: IO[str], **options: Any) -> None:
        self._writer = csv.writer(stream, **options)

    def writerow(self, row: Iterable[Any]) -> None:
        """Write one row."""
        self._writer.writerow([cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        """Write several rows."""
        for row in rows:
            self.writerow(row)
