"""Loyalty cards: joining is an explicit choice with a notice and recorded consent; stamps at the
till only, once per visit, even when 50 arrive at once; the reward once; a recovery code moves
the cards to a new phone; leaving deletes them."""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from server.db import database
from server.models import LoyaltyCard, LoyaltyHolding, LoyaltyStamp, LoyaltyWallet
from tests.server.portal.conftest import Browser, open_session
from tests.support.demo import SATURDAY, next_local
from tests.support.html import page, text

SHOP = "comptoir-de-la-piscine"
TILL = f"/portal/shops/{SHOP}/till"
JOIN = f"/cards/join/{SHOP}"


def _phone(app):
    client = app.test_client()
    client.set_cookie("tt_vid", secrets.token_hex(16))
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _join(phone) -> tuple[str, str]:
    """Join with consent; return the card's code and the recovery code shown."""
    joined = page(phone.post(JOIN, data={"consent": "yes"}))
    return text(joined.select_one("section.card .code")), text(joined.select_one("#recovery .code"))


def _till(app) -> Browser:
    till = Browser(app.test_client())
    open_session(app, till.client, "comptoir@demo.taptrail.invalid")
    return till


def _card_answer(till, code: str, action: str = "stamp") -> str:
    answer = page(till.post(f"{TILL}/card", {"card": code, "action": action}))
    return answer.find(id="card-answer")["data-answer"]


def _count(app, model) -> int:
    with database(app).sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_joining_needs_the_ticked_box_and_records_the_consent(demo_app):
    phone = _phone(demo_app)
    notice = page(phone.get(JOIN))
    said = text(notice.find(id="loyalty-notice"))
    assert "personal data" in said and "leave at any time" in said
    refused = phone.post(JOIN, data={})
    assert refused.status_code == 422 and "Tick the box" in text(page(refused).find(id="problem"))
    assert _count(demo_app, LoyaltyWallet) == 0
    code, recovery = _join(phone)
    assert len(code) == 9 and len(recovery) == 19
    with database(demo_app).sessions() as session:
        wallet = session.scalars(select(LoyaltyWallet)).one()
    assert wallet.visitor_id == phone.get_cookie("tt_vid").value
    assert wallet.consented_at == demo_app.config["FIXED_NOW"] and wallet.notice
    assert recovery.replace("-", "") not in wallet.recovery_hash  # only an HMAC is kept
    assert page(phone.get("/cards")).select_one("#recovery") is None  # shown once


def test_the_shop_page_offers_the_card(demo_app):
    soup = page(_phone(demo_app).get(f"/shop/{SHOP}"))
    link = soup.select_one("p.loyalty a")
    assert link["href"] == JOIN and "after 5 visits" in text(link)


def test_stamps_once_per_visit_then_the_reward_once(demo_app):
    phone = _phone(demo_app)
    code, _ = _join(phone)
    till = _till(demo_app)
    assert _card_answer(till, code.lower()) == "stamped"
    assert _card_answer(till, code) == "too soon"  # the same visit
    assert _card_answer(till, code, "reward") == "not full"
    for _ in range(4):
        demo_app.config["FIXED_NOW"] += dt.timedelta(hours=5)
        till = _till(demo_app)  # a till signed in at that moment
        last = _card_answer(till, code)
    assert last == "full"
    shown = page(phone.get("/cards"))
    assert "5 of 5 stamps" in text(shown) and shown.select_one("[id^=reward-]") is not None
    assert _card_answer(till, code, "reward") == "rewarded"
    assert _card_answer(till, code, "reward") == "not full"  # once
    with database(demo_app).sessions() as session:
        held = session.scalars(select(LoyaltyHolding)).one()
        kinds = session.scalars(select(LoyaltyStamp.kind).order_by(LoyaltyStamp.id)).all()
    assert (held.stamps, held.rewards) == (0, 1)
    assert kinds == ["stamp"] * 5 + ["reward"]


def test_a_visitor_cannot_stamp_their_own_card(demo_app):
    phone = _phone(demo_app)
    code, _ = _join(phone)
    response = phone.post(f"{TILL}/card", data={"card": code, "action": "stamp"})
    assert response.status_code in (302, 303, 400, 403)
    assert _count(demo_app, LoyaltyStamp) == 0


def test_another_shop_s_till_cannot_stamp_the_card(demo_app):
    code, _ = _join(_phone(demo_app))
    other = Browser(demo_app.test_client())
    open_session(demo_app, other.client, "atelier@demo.taptrail.invalid")
    # L'Atelier has no card of its own: it is given one, and still cannot stamp the Comptoir's.
    with database(demo_app).transaction() as session:
        from server.models import Shop

        atelier = session.scalars(select(Shop).where(Shop.slug == "atelier-textile-roubaisien"))
        session.add(
            LoyaltyCard(
                shop_id=atelier.one().id,
                reward={"fr": "x"},
                stamps_needed=3,
                reward_days=30,
                min_interval_minutes=60,
            )
        )
    answer = page(
        other.post(
            "/portal/shops/atelier-textile-roubaisien/till/card", {"card": code, "action": "stamp"}
        )
    )
    assert answer.find(id="card-answer")["data-answer"] == "elsewhere"


