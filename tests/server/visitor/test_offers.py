"""Offer pages and cross-offer codes: one per visitor, the same on every visit that day."""

from __future__ import annotations

import datetime as dt
import re
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select, update

from server.db import database
from server.models import Offer, RedemptionCode, Sticker
from server.services import redemption
from tags import crockford
from tests.server.factories import PHONE, drained_taps, later_that_day, tap_at
from tests.support.demo import PARIS, SATURDAY, next_local
from tests.support.html import json_ld, page, text

CROSS = "/offer/beffroi-billet-piscine"


def _get(client, path, lang="en"):
    return client.get(path, headers={"Accept-Language": lang})


def _code_of(client) -> str | None:
    shown = page(_get(client, CROSS)).select_one("#code ~ .code")
    return text(shown) or None


def _visited(client) -> str:
    """The browser's visitor id, with a tap at La Piscine an hour ago (the offer's condition)."""
    app = client.application
    cookie = client.get_cookie("tt_vid")
    if cookie is None:
        client.set_cookie("tt_vid", secrets.token_hex(16))
        cookie = client.get_cookie("tt_vid")
    tap_at(app, cookie.value, "la-piscine", clock_of(app) - dt.timedelta(hours=1))
    return cookie.value


def clock_of(app) -> dt.datetime:
    return app.config["FIXED_NOW"]


def _get_code(client) -> str:
    _visited(client)
    form = page(_get(client, CROSS)).select_one("#code ~ form")
    assert form is not None and form["method"] == "post"
    response = client.post(form["action"])
    assert response.status_code == 303 and response.headers["Location"].endswith(f"{CROSS}#code")
    return _code_of(client)


def _change_offer(app, slug, **values):
    with database(app).transaction() as session:
        session.execute(update(Offer).where(Offer.slug == slug).values(**values))


def test_a_deal_gives_its_conditions_and_needs_no_code(visitor):
    soup = page(_get(visitor, "/offer/comptoir-cafe-offert", "fr"))
    assert text(soup.find("h1")) == "Café offert pour une part de gâteau"
    assert "Montrez cette page en caisse chez Le Comptoir de la Piscine" in text(soup.find("main"))
    assert not soup.select("form, #code")
    offer = json_ld(soup)
    assert offer["@type"] == "Offer" and offer["offeredBy"]["name"] == "Le Comptoir de la Piscine"
    assert (offer["validFrom"], offer["validThrough"]) == ("2026-01-01", "2027-12-31")


def test_a_cross_offer_gives_the_visitor_a_code_that_stays_the_same(demo_app, visitor):
    soup = page(_get(visitor, CROSS))
    assert "For visitors coming from La Piscine" in text(soup.find("main"))
    assert _code_of(visitor) is None
    code = _get_code(visitor)
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", code)
    again = _get(visitor, CROSS)
    assert _code_of(visitor) == code  # a reload shows the same code
    assert page(again).select_one("#code ~ svg.qr[role=img]") is not None
    assert again.headers["Cache-Control"] == "private, no-store"
    assert visitor.post(f"{CROSS}/code").status_code == 303 and _code_of(visitor) == code
    with database(demo_app).sessions() as session:
        stored = session.scalars(select(RedemptionCode)).one()
    assert stored.code == redemption.normalize(code)
    assert stored.visitor_id == visitor.get_cookie("tt_vid").value
    assert stored.expires_at == dt.datetime.combine(
        demo_app.config["FIXED_NOW"].astimezone(PARIS).date() + dt.timedelta(days=1),
        dt.time(),
        PARIS,
    )


def test_each_visitor_has_a_code_of_their_own(demo_app):
    codes = {_get_code(demo_app.test_client()) for _ in range(3)}
    assert len(codes) == 3


def test_the_code_belongs_to_the_visitor_who_tapped(demo_app, visitor):
    with database(demo_app).sessions() as session:
        stickers = session.scalars(select(Sticker).where(Sticker.place.has(slug="la-piscine")))
        code = stickers.first().code
    assert visitor.get(f"/{code}", headers={"User-Agent": PHONE}).status_code == 303
    [tap] = drained_taps(demo_app)
    # The offer is looked at ten minutes after the real tap: the tap path's id unlocks it.
    demo_app.config["FIXED_NOW"] = later_that_day(tap, minutes=10)
    form = page(_get(visitor, CROSS)).select_one("#code ~ form")
    assert visitor.post(form["action"]).status_code == 303
    assert _code_of(visitor) is not None
    with database(demo_app).sessions() as session:
        assert session.scalars(select(RedemptionCode.visitor_id)).one() == tap.visitor_id


