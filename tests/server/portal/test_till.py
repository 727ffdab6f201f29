"""At the till: a visitor's code is valid once; then it says when and where it was used; an
expired, unknown or other shop's code is refused; two tills at once: exactly one succeeds."""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from server.db import database
from server.models import Offer, RedemptionCode
from server.services import redemption
from tests.server.portal.conftest import EMAILS, NOW, TODAY, Browser, seed_portal
from tests.support.html import page, text

TILL = "/portal/shops/comptoir/till"


def _code(app, shop: str = "comptoir", expires: dt.timedelta = dt.timedelta(hours=5)) -> str:
    """A visitor's code for one of the shop's offers, as the offer page issues it."""
    with database(app).transaction() as session:
        offer = session.scalars(
            select(Offer).where(Offer.shop.has(slug=shop)).order_by(Offer.id)
        ).first()
        visitor = secrets.token_hex(16)
        code = redemption.code_for("secret", offer, visitor, TODAY)
        session.add(
            RedemptionCode(
                code=code, offer_id=offer.id, visitor_id=visitor, expires_at=NOW + expires
            )
        )
    return code


def _answer(response) -> tuple[str, str]:
    found = page(response).find(id="answer")
    return found["data-answer"], text(found)


def test_a_code_is_valid_once_then_says_when_and_where_it_was_used(app, seed, signed_in):
    code = _code(app)
    till = signed_in("owner")
    typed = f"{code[:4].lower()} {code[4:]}".replace("0", "o")  # as read aloud and typed
    first = till.post(TILL, {"code": typed})
    assert first.status_code == 200 and _answer(first)[0] == "valid"
    again = till.post(TILL, {"code": code})
    answer, said = _answer(again)
    assert answer == "used" and "Le Comptoir" in said
    with database(app).sessions() as session:
        stored = session.scalars(select(RedemptionCode)).one()
    assert stored.redeemed_at is not None and stored.redeemed_by_id == seed.users["owner"]


@pytest.mark.parametrize(
    ("typed", "answer"), [("K7QM-4XPA", "unknown"), ("hello", "malformed"), ("", "malformed")]
)
def test_unknown_and_mistyped_codes_are_refused(app, seed, signed_in, typed, answer):
    response = signed_in("owner").post(TILL, {"code": typed})
    assert _answer(response)[0] == answer
    assert page(response).find(id="f-code").get("value") is None  # an empty field for the next


def test_an_expired_code_is_refused(app, seed, signed_in):
    code = _code(app, expires=-dt.timedelta(minutes=1))
    response = signed_in("owner").post(TILL, {"code": code})
    assert _answer(response)[0] == "expired"


def test_a_code_for_another_shop_is_not_used_here(app, seed, signed_in):
    code = _code(app, shop="atelier")
    response = signed_in("owner").post(TILL, {"code": code})
    assert _answer(response)[0] == "elsewhere"
    with database(app).sessions() as session:
        assert session.scalars(select(RedemptionCode.redeemed_at)).one() is None


def test_two_tills_at_the_same_moment_use_a_code_once(committed_app):
    seed_portal(committed_app)
    tills = [Browser(committed_app.test_client()) for _ in range(2)]
    for till in tills:
        assert till.login(EMAILS["owner"]).status_code == 303
    tokens = [till.token() for till in tills]
    for _ in range(5):
        code = _code(committed_app)
        start = threading.Barrier(2)

        def redeem(index: int, code: str = code, start: threading.Barrier = start) -> str:
            start.wait(timeout=10)
            response = tills[index].client.post(
                TILL, data={"code": code, "csrf_token": tokens[index]}
            )
            return _answer(response)[0]

        with ThreadPoolExecutor(max_workers=2) as pool:
            answers = sorted(pool.map(redeem, range(2)))
        assert answers == ["used", "valid"]
        with database(committed_app).sessions() as session:
            stored = session.scalars(select(RedemptionCode).where(RedemptionCode.code == code))
            assert stored.one().redeemed_at is not None
