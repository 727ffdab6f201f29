"""What a shop owner changes in the portal shows on the next place page, kept pages or not."""

from __future__ import annotations

from tests.support.html import page, text, titles

PLACE = "/en/p/la-piscine"


def _place(app) -> str:  # type: ignore[no-untyped-def]
    response = app.test_client().get(PLACE)
    assert response.status_code == 200
    return text(page(response).find("main"))


def test_new_hours_show_on_the_next_place_page(app, seed, signed_in):
    assert "closes at 6:30" in _place(app) or "closes at 18:30" in _place(app)
    owner = signed_in("owner")
    edited = owner.post(
        "/portal/shops/comptoir/hours", {"editor": "raw", "expression": "Tu-Sa 10:00-19:00"}
    )
    assert edited.status_code == 303
    shown = _place(app)
    assert "closes at 7:00" in shown or "closes at 19:00" in shown


def test_an_ended_offer_leaves_the_next_place_page(app, seed, signed_in):
    before = titles(page(app.test_client().get(PLACE)))
    assert "Le Comptoir" in before and "Café offert" in before
    owner = signed_in("owner")
    assert owner.post(f"/portal/shops/comptoir/offers/{seed.offer}/end").status_code == 303
    after = titles(page(app.test_client().get(PLACE)))
    assert "Café offert" not in after and "Le Comptoir" in after