def test_a_new_day_brings_a_new_code(demo_app, visitor):
    first = _get_code(visitor)
    demo_app.config["FIXED_NOW"] = demo_app.config["FIXED_NOW"] + dt.timedelta(days=1)
    assert _code_of(visitor) is None
    assert _get_code(visitor) != first


def test_a_used_code_says_when_it_was_used(demo_app, visitor):
    code = _get_code(visitor)
    used = demo_app.config["FIXED_NOW"] - dt.timedelta(minutes=5)
    with database(demo_app).transaction() as session:
        session.execute(update(RedemptionCode).values(redeemed_at=used))
    soup = page(_get(visitor, CROSS))
    assert text(soup.select_one("#code ~ .code")) == code and not soup.select("#code ~ svg")
    said = text(soup.select_one("#code ~ .code ~ p"))
    assert said.startswith("This code was used on ")
    assert used.astimezone(PARIS).strftime("%H:%M") in said


def test_no_code_once_the_quota_is_reached(demo_app, visitor):
    _change_offer(demo_app, "beffroi-billet-piscine", quota=1)
    _get_code(demo_app.test_client())
    soup = page(_get(visitor, CROSS))
    assert "All the codes for this offer have been given out." in text(soup.find("main"))
    assert not soup.select("#code ~ form")
    assert visitor.post(f"{CROSS}/code").status_code == 303
    with database(demo_app).sessions() as session:
        assert session.scalar(select(func.count(RedemptionCode.id))) == 1


def test_an_expired_offer_is_gone_and_gives_no_code(demo_app, visitor):
    yesterday = demo_app.config["FIXED_NOW"].astimezone(PARIS).date() - dt.timedelta(days=1)
    _change_offer(demo_app, "beffroi-billet-piscine", valid_until=yesterday)
    response = _get(visitor, CROSS, "nl")
    assert response.status_code == 410
    soup = page(response)
    assert "Deze aanbieding is geëindigd op" in text(soup.find("main"))
    assert not soup.select("form")
    visitor.post(f"{CROSS}/code")
    with database(demo_app).sessions() as session:
        assert session.scalar(select(func.count(RedemptionCode.id))) == 0


def test_an_offer_yet_to_start_says_when(demo_app, visitor):
    tomorrow = demo_app.config["FIXED_NOW"].astimezone(PARIS).date() + dt.timedelta(days=1)
    _change_offer(demo_app, "beffroi-billet-piscine", valid_from=tomorrow)
    response = _get(visitor, CROSS)
    assert response.status_code == 200
    assert "This offer starts on" in text(page(response).find("main"))
    assert not page(response).select("form")


def test_a_visitor_asking_twice_at_once_keeps_one_code(demo_app, visitor, monkeypatch):
    first = _get_code(visitor)
    # The second request read "no code yet" before the first stored it: its insert clashes.
    found = redemption.current_code
    calls = []

    def late(*args):
        calls.append(args)
        return None if len(calls) == 1 else found(*args)

    monkeypatch.setattr(redemption, "current_code", late)
    _visited(visitor)
    assert visitor.post(f"{CROSS}/code").status_code == 303
    assert len(calls) == 2  # the clash, then the code found on the second attempt
    monkeypatch.undo()
    assert _code_of(visitor) == first
    with database(demo_app).sessions() as session:
        assert session.scalar(select(func.count(RedemptionCode.id))) == 1


def test_requests_at_the_same_moment_store_one_code_per_visitor(committed_demo_app, keyring):
    committed_demo_app.config["FIXED_NOW"] = next_local(SATURDAY, 15)
    visitors = [secrets.token_hex(16) for _ in range(6)]
    for cookie in visitors:
        tap_at(
            committed_demo_app,
            cookie,
            "la-piscine",
            clock_of(committed_demo_app) - dt.timedelta(hours=1),
        )
    start = threading.Barrier(2)

    def ask(cookie: str) -> int:
        client = committed_demo_app.test_client()
        client.set_cookie("tt_vid", cookie)
        start.wait(timeout=10)
        return client.post(f"{CROSS}/code").status_code

    with ThreadPoolExecutor(max_workers=2) as pool:
        for cookie in visitors:
            assert list(pool.map(ask, [cookie, cookie])) == [303, 303]
    with database(committed_demo_app).sessions() as session:
        holders = session.scalars(select(RedemptionCode.visitor_id)).all()
    assert sorted(holders) == sorted(visitors)


