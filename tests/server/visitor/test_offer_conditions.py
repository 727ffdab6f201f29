"""A cross-offer's condition is checked before a code is given: a tap today at its place (with
this phone's visitor id), or a passport from the partner's till; limits hold under concurrency."""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select, update

from server.db import database
from server.models import (
    Offer,
    OfferCondition,
    Outcome,
    Passport,
    PlaceKind,
    RedemptionCode,
    Sticker,
)
from tests.server.factories import PHONE, drained_taps, later_that_day, tap_at, update_sticker
from tests.server.portal.conftest import Browser, open_session
from tests.server.test_tap_sun import UID, sun_query
from tests.support.demo import SATURDAY, next_local
from tests.support.html import page, text

CROSS = "/offer/beffroi-billet-piscine"
PASSPORT_OFFER = "/offer/atelier-clients-comptoir"
HOUR = dt.timedelta(hours=1)


def _browser(app, tapped_at: str | None = None, when: dt.timedelta = HOUR):
    """A phone with a visitor id, that tapped at `tapped_at` (a place slug) `when` ago."""
    client = app.test_client()
    cookie = secrets.token_hex(16)
    client.set_cookie("tt_vid", cookie)
    if tapped_at:
        tap_at(app, cookie, tapped_at, app.config["FIXED_NOW"] - when)
    return client


def _ask(client, path: str = CROSS, **form) -> str:
    """Ask for a code as the page's form does; return what the code section then says."""
    response = client.post(f"{path}/code", data=form, headers={"Accept-Language": "en"})
    assert response.status_code == 303
    return _section(client, response.headers["Location"].split("#")[0])


def _section(client, path: str = CROSS, query: str = "") -> str:
    soup = page(client.get(path + query, headers={"Accept-Language": "en"}))
    return text(soup.find("section", attrs={"aria-labelledby": "code"}))


def _codes(app) -> int:
    with database(app).sessions() as session:
        return session.scalar(select(func.count(RedemptionCode.id)))


def _change(app, slug: str, **values) -> None:
    with database(app).transaction() as session:
        session.execute(update(Offer).where(Offer.slug == slug).values(**values))


def test_no_tap_no_code_and_the_page_says_what_to_do(demo_app):
    client = _browser(demo_app)
    said = _section(client)
    assert "Tap the sticker at the exit of La Piscine" in said and "Get my code" not in said
    assert "Tap the sticker at the exit of La Piscine" in _ask(client)
    assert _codes(demo_app) == 0


def test_a_tap_at_another_place_gives_no_code(demo_app):
    client = _browser(demo_app, "villa-cavrois")
    assert "Tap the sticker at the exit of La Piscine" in _ask(client)
    assert _codes(demo_app) == 0


def test_a_tap_yesterday_gives_no_code(demo_app):
    client = _browser(demo_app, "la-piscine", when=dt.timedelta(days=1))
    assert "Tap the sticker at the exit of La Piscine" in _ask(client)
    assert _codes(demo_app) == 0


def test_a_tap_today_gives_a_code(demo_app):
    client = _browser(demo_app, "la-piscine")
    said = _ask(client)
    assert "Valid once" in said and _codes(demo_app) == 1


def test_a_real_tap_on_the_tap_path_unlocks_the_offer(demo_app):
    client = demo_app.test_client()
    with database(demo_app).sessions() as session:
        code = session.scalars(
            select(Sticker.code).where(Sticker.place.has(slug="la-piscine"))
        ).first()
    assert client.get(f"/{code}", headers={"User-Agent": PHONE}).status_code == 303
    [tap] = drained_taps(demo_app)
    demo_app.config["FIXED_NOW"] = later_that_day(tap, minutes=20)
    assert "Valid once" in _ask(client) and _codes(demo_app) == 1


