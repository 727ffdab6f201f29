"""The funnel as a merchant and an analyst see it: a museum visitor's code used at the partner
shows up, as "fewer than 5" (one person), on the figures page, its CSV and the dashboard, with
no visitor id anywhere."""

from __future__ import annotations

import datetime as dt
import secrets

from server.db import database
from server.services import rollups
from tests.server.factories import tap_at
from tests.server.portal.conftest import Browser, open_session
from tests.support.html import page, text

SHOP = "brasserie-du-beffroi"


def _one_museum_visitor_uses_the_code(app) -> str:
    visitor = app.test_client()
    cookie = secrets.token_hex(16)
    visitor.set_cookie("tt_vid", cookie)
    tap_at(app, cookie, "la-piscine", app.config["FIXED_NOW"] - dt.timedelta(hours=1))
    visitor.post("/offer/beffroi-billet-piscine/code")
    code = text(page(visitor.get("/offer/beffroi-billet-piscine")).select_one("#code ~ .code"))
    till = Browser(app.test_client())
    open_session(app, till.client, "admin@demo.taptrail.invalid")
    answer = page(till.post(f"/portal/shops/{SHOP}/till", {"code": code}))
    assert answer.find(id="answer")["data-answer"] == "valid"
    rollups.refresh(database(app), app.config["FIXED_NOW"])
    return cookie


def _signed_in(app, email: str) -> Browser:
    browser = Browser(app.test_client())
    open_session(app, browser.client, email)
    return browser


def test_the_merchant_sees_the_funnel_masked_with_a_chart_and_a_csv(demo_app):
    cookie = _one_museum_visitor_uses_the_code(demo_app)
    owner = _signed_in(demo_app, "admin@demo.taptrail.invalid")
    response = owner.get(f"/portal/shops/{SHOP}/figures")
    soup = page(response)
    funnel_ = soup.find(id="funnel")
    steps = {dd["data-step"]: text(dd) for dd in funnel_.select("dd")}
    assert steps["codes_used"] == steps["codes_issued"] == "fewer than 5"
    assert steps["stamps"] == "0"
    assert funnel_.select_one(".chart svg[viewBox]") is not None
    [origin] = soup.select("#origins li")
    assert "La Piscine" in text(origin) and "fewer than 5" in text(origin)
    assert cookie not in response.get_data(as_text=True)
    csv_ = owner.get(f"/portal/shops/{SHOP}/funnel.csv")
    lines = csv_.get_data(as_text=True).splitlines()
    assert lines[0] == "day,window_taps,offer_views,codes_issued,codes_used,stamps,rewards"
    today = demo_app.config["FIXED_NOW"].date().isoformat()
    [row] = [line for line in lines if line.startswith(today)]
    assert row.split(",")[3:5] == ["fewer than 5", "fewer than 5"]
    assert cookie not in csv_.get_data(as_text=True)


def test_the_analysts_dashboard_shows_the_funnel_masked(demo_app):
    cookie = _one_museum_visitor_uses_the_code(demo_app)
    analyst = _signed_in(demo_app, "analyst@demo.taptrail.invalid")
    day = demo_app.config["FIXED_NOW"].date().isoformat()
    query = f"territory=roubaix&from={day}&to={day}"
    response = analyst.get(f"/portal/analytics/funnel?{query}")
    assert response.status_code == 200
    soup = page(response)
    row = next(r for r in soup.select("#funnel-shops tbody tr") if "Beffroi" in text(r))
    assert "fewer than 5" in text(row)
    assert "La Piscine" in text(soup.find(id="funnel-origins"))
    assert "fewer than 5" in text(soup.find(id="funnel-pairs"))
    csv_ = analyst.get(f"/portal/analytics/funnel/shops.csv?{query}").get_data(as_text=True)
    assert "fewer than 5" in csv_ and cookie not in csv_ + response.get_data(as_text=True)


def test_the_analysts_dashboard_says_fewer_than_5_in_the_reader_s_language(demo_app):
    _one_museum_visitor_uses_the_code(demo_app)
    analyst = _signed_in(demo_app, "analyst@demo.taptrail.invalid")
    analyst.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    day = demo_app.config["FIXED_NOW"].date().isoformat()
    soup = page(analyst.get(f"/portal/analytics/funnel?territory=roubaix&from={day}&to={day}"))
    row = next(r for r in soup.select("#funnel-shops tbody tr") if "Beffroi" in text(r))
    assert "moins de 5" in text(row) and "fewer than 5" not in text(soup)
