"""The dashboard, its CSV downloads and /api/v1/stats, route by route and role by role, on the
hand-written rollups: the right numbers, the refusals, clear range errors, and no visitor id."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import event

from server.db import database
from server.services import stats
from tests.server.analytics.world import MONDAY, TUESDAY, VISITORS, build
from tests.server.factories import token
from tests.server.portal.conftest import EMAILS, ROLES, add_user, open_session, seed_portal
from tests.server.test_openapi import check

# The queries run on both databases in test_stats; the pages render the same on either.
pytestmark = pytest.mark.parametrize("database_kind", ["sqlite"])
RANGE = f"territory=roubaix&from={MONDAY}&to={TUESDAY}"
PAGES = ("/", "/places", "/places?place=la-piscine", "/journeys", "/offers", "/health")


@pytest.fixture
def world(app):  # type: ignore[no-untyped-def]
    found = build(app)
    for who in ("administrator", "staff", "owner", "analyst"):
        add_user(app, who, EMAILS[who], ROLES[who])
    return found


def _as(app, who: str):  # type: ignore[no-untyped-def]
    client = app.test_client()
    open_session(app, client, EMAILS[who])
    return client


def _no_visitor_id(text: str) -> None:
    for visitor in VISITORS:
        assert visitor not in text


def test_an_analyst_reads_every_page_with_its_numbers_and_no_visitor_id(app, world):
    analyst = _as(app, "analyst")
    for path in PAGES:
        response = analyst.get(f"/portal/analytics{path}{'&' if '?' in path else '?'}{RANGE}")
        assert response.status_code == 200, path
        text = response.get_data(as_text=True)
        _no_visitor_id(text)
        assert "<script" not in text and "http://" not in text.replace(
            'xmlns="http://www.w3.org/2000/svg"', ""
        )
    french = analyst.get(f"/portal/analytics/?{RANGE}").get_data(as_text=True)
    assert "<b>14</b> passages de personnes" in french and "lun. 14:00-15:00: 6" in french
    analyst.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    overview = analyst.get(f"/portal/analytics/?{RANGE}").get_data(as_text=True)
    assert "<b>14</b> taps by people" in overview and "<b>2</b> unique visitors" in overview
    assert 'role="img"' in overview and "Mon 14:00-15:00: 6" in overview
    journeys = analyst.get(f"/portal/analytics/journeys?{RANGE}").get_data(as_text=True)
    assert "1 (50%)" in journeys and "Vitrine du Comptoir" in journeys
    offers = analyst.get(f"/portal/analytics/offers?{RANGE}").get_data(as_text=True)
    assert "Café offert" in offers


def test_every_figure_downloads_as_csv_without_visitor_ids(app, world):
    analyst = _as(app, "administrator")
    for name in stats.FIGURES:
        response = analyst.get(f"/portal/analytics/{name}.csv?{RANGE}")
        assert response.status_code == 200, name
        assert response.mimetype == "text/csv"
        expected = f'attachment; filename="taptrail-{name}-roubaix-{MONDAY}-{TUESDAY}.csv"'
        assert response.headers["Content-Disposition"] == expected
        text = response.get_data(as_text=True)
        _no_visitor_id(text)
        rows = list(csv.DictReader(io.StringIO(text)))
        assert rows[0].keys() == set(stats.columns(name)) if rows else True
        if name == "taps-by-day":
            assert [(r["day"], r["person"], r["visitors"]) for r in rows] == [
                (str(MONDAY), "10", "2"),
                (str(TUESDAY), "4", "1"),
            ]
    assert analyst.get(f"/portal/analytics/nothing.csv?{RANGE}").status_code == 404


@pytest.mark.parametrize("who", ["staff", "owner"])
def test_staff_and_shop_owners_are_refused_and_strangers_sign_in(app, world, who):
    client = _as(app, who)
    for path in (*PAGES, "/totals.csv"):
        assert client.get(f"/portal/analytics{path}").status_code == 403, path
    stranger = app.test_client().get("/portal/analytics/")
    assert stranger.status_code == 303 and "/portal/login" in stranger.headers["Location"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (f"from={TUESDAY}&to={MONDAY}", "before the start date"),
        ("from=2020-01-01&to=2025-01-01", "at most"),
        ("from=yesterday", "must be a date written YYYY-MM-DD"),
        ("to=2026-02-30", "must be a date written YYYY-MM-DD"),
        ("to=0001-01-01", "the years 1900 to 2999"),  # not a 500: days before it overflowed
        ("from=9999-12-01&to=9999-12-31", "the years 1900 to 2999"),
        ("to=20260501", "must be a date written YYYY-MM-DD"),  # not read as an ISO basic date
    ],
)
def test_a_bad_range_gets_a_clear_message_not_a_500(app, world, query, message):
    analyst = _as(app, "analyst")
    page = analyst.get(f"/portal/analytics/?{query}")
    assert page.status_code == 400
    assert message in page.get_data(as_text=True)
    download = analyst.get(f"/portal/analytics/totals.csv?{query}")
    assert download.status_code == 400 and message in download.get_data(as_text=True)
    answer = app.test_client().get(
        f"/api/v1/stats/totals?{query}",
        headers={"Authorization": f"Bearer {token(app, 'read-analytics')}"},
    )
    assert answer.status_code == 400
    assert message in answer.json["error"]["message"]
    assert answer.json["error"]["field"] in ("from", "to")


def test_the_api_answers_every_figure_as_documented(app, world):
    bearer = {"Authorization": f"Bearer {token(app, 'read-analytics')}"}
    client = app.test_client()
    for name in stats.FIGURES:
        response = client.get(f"/api/v1/stats/{name}?{RANGE}", headers=bearer)
        assert response.status_code == 200, name
        check(f"/stats/{name}", "get", response)
        _no_visitor_id(response.get_data(as_text=True))
        assert response.json["from"] == str(MONDAY) and response.json["territory"] == "roubaix"
    totals = client.get(f"/api/v1/stats/totals?{RANGE}", headers=bearer).json["items"][0]
    assert (totals["person"], totals["preview"], totals["machine"], totals["visitors"]) == (
        14,
        2,
        3,
        2,
    )
    place = client.get(f"/api/v1/stats/taps-by-hour?{RANGE}&place=la-piscine", headers=bearer)
    assert place.json["items"][14]["person"] == 6 and place.json["place"] == "la-piscine"


def test_the_api_needs_a_token_with_the_read_analytics_scope(app, world):
    client = app.test_client()
    for name in stats.FIGURES:
        assert client.get(f"/api/v1/stats/{name}").status_code == 401
    encode = {"Authorization": f"Bearer {token(app, 'encode')}"}
    refused = client.get(f"/api/v1/stats/totals?{RANGE}", headers=encode)
    assert refused.status_code == 403 and "read-analytics" in refused.json["error"]["message"]
    check("/stats/totals", "get", refused)
    reader = {"Authorization": f"Bearer {token(app, 'read-analytics')}"}
    missing = client.get("/api/v1/stats/totals?territory=atlantis", headers=reader)
    assert missing.status_code == 404 and missing.json["error"]["field"] == "territory"


def test_the_portal_home_links_the_dashboard_for_analysts_and_administrators(app):
    seed_portal(app)
    for who, linked in (("analyst", True), ("administrator", True), ("staff", False)):
        text = _as(app, who).get("/portal/").get_data(as_text=True)
        assert ("/portal/analytics/" in text) is linked, who


def test_the_dashboard_and_the_api_never_read_the_raw_tables(app, world):
    """Counts come from the rollups: taps, offer views and codes are never read."""
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement.lower())

    engine = database(app).engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        analyst = _as(app, "analyst")
        for path in PAGES:
            analyst.get(f"/portal/analytics{path}{'&' if '?' in path else '?'}{RANGE}")
        bearer = {"Authorization": f"Bearer {token(app, 'read-analytics')}"}
        for name in stats.FIGURES:
            analyst.get(f"/portal/analytics/{name}.csv?{RANGE}")
            app.test_client().get(f"/api/v1/stats/{name}?{RANGE}", headers=bearer)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert len(statements) > 30
    raw = re.compile(r"\b(from|join)\s+(taps|offer_views|redemption_codes)\b")
    assert not [s for s in statements if raw.search(s)]
    assert [s for s in statements if re.search(r"\bfrom\s+rollup_", s)]  # the pattern works
