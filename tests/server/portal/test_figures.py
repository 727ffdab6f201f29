"""A shop's figures per week: taps at places listing it, views of its offers (people only),
codes given and used; and the offer views the visitor pages now record."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import func, select

from server.db import database
from server.models import Offer, OfferView, Outcome, Place, RedemptionCode, Shop, Tap, VisitorKind
from server.services import shop_figures, tap_partitions
from tests.server.factories import PHONE
from tests.server.portal.conftest import NOW, PARIS
from tests.support.html import page, text


def _tap(session, place_id: int, at: dt.datetime, human: bool = True) -> None:
    if session.get_bind().dialect.name == "postgresql":  # the drainer would make its month
        tap_partitions.create(session.connection(), [tap_partitions.month_of(at)])
    session.add(
        Tap(
            id=secrets.token_hex(16),
            occurred_at=at,
            code="X",
            outcome=Outcome.OK,
            place_id=place_id,
            visitor_id="v",
            visitor_kind=VisitorKind.COOKIE,
            human=human,
            method="GET",
        )
    )


def test_an_offer_view_is_recorded_for_people_only(app, seed):
    visitor = app.test_client()
    visitor.set_cookie("tt_vid", "a" * 32)
    assert (
        visitor.get(
            f"/offer/{seed.offer}?from=la-piscine", headers={"User-Agent": PHONE}
        ).status_code
        == 200
    )
    for agent in ("WhatsApp/2.23.20.0", "Mozilla/5.0 (compatible; Googlebot/2.1)"):
        visitor.get(f"/offer/{seed.offer}", headers={"User-Agent": agent})
    visitor.head(f"/offer/{seed.offer}", headers={"User-Agent": PHONE})
    visitor.get(f"/offer/{seed.offer}", headers={"User-Agent": PHONE, "Sec-Purpose": "prefetch"})
    with database(app).sessions() as session:
        [view] = session.scalars(select(OfferView)).all()
        place = session.scalars(select(Place).where(Place.slug == "la-piscine")).one()
    assert view.visitor_id == "a" * 32 and view.place_id == place.id


def test_the_weekly_figures_count_what_happened_near_the_shop(app, seed, signed_in):
    now = NOW
    monday = now.astimezone(PARIS).date() - dt.timedelta(days=now.astimezone(PARIS).weekday())
    this_week = dt.datetime.combine(monday, dt.time(12), PARIS).astimezone(dt.UTC)
    last_week = this_week - dt.timedelta(days=7)
    with database(app).transaction() as session:
        piscine = session.scalars(select(Place.id).where(Place.slug == "la-piscine")).one()
        far = Place(
            slug="far",
            territory_id=seed.territory_id,
            name="Far",
            kind="square",
            latitude=50.75,
            longitude=3.3,
        )
        session.add(far)
        session.flush()
        for at in (this_week, this_week, last_week):
            _tap(session, piscine, at)
        _tap(session, piscine, this_week, human=False)  # a link preview: not counted
        _tap(session, far.id, this_week)  # too far to list the shop
        offer = session.scalars(select(Offer).where(Offer.slug == seed.offer)).one()
        session.add(OfferView(offer_id=offer.id, occurred_at=last_week))
        shop = session.scalars(select(Shop).where(Shop.slug == "comptoir")).one()
        session.add(
            RedemptionCode(
                code="ABCDEFGH",
                offer_id=offer.id,
                issued_at=this_week,
                expires_at=this_week + dt.timedelta(hours=1),
                redeemed_at=this_week,
                redeemed_shop_id=shop.id,
            )
        )
    with database(app).sessions() as session:
        shop = session.scalars(select(Shop).where(Shop.slug == "comptoir")).one()
        weeks = shop_figures.by_week(session, shop, now)
    assert len(weeks) == shop_figures.WEEKS and weeks[-1].start == monday
    assert (weeks[-1].taps, weeks[-1].views, weeks[-1].codes, weeks[-1].redemptions) == (2, 0, 1, 1)
    assert (weeks[-2].taps, weeks[-2].views) == (1, 1)
    shown = page(signed_in("owner").get("/portal/shops/comptoir/figures"))
    first_row = [text(cell) for cell in shown.select("tbody tr")[0].find_all(["th", "td"])]
    assert first_row[1:] == ["2", "0", "1", "1"]


def test_weeks_follow_the_clock_changes():
    # The week of the October clock change in Paris lasts 169 hours.
    now = dt.datetime(2026, 10, 28, 12, tzinfo=dt.UTC)
    starts = shop_figures.week_starts(now, "Europe/Paris", 2)
    hours = (starts[2] - starts[1]).total_seconds() / 3600
    assert starts[1].date() == dt.date(2026, 10, 26) and hours == 168
    change = shop_figures.week_starts(dt.datetime(2026, 10, 21, tzinfo=dt.UTC), "Europe/Paris", 1)
    assert (
        change[1].astimezone(dt.UTC) - change[0].astimezone(dt.UTC)
    ).total_seconds() == 169 * 3600


def test_an_analyst_reads_figures_but_sees_no_edit_link(app, seed, signed_in):
    analyst = signed_in("analyst")
    home = page(analyst.get("/portal/"))
    assert home.find("a", href="/portal/shops/comptoir/figures") is not None
    assert analyst.get("/portal/shops/comptoir/figures").status_code == 200
    assert analyst.get("/portal/shops/comptoir/listing").status_code == 403
    with database(app).sessions() as session:
        assert session.scalar(select(func.count(OfferView.id))) == 0
