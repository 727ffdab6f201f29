"""Staff make a walk in the portal without JavaScript: stops found by a search or clicked on
the map, reordered with up and down buttons, texts in three languages; the walk then shows on
the visitor pages in French, English and Dutch. Wrong values are said per field; nothing is
saved until the walk is right."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from server.db import database
from server.models import Walk
from tests.server.portal.test_listing import _form
from tests.support.html import page, text

NEW = "/portal/staff/walks/new?territory=roubaix"


def _send(browser, path: str, form: dict, action: str | None = None, **extra: str):
    """Post the form as a browser does when one of its buttons is pressed."""
    data = form | extra | ({"action": action} if action else {})
    response = browser.post(path, data)
    return response, (_form(response) if response.status_code != 303 else {})


def _stops(form: dict) -> list[str]:
    names, number = [], 1
    while f"stop-{number}-name" in form:
        names.append(form[f"stop-{number}-name"])
        number += 1
    return names


def _walks(app) -> int:
    with database(app).sessions() as session:
        return session.scalar(select(func.count(Walk.id))) or 0


def test_a_walk_made_in_the_portal_shows_to_visitors_in_three_languages(app, seed, signed_in):
    staff = signed_in("staff")
    form = _form(staff.get(NEW))
    response, form = _send(staff, NEW, form, "search", q="piscine")
    results = page(response).select("button[value^='add:']")
    assert [b["value"] for b in results] == ["add:place:la-piscine"]
    response, form = _send(staff, NEW, form, "add:place:la-piscine")
    assert _stops(form) == ["La Piscine"]
    response, form = _send(staff, NEW, form, "search", q="comptoir")
    response, form = _send(staff, NEW, form, "add:shop:comptoir")
    assert _stops(form) == ["La Piscine", "Le Comptoir"]
    assert form["stop-2-url"].endswith("/shop/comptoir")
    # A click in the map's corner, far from anything known: a point to name.
    response, form = _send(staff, NEW, form, None, **{"map.x": "350", "map.y": "260"})
    assert _stops(form) == ["La Piscine", "Le Comptoir", "Stop 3"]
    assert float(form["stop-3-latitude"]) < float(form["stop-2-latitude"])
    # A click a few metres from the Piscine takes it, as the search did.
    click = {"map_lat": "50.69235", "map_lon": "3.16790", "map.x": "180", "map.y": "135"}
    response, form = _send(staff, NEW, form, None, **click)
    assert _stops(form)[-1] == "La Piscine" and form["stop-4-latitude"] == "50.69229"
    response, form = _send(staff, NEW, form, "remove:4")
    assert _stops(form) == ["La Piscine", "Le Comptoir", "Stop 3"]
    response, form = _send(staff, NEW, form, "up:3")
    assert _stops(form) == ["La Piscine", "Stop 3", "Le Comptoir"]
    response, form = _send(staff, NEW, form, "down:1")
    assert _stops(form) == ["Stop 3", "La Piscine", "Le Comptoir"]
    assert _walks(app) == 0, "nothing is saved until the walk is saved"
    form |= {
        "name": "Le Roubaix textile",
        "description_fr": "Des usines aux musées.",
        "description_en": "From mills to museums.",
        "description_nl": "Van fabrieken naar musea.",
        "stop-1-name": "Le canal",
        "stop-1-note_fr": "Les péniches de coton.",
        "stop-1-note_en": "The cotton barges.",
        "stop-1-note_nl": "De katoenschepen.",
    }
    saved, _ = _send(staff, NEW, form, "save")
    assert saved.status_code == 303
    visitor = app.test_client()
    said = {
        "fr": ("Des usines aux musées.", "Les péniches de coton.", "3 étapes"),
        "en": ("From mills to museums.", "The cotton barges.", "3 stops"),
        "nl": ("Van fabrieken naar musea.", "De katoenschepen.", "3 stops"),
    }
    for language, words in said.items():
        headers = {"Accept-Language": language}
        shown = page(visitor.get("/walk/le-roubaix-textile", headers=headers))
        assert all(w in text(shown) for w in words), (language, text(shown)[:400])
        stops = [text(h) for h in shown.select("ol.stops h3")]
        assert stops == ["1. Le canal", "2. La Piscine", "3. Le Comptoir"]
        near = page(visitor.get("/p/la-piscine", headers=headers))
        assert near.find("a", string="Le Roubaix textile") is not None, language
    edit = "/portal/staff/walks/le-roubaix-textile"
    form = _form(staff.get(edit))
    assert _stops(form) == ["Le canal", "La Piscine", "Le Comptoir"]
    response, form = _send(staff, edit, form, "remove:1")
    assert _send(staff, edit, form, "save")[0].status_code == 303
    with database(app).sessions() as session:
        walk = session.scalars(select(Walk)).one()
        assert [s.name for s in walk.stops] == ["La Piscine", "Le Comptoir"]
        assert (walk.start_latitude, walk.start_longitude) == (50.69229, 3.16782)
    log = page(signed_in("administrator").get("/portal/admin/audit"))
    assert "Walk saved" in text(log) and "Le canal" in text(log)
    assert "{'" not in str(log) and "['" not in str(log)


@pytest.mark.parametrize("database_kind", ["sqlite"])
def test_a_walk_without_a_name_or_stops_is_refused_field_by_field(app, seed, signed_in):
    staff = signed_in("staff")
    form = _form(staff.get(NEW))
    refused, _ = _send(staff, NEW, form, "save")
    assert refused.status_code == 422
    shown = page(refused)
    assert "required" in text(shown.select_one("#e-name"))
    assert "at least one stop" in text(shown.select_one("#problems"))
    _, form = _send(staff, NEW, form, "add:place:la-piscine")
    form |= {"name": "Tour", "stop-1-name": "", "stop-1-latitude": "north"}
    refused, _ = _send(staff, NEW, form, "save")
    errors = {p["id"]: text(p) for p in page(refused).select("p.error[id]")}
    assert set(errors) == {"e-stop-1-name"}
    assert "number of degrees" in text(page(refused).select_one("ol.stops p.error:not([id])"))
    assert _walks(app) == 0


def test_the_search_takes_what_is_typed_literally(app, seed, signed_in):
    """% and _ are searched as typed, not as SQL wildcards matching every name."""
    staff = signed_in("staff")
    form = _form(staff.get(NEW))
    for typed, found in (("comptoir", 1), ("%", 0), ("_", 0), ("é" * 100, 0)):
        response, _shown = _send(staff, NEW, form, "search", q=typed)
        assert response.status_code == 200
        assert f"{found} found." in text(page(response)), typed