def test_a_replayed_sun_url_does_not_unlock_the_offer(demo_app):
    with database(demo_app).sessions() as session:
        sticker = session.scalars(
            select(Sticker).where(Sticker.place.has(slug="la-piscine"))
        ).first()
        tag_id, code = sticker.id, sticker.code
    update_sticker(demo_app, tag_id, chip="ntag424", uid=UID)
    url = f"/{code}?{sun_query(demo_app, code, UID, 12)}"
    # The visitor at the sticker, then another phone opening the same URL (sent on, say).
    there, elsewhere = demo_app.test_client(), demo_app.test_client()
    for client in (there, elsewhere):
        assert client.get(url, headers={"User-Agent": PHONE}).status_code == 303
    accepted, replayed = drained_taps(demo_app)
    assert (accepted.outcome, replayed.outcome) == (Outcome.OK, Outcome.REPLAYED)
    demo_app.config["FIXED_NOW"] = later_that_day(replayed, minutes=20)
    assert "Tap the sticker at the exit of La Piscine" in _ask(elsewhere)
    assert "Valid once" in _ask(there) and _codes(demo_app) == 1


def test_a_machine_tap_does_not_count(demo_app):
    client = _browser(demo_app)
    cookie = client.get_cookie("tt_vid").value
    tap_at(demo_app, cookie, "la-piscine", demo_app.config["FIXED_NOW"] - HOUR)
    with database(demo_app).transaction() as session:
        from server.models import Tap

        session.execute(update(Tap).values(human=False))
    assert "Tap the sticker" in _ask(client) and _codes(demo_app) == 0


def test_a_browser_without_a_visitor_id_is_told_a_tap_cannot_be_proven(demo_app):
    client = demo_app.test_client()  # no cookie: a first visit, or one not counted
    said = _section(client)
    assert "keeps no TapTrail visitor id" in said and "cannot see such a tap" in said
    # Asking anyway gives no code; the phone now has an id, and is told to tap.
    assert "Tap the sticker at the exit of La Piscine" in _ask(client)
    assert _codes(demo_app) == 0


def test_any_place_of_a_kind_unlocks_a_kind_offer(demo_app):
    _change(
        demo_app,
        "beffroi-billet-piscine",
        condition=OfferCondition.TAP_KIND,
        trigger_kind=PlaceKind.MUSEUM,
        trigger_place_id=None,
    )
    assert "Museum" in _ask(_browser(demo_app, "gare-jean-lebas"))
    assert "Valid once" in _ask(_browser(demo_app, "villa-cavrois"))
    assert _codes(demo_app) == 1


def test_a_passport_from_the_partner_till_gives_a_code_once(demo_app):
    till = Browser(demo_app.test_client())
    open_session(demo_app, till.client, "comptoir@demo.taptrail.invalid")
    counter = page(till.get("/portal/shops/comptoir-de-la-piscine/till"))
    button = counter.find("form", action=lambda a: a and "passport/atelier-clients-comptoir" in a)
    handed = page(till.post(button["action"]))
    passport = text(handed.select_one("#passport .code"))
    assert len(passport) == 9 and handed.select_one("#passport svg") is not None

    first = _browser(demo_app)
    assert "passport from Le Comptoir de la Piscine" in _section(first, PASSPORT_OFFER)
    assert "Valid once" in _ask(first, PASSPORT_OFFER, passport=passport.lower())
    second = _browser(demo_app)
    assert "already unlocked a code" in _ask(second, PASSPORT_OFFER, passport=passport)
    assert "do not know this passport" in _ask(second, PASSPORT_OFFER, passport="AAAA-BBBB")
    assert _codes(demo_app) == 1
    with database(demo_app).sessions() as session:
        used = session.scalars(select(Passport)).one()
        code = session.scalars(select(RedemptionCode)).one()
    assert used.used_at is not None and used.redemption_code_id == code.id


def test_a_passport_of_yesterday_has_expired(demo_app):
    till = Browser(demo_app.test_client())
    open_session(demo_app, till.client, "comptoir@demo.taptrail.invalid")
    handed = page(
        till.post("/portal/shops/comptoir-de-la-piscine/till/passport/atelier-clients-comptoir")
    )
    passport = text(handed.select_one("#passport .code"))
    demo_app.config["FIXED_NOW"] += dt.timedelta(days=1)
    assert "has expired" in _ask(_browser(demo_app), PASSPORT_OFFER, passport=passport)
    assert _codes(demo_app) == 0


def test_the_per_visitor_limit_holds_across_days(demo_app):
    _change(demo_app, "beffroi-billet-piscine", per_visitor=1)
    client = _browser(demo_app, "la-piscine")
    assert "Valid once" in _ask(client)
    demo_app.config["FIXED_NOW"] += dt.timedelta(days=1)
    tap_at(
        demo_app,
        client.get_cookie("tt_vid").value,
        "la-piscine",
        demo_app.config["FIXED_NOW"] - HOUR,
    )
    assert "You have had the 1 code this offer gives each visitor" in _ask(client)
    assert _codes(demo_app) == 1