def _demo_with_quota(app, keyring, quota: int) -> None:
    """The demo in a database of its own, its cross-offer limited to `quota` codes."""
    app.config["FIXED_NOW"] = next_local(SATURDAY, 15)
    _change_offer(app, "beffroi-billet-piscine", quota=quota)


@pytest.mark.parametrize(("quota", "visitors"), [(3, 24), (5, 32)])
def test_the_quota_holds_when_many_visitors_ask_at_once(
    committed_demo_app, keyring, quota, visitors
):
    _demo_with_quota(committed_demo_app, keyring, quota)
    start = threading.Barrier(visitors)

    def ask(cookie: str) -> tuple[int, str]:
        client = (
            committed_demo_app.test_client()
        )  # a browser of its own; its requests, a connection
        client.set_cookie("tt_vid", cookie)
        start.wait(timeout=30)
        status = client.post(f"{CROSS}/code").status_code
        return status, text(page(_get(client, CROSS)).find("main"))

    cookies = [secrets.token_hex(16) for _ in range(visitors)]
    for cookie in cookies:
        tap_at(
            committed_demo_app,
            cookie,
            "la-piscine",
            clock_of(committed_demo_app) - dt.timedelta(hours=1),
        )
    with ThreadPoolExecutor(max_workers=visitors) as pool:
        answers = list(pool.map(ask, cookies))
    with database(committed_demo_app).sessions() as session:
        issued = session.scalar(select(func.count(RedemptionCode.id)))
        counted = session.scalars(select(Offer.codes_issued).where(Offer.slug == CROSS[7:])).one()
    assert issued == counted == quota
    assert [status for status, _ in answers] == [303] * visitors
    sold_out = [said for _, said in answers if "have been given out" in said]
    assert len(sold_out) == visitors - quota


def test_one_visitor_asking_many_times_at_once_uses_one_code_of_the_quota(
    committed_demo_app, keyring
):
    _demo_with_quota(committed_demo_app, keyring, 2)
    cookie, requests = secrets.token_hex(16), 8
    tap_at(
        committed_demo_app,
        cookie,
        "la-piscine",
        clock_of(committed_demo_app) - dt.timedelta(hours=1),
    )
    start = threading.Barrier(requests)

    def ask(_: int) -> int:
        client = committed_demo_app.test_client()
        client.set_cookie("tt_vid", cookie)
        start.wait(timeout=30)
        return client.post(f"{CROSS}/code").status_code

    with ThreadPoolExecutor(max_workers=requests) as pool:
        assert list(pool.map(ask, range(requests))) == [303] * requests
    with database(committed_demo_app).sessions() as session:
        assert session.scalars(select(RedemptionCode.visitor_id)).all() == [cookie]
    # The one code used one place of two: another visitor still gets a code.
    assert _get_code(committed_demo_app.test_client()) is not None


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [("k7qm-4xpa", "K7QM4XPA"), ("K7QM 4XPA", "K7QM4XPA"), ("o1il-0000", "0111" + "0000")],
)
def test_a_typed_code_reads_back_forgivingly(typed, canonical):
    assert redemption.normalize(typed) == canonical


@pytest.mark.parametrize("typed", ["K7QM-4XP", "K7QM-4XPAA", "K7QM-4XP!"])
def test_a_mistyped_code_is_refused(typed):
    with pytest.raises(crockford.DecodeError):
        redemption.normalize(typed)


def test_a_code_depends_on_the_secret_the_offer_the_visitor_the_day_and_the_attempt():
    offer, other = Offer(id=1), Offer(id=2)
    day = dt.date(2026, 11, 28)
    code = redemption.code_for("secret", offer, "a" * 32, day)
    assert code == redemption.code_for("secret", offer, "a" * 32, day)
    variants = {
        redemption.code_for("other secret", offer, "a" * 32, day),
        redemption.code_for("secret", other, "a" * 32, day),
        redemption.code_for("secret", offer, "b" * 32, day),
        redemption.code_for("secret", offer, "a" * 32, day + dt.timedelta(days=1)),
        redemption.code_for("secret", offer, "a" * 32, day, attempt=1),
    }
    assert code not in variants and len(variants) == 5
    assert redemption.normalize(code) == code and len(code) == redemption.CODE_SYMBOLS
