"""Hostile input in every text field is stored as text and shown as text: no stored script
reaches a page, the visitor's or the portal's."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from server.db import database
from server.models import Offer
from tests.server.portal.conftest import TODAY
from tests.support.html import page

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>"\'><svg/onload=alert(2)>'


def _no_injection(response) -> None:
    html = response.get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html and "<svg/onload" not in html
    soup = page(response)
    for tag in soup.find_all(True):
        assert not any(name.startswith("on") for name in tag.attrs), tag
    # Data (JSON-LD) and the visitor pages' own script file are ours; nothing else runs.
    scripts = [
        s
        for s in soup.find_all("script")
        if s.get("type") != "application/ld+json" and s.get("src") != "/visitor.js"
    ]
    assert not scripts


def test_hostile_text_in_every_field_is_shown_as_text(app, seed, signed_in):
    owner = signed_in("owner")
    listing = {
        "name": HOSTILE[:200],
        "category": "cafe",
        "address": HOSTILE,
        "latitude": "50.69205",
        "longitude": "3.16850",
        "phone": "",
        "website": "",
        **{f"description_{lang}": HOSTILE for lang in ("fr", "en", "nl")},
    }
    assert owner.post("/portal/shops/comptoir/listing", listing).status_code == 303
    today = TODAY
    offer = {
        "kind": "deal",
        "valid_from": today.isoformat(),
        "valid_until": (today + dt.timedelta(days=3)).isoformat(),
        "hours_mode": "shop",
        **{f"title_{lang}": HOSTILE[:120] for lang in ("fr", "en", "nl")},
        **{f"conditions_{lang}": HOSTILE for lang in ("fr", "en", "nl")},
    }
    assert owner.post("/portal/shops/comptoir/offers/new", offer).status_code == 303
    with database(app).sessions() as session:
        slug = session.scalars(
            select(Offer.slug).where(Offer.title["fr"].isnot(None)).order_by(Offer.id.desc())
        ).first()
    # A refused form shows the hostile text back: still as text.
    refused = owner.post("/portal/shops/comptoir/listing", listing | {"latitude": "x"})
    assert refused.status_code == 422
    _no_injection(refused)
    staff = signed_in("staff")
    staff.post("/portal/staff/shops", {"name": HOSTILE, "territory": "roubaix", "category": "shop"})
    staff.post("/portal/staff/tokens", {"name": HOSTILE, "scope": "encode"})
    visitor = app.test_client()
    pages = [
        visitor.get("/shop/comptoir"),
        visitor.get("/p/la-piscine"),
        visitor.get(f"/offer/{slug}"),
        visitor.get("/t/roubaix"),
        owner.get("/portal/"),
        owner.get("/portal/shops/comptoir/"),
        owner.get("/portal/shops/comptoir/listing"),
        owner.get("/portal/shops/comptoir/offers"),
        owner.get(f"/portal/shops/comptoir/offers/{slug}"),
        staff.get("/portal/staff/shops"),
        staff.get("/portal/staff/tokens"),
        signed_in("administrator").get("/portal/admin/audit"),
        signed_in("other_owner").get("/portal/shops/atelier/offers/new"),
    ]
    for response in pages:
        assert response.status_code == 200, response.request.path
        _no_injection(response)
    assert page(pages[0]).find("h1").get_text() == HOSTILE  # the text itself, shown as text