def test_the_daily_quota_then_the_next_day(demo_app):
    _change(demo_app, "beffroi-billet-piscine", daily_quota=1)
    assert "Valid once" in _ask(_browser(demo_app, "la-piscine"))
    late = _browser(demo_app, "la-piscine")
    assert "All of today's codes" in _ask(late)
    demo_app.config["FIXED_NOW"] += dt.timedelta(days=1)
    tap_at(
        demo_app, late.get_cookie("tt_vid").value, "la-piscine", demo_app.config["FIXED_NOW"] - HOUR
    )
    assert "Valid once" in _ask(late) and _codes(demo_app) == 2


def _demo(app, keyring) -> None:
    app.config["FIXED_NOW"] = next_local(SATURDAY, 15)


@pytest.mark.parametrize("limit", ["quota", "daily_quota"])
def test_fifty_visitors_asking_for_the_last_code_at_once_get_one(
    committed_demo_app, keyring, limit
):
    _demo(committed_demo_app, keyring)
    cookies = [secrets.token_hex(16) for _ in range(51)]
    for cookie in cookies:
        tap_at(
            committed_demo_app, cookie, "la-piscine", committed_demo_app.config["FIXED_NOW"] - HOUR
        )
    # One code already given: one left.
    _change(committed_demo_app, "beffroi-billet-piscine", **{limit: 2})
    first = committed_demo_app.test_client()
    first.set_cookie("tt_vid", cookies.pop())
    assert "Valid once" in _ask(first)
    start = threading.Barrier(50)

    def ask(cookie: str) -> int:
        client = committed_demo_app.test_client()
        client.set_cookie("tt_vid", cookie)
        start.wait(timeout=60)
        return client.post(f"{CROSS}/code").status_code

    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(ask, cookies))
    assert statuses == [303] * 50
    assert _codes(committed_demo_app) == 2
    with database(committed_demo_app).sessions() as session:
        offer = session.scalars(select(Offer).where(Offer.slug == CROSS[7:])).one()
        assert offer.codes_issued == 2


def test_fifty_phones_with_one_passport_at_once_get_one_code(committed_demo_app, keyring):
    _demo(committed_demo_app, keyring)
    till = Browser(committed_demo_app.test_client())
    open_session(committed_demo_app, till.client, "comptoir@demo.taptrail.invalid")
    handed = page(
        till.post("/portal/shops/comptoir-de-la-piscine/till/passport/atelier-clients-comptoir")
    )
    passport = text(handed.select_one("#passport .code"))
    start = threading.Barrier(50)

    def ask(_: int) -> int:
        client = committed_demo_app.test_client()
        client.set_cookie("tt_vid", secrets.token_hex(16))
        start.wait(timeout=60)
        return client.post(f"{PASSPORT_OFFER}/code", data={"passport": passport}).status_code

    with ThreadPoolExecutor(max_workers=50) as pool:
        assert list(pool.map(ask, range(50))) == [303] * 50
    assert _codes(committed_demo_app) == 1


@pytest.mark.parametrize(
    ("lang", "check"),
    [
        ("fr", "Demandez le billet du jour de La Piscine"),
        ("en", "Ask for today's ticket from La Piscine"),
    ],
)
def test_the_till_says_what_to_check_in_the_merchant_language(demo_app, lang, check):
    _change(demo_app, "beffroi-billet-piscine", conditions={"fr": "Sur place uniquement."})
    visitor = _browser(demo_app, "la-piscine")
    _ask(visitor)
    code = text(page(visitor.get(CROSS)).select_one("#code ~ .code"))
    till = Browser(demo_app.test_client(), language=lang)
    open_session(demo_app, till.client, "admin@demo.taptrail.invalid")
    answer = page(till.post("/portal/shops/brasserie-du-beffroi/till", {"code": code}))
    assert answer.find(id="answer")["data-answer"] == "valid"
    assert text(answer.find(id="check")).startswith(check)
    assert "Sur place uniquement." in text(answer.find(id="answer"))
