"""One clock: with the time pinned (FIXED_NOW), the API and the place page live at the same
moment and say the same about what is open."""

from __future__ import annotations

import pytest

from tests.support.demo import SATURDAY, next_local
from tests.support.html import items, page, text

TUESDAY = 1


@pytest.mark.parametrize(("weekday", "hour"), [(SATURDAY, 15), (TUESDAY, 3)])
def test_the_api_and_the_place_page_agree_on_what_is_open(demo_app, visitor, weekday, hour):
    pinned = next_local(weekday, hour)
    demo_app.config["FIXED_NOW"] = pinned
    soup = page(visitor.get("/p/la-piscine", headers={"Accept-Language": "en"}))
    shown: dict[str, bool] = {}
    for item in items(soup):
        state = item.select_one(".open, .closed")
        if state is not None:
            shown[text(item.find("h3"))] = state["class"][0] == "open"
    answer = visitor.get("/api/v1/nearby?place=la-piscine&limit=200").get_json()
    assert answer["at"] == pinned.isoformat()
    said: dict[str, bool] = {}
    for item in answer["items"]:  # ranked; a weekly event's first date is the one the page shows
        if item["open"] is not None:
            said.setdefault(item["name"], item["open"])
    both = shown.keys() & said.keys()
    assert len(both) >= 3
    assert {name: said[name] for name in both} == {name: shown[name] for name in both}