def test_the_recovery_code_moves_the_cards_to_a_new_phone(demo_app):
    old = _phone(demo_app)
    code, recovery = _join(old)
    new = _phone(demo_app)
    wrong = new.post("/cards/recover", data={"recovery": "AAAA-BBBB-CCCC-DDDD"})
    assert wrong.status_code == 422 and "no cards with this recovery code" in text(page(wrong))
    assert new.post("/cards/recover", data={"recovery": recovery.lower()}).status_code == 303
    assert text(page(new.get("/cards")).select_one("section.card .code")) == code
    assert page(old.get("/cards")).select_one("section.card") is None


def test_leaving_deletes_the_cards_and_keeps_anonymous_counts(demo_app):
    phone = _phone(demo_app)
    code, _ = _join(phone)
    _card_answer(_till(demo_app), code)
    left = page(phone.post("/cards/leave"))
    assert left.find(id="left") is not None and left.select_one("section.card") is None
    assert _count(demo_app, LoyaltyWallet) == _count(demo_app, LoyaltyHolding) == 0
    with database(demo_app).sessions() as session:
        stamp = session.scalars(select(LoyaltyStamp)).one()
    assert stamp.holding_id is None and stamp.visitor_id is None


def test_the_merchant_defines_the_card_and_sees_its_figures(demo_app):
    till = _till(demo_app)
    page_ = till.get(f"/portal/shops/{SHOP}/loyalty")
    assert "Cards held now: 0" in text(page(page_))
    form = {
        "reward_fr": "Un thé offert",
        "stamps_needed": "3",
        "reward_days": "30",
        "min_interval_minutes": "60",
        "active": "yes",
    }
    assert till.post(f"/portal/shops/{SHOP}/loyalty", form).status_code == 303
    refused = till.post(f"/portal/shops/{SHOP}/loyalty", form | {"stamps_needed": "1"})
    assert refused.status_code == 422
    code, _ = _join(_phone(demo_app))
    _card_answer(till, code)
    demo_app.config["FIXED_NOW"] += dt.timedelta(hours=2)
    till = _till(demo_app)
    _card_answer(till, code)
    figures = text(page(till.get(f"/portal/shops/{SHOP}/loyalty")).find(id="loyalty-figures"))
    assert "Cards held now: 1" in figures and "Stamps given: 2" in figures
    assert "Returning customers (stamped twice or more): 1" in figures


@pytest.mark.parametrize("action", ["stamp", "reward"])
def test_fifty_tills_at_once_give_one_stamp_or_one_reward(committed_demo_app, keyring, action):
    committed_demo_app.config["FIXED_NOW"] = next_local(SATURDAY, 15)
    code, _ = _join(_phone(committed_demo_app))
    if action == "reward":  # a full card: five visits, five hours apart
        for _ in range(5):
            _card_answer(_till(committed_demo_app), code)
            committed_demo_app.config["FIXED_NOW"] += dt.timedelta(hours=5)
    before = _count(committed_demo_app, LoyaltyStamp)
    tills = [_till(committed_demo_app) for _ in range(50)]
    tokens = [t.token() for t in tills]
    start = threading.Barrier(50)

    def press(k: int) -> str:
        start.wait(timeout=60)
        response = tills[k].client.post(
            f"{TILL}/card", data={"csrf_token": tokens[k], "card": code, "action": action}
        )
        return page(response).find(id="card-answer")["data-answer"]

    with ThreadPoolExecutor(max_workers=50) as pool:
        answers = list(pool.map(press, range(50)))
    given = "rewarded" if action == "reward" else "stamped"
    assert answers.count(given) == 1
    assert _count(committed_demo_app, LoyaltyStamp) == before + 1


def test_fifty_joins_of_one_phone_at_once_make_one_card(committed_demo_app, keyring):
    committed_demo_app.config["FIXED_NOW"] = next_local(SATURDAY, 15)
    visitor = secrets.token_hex(16)
    phones = [_phone(committed_demo_app) for _ in range(50)]
    for phone in phones:  # one phone pressing "Join" again and again (or 50 tabs)
        phone.set_cookie("tt_vid", visitor)
    start = threading.Barrier(50)

    def press(k: int) -> int:
        start.wait(timeout=60)
        return phones[k].post(JOIN, data={"consent": "yes"}).status_code

    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(press, range(50)))
    assert statuses == [200] * 50, Counter(statuses)
    assert _count(committed_demo_app, LoyaltyWallet) == 1
    assert _count(committed_demo_app, LoyaltyHolding) == 1


def test_changing_the_number_of_visits_keeps_the_cards_usable(demo_app):
    code, _ = _join(_phone(demo_app))

    def visits(count: int) -> str:
        for _ in range(count):
            demo_app.config["FIXED_NOW"] += dt.timedelta(hours=5)
            answer = _card_answer(_till(demo_app), code)
        return answer

    def needed(stamps: int) -> None:
        form = {
            "reward_fr": "Un café offert",
            "stamps_needed": str(stamps),
            "reward_days": "30",
            "min_interval_minutes": "60",
            "active": "yes",
        }
        assert _till(demo_app).post(f"/portal/shops/{SHOP}/loyalty", form).status_code == 303

    assert visits(3) == "stamped"  # three visits of the demo's five
    needed(3)  # three of three now: the reward is due
    assert _card_answer(_till(demo_app), code, "reward") == "rewarded"
    assert visits(3) == "full"
    demo_app.config["FIXED_NOW"] += dt.timedelta(days=40)  # that reward has expired
    needed(5)  # the card is not full any more: two more visits fill it again
    assert visits(2) == "full"
    assert _card_answer(_till(demo_app), code, "reward") == "rewarded"
