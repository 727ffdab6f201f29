"""Staff add a sight, place it on the map, describe it per language and take it offline; a wrong
value is said next to its field and nothing is saved; the audit log reads field by field."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from server.db import database
from server.models import Place, PointOfInterest, Walk
from tests.server.portal.conftest import EMAILS, Browser, seed_portal
from tests.server.portal.test_listing import _form
from tests.support.html import page, text

NEW = "/portal/staff/sights/new?territory=roubaix"


def _sights(app) -> int:
    with database(app).sessions() as session:
        return session.scalar(select(func.count(PointOfInterest.id))) or 0


@pytest.mark.parametrize("database_kind", ["sqlite"])
def test_a_sight_is_added_shown_to_visitors_in_each_language_then_taken_offline(
    app, seed, signed_in
):
    staff = signed_in("staff")
    form = _form(staff.get(NEW))
    assert form["published"] == "yes"
    clicked = staff.post(NEW, form | {"map.x": "180", "map.y": "0"})
    assert clicked.status_code == 200 and "The pin moved" in clicked.get_data(as_text=True)
    moved = _form(clicked)
    assert float(moved["latitude"]) > float(form["latitude"])  # the top of the map is north
    bad = staff.post(
        NEW,
        moved
        | {"name": "", "category": "casino", "website": "not an address", "longitude": "east"},
    )
    assert bad.status_code == 422
    errors = {p["id"]: text(p) for p in page(bad).select("p.error[id]")}
    assert set(errors) == {"e-name", "e-category", "e-website", "e-longitude"}
    assert "required" in errors["e-name"] and "https://" in errors["e-website"]
    assert _sights(app) == 0
    described = moved | {
        "name": "Le Beffroi",
        "category": "monument",
        "description_fr": "Un beffroi de brique.",
        "description_en": "A brick belfry.",
        "description_nl": "Een bakstenen belfort.",
    }
    done = staff.post(NEW, described)
    assert done.status_code == 303 and "territory=roubaix" in done.headers["Location"]
    listed = page(staff.get(done.headers["Location"]))
    assert listed.find("a", string="Le Beffroi") is not None
    visitor = app.test_client()
    for language, words in (
        ("fr", "Un beffroi"),
        ("en", "A brick belfry"),
        ("nl", "Een bakstenen"),
    ):
        shown = visitor.get("/poi/le-beffroi", headers={"Accept-Language": language})
        assert shown.status_code == 200 and words in shown.get_data(as_text=True)
    offline = _form(staff.get("/portal/staff/sights/le-beffroi"))
    offline.pop("published")  # the box unticked: a browser sends nothing for it
    assert staff.post("/portal/staff/sights/le-beffroi", offline).status_code == 303
    assert visitor.get("/poi/le-beffroi").status_code == 404
    assert visitor.get("/api/v1/pois/le-beffroi").status_code == 404
    assert visitor.get("/api/v1/pois").json["items"] == []
    log = page(signed_in("administrator").get("/portal/admin/audit"))
    said = text(log)
    assert "Sight saved" in said and "Shown to visitors" in said
    assert "{'" not in str(log) and "['" not in str(log)


SAME_NAME = [
    (
        "/portal/staff/sights/new?territory=roubaix",
        {"name": "Beffroi", "category": "sight", "latitude": "50.69", "longitude": "3.17"},
        PointOfInterest,
    ),
    (
        "/portal/staff/walks/new?territory=roubaix",
        {
            "name": "Beffroi",
            "stop-1-name": "Beffroi",
            "stop-1-latitude": "50.69",
            "stop-1-longitude": "3.17",
        },
        Walk,
    ),
    (
        "/portal/staff/places/new?territory=roubaix",
        {"name": "Beffroi", "kind": "square", "latitude": "50.69", "longitude": "3.17"},
        Place,
    ),
]


@pytest.mark.parametrize(("path", "sent", "model"), SAME_NAME)
def test_the_same_name_saved_at_once_gives_each_its_own_slug(committed_app, path, sent, model):
    """Staff saving the same new name at the same moment: each is saved under a slug of its own
    (before, all but one failed on the unique slug with an HTTP 500)."""
    seed_portal(committed_app)
    many = 8
    clients = [Browser(committed_app.test_client()) for _ in range(many)]
    for client in clients:
        assert client.login(EMAILS["staff"]).status_code == 303
    tokens = [client.token() for client in clients]
    start = threading.Barrier(many)

    def save(index: int) -> int:
        start.wait(timeout=30)
        data = sent | {"radius_m": "200", "csrf_token": tokens[index]}
        return clients[index].client.post(path, data=data).status_code

    with ThreadPoolExecutor(max_workers=many) as pool:
        assert list(pool.map(save, range(many))) == [303] * many
    with database(committed_app).sessions() as session:
        slugs = set(session.scalars(select(model.slug).where(model.name == "Beffroi")))
    assert slugs == {"beffroi"} | {f"beffroi-{number}" for number in range(2, many + 1)}
