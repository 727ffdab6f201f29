"""Distances, walking times, days and the next change, as each language writes them."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import pytest
from flask import Flask

from server import i18n
from server.maps import sketch
from server.visitor import formats, route
from tests.support.demo import PARIS

NOW = dt.datetime(2026, 11, 28, 15, 0, tzinfo=PARIS)  # a Saturday


def plain(shown: str) -> str:
    """Text with CLDR's (narrow) no-break spaces read as spaces, as on screen."""
    return " ".join(shown.split())


@pytest.fixture
def in_language():
    """Run the formatting helpers as a request in the given language would."""
    app = Flask(__name__)
    i18n.init_app(app)

    def enter(header: str):
        return app.test_request_context(headers={"Accept-Language": header})

    return enter


@pytest.mark.parametrize(
    ("header", "metres", "shown"),
    [
        ("fr", 44, "40 m"),
        ("fr", 996, "1 km"),
        ("fr", 1240, "1,2 km"),
        ("en", 1240, "1.2 km"),
        ("nl", 3060, "3,1 km"),
    ],
)
def test_distances_in_the_visitor_s_locale(in_language, header, metres, shown):
    with in_language(header):
        assert plain(formats.distance(metres)) == shown


def test_walking_time_at_4_8_km_per_hour(in_language):
    with in_language("fr"):
        assert plain(formats.walk(80)) == "1 min"
        assert plain(formats.walk(4800)) == "1 h"
        assert plain(formats.walk(6400)) == "1 h 20 min"


@pytest.mark.parametrize(
    ("header", "moment", "verb", "shown"),
    [
        ("fr", NOW.replace(hour=18), "closes", "ferme à 18:00"),
        ("en", NOW + dt.timedelta(days=1, hours=-5), "opens", "opens tomorrow at 10:00"),
        ("en-US", NOW.replace(hour=18), "closes", "closes at 6:00 PM"),
        ("nl", NOW + dt.timedelta(days=3, hours=-5), "opens", "opent dinsdag om 10:00"),
        ("en", NOW + dt.timedelta(days=9), "starts", "starts Mon 7 Dec at 15:00"),
    ],
)
def test_the_next_change_is_said_for_today_tomorrow_or_another_day(
    in_language, header, moment, verb, shown
):
    with in_language(header):
        assert plain(formats.change(verb, moment, NOW, "Europe/Paris")) == shown


def _stop(name, latitude, longitude):
    return SimpleNamespace(name=name, latitude=latitude, longitude=longitude)


def test_a_walk_adds_up_its_legs():
    legs = route.legs([_stop("A", 50.0, 3.0), _stop("B", 50.001, 3.0), _stop("C", 50.001, 3.002)])
    assert [leg.position for leg in legs] == [1, 2, 3]
    assert legs[0].from_previous_m == 0 and 110 < legs[1].from_previous_m < 112
    assert legs[2].from_start_m == pytest.approx(legs[1].from_previous_m + legs[2].from_previous_m)


def test_the_sketch_is_an_accessible_svg_that_fits_its_box():
    legs = route.legs([_stop("A", 50.0, 3.0), _stop("B", 50.01, 3.02), _stop("C", 49.99, 3.03)])
    svg = ET.fromstring(str(sketch.sketch(legs, "Walk <&> sketch", here=(50.005, 2.99))))
    assert svg.get("role") == "img" and svg.find("title").text == "Walk <&> sketch"
    for circle in svg.iter("circle"):
        assert 0 <= float(circle.get("cx")) <= sketch.WIDTH
        assert 0 <= float(circle.get("cy")) <= sketch.HEIGHT
    assert len(list(svg.iter("rect"))) == 1  # where the visitor stands
    assert any(t.text.endswith(" km") or t.text.endswith(" m") for t in svg.iter("text"))
    assert sketch.sketch([], "nothing") == ""
