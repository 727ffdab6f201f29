"""A shop owner keeps the listing: text in three languages, position on a map, weekly hours;
in territories with review on, changes wait for staff."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from server.db import database
from server.maps import projection
from server.models import ChangeStatus, PendingChange, Shop, Territory
from server.services import hours_editing
from tests.support.html import page, text

LISTING = "/portal/shops/comptoir/listing"
HOURS = "/portal/shops/comptoir/hours"


def _shop(app, slug: str = "comptoir") -> Shop:
    with database(app).sessions() as session:
        return session.scalars(select(Shop).where(Shop.slug == slug)).one()


def _form(response) -> dict[str, str]:
    soup = page(response)
    fields = {f["name"]: f.get("value", "") for f in soup.select("form.stack input[name]")}
    fields |= {f["name"]: f.get_text() for f in soup.select("form.stack textarea")}
    for select_ in soup.select("form.stack select"):
        chosen = select_.find("option", selected=True) or select_.find("option")
        fields[select_["name"]] = chosen["value"]
    fields.pop("csrf_token", None)
    fields.pop("map", None)
    return fields


def test_the_owner_edits_the_listing_and_visitors_see_it(app, seed, signed_in):
    owner = signed_in("owner")
    form = _form(owner.get(LISTING))
    form |= {
        "name": "Le Comptoir de la Piscine",
        "description_fr": "Café et gâteaux maison.",
        "description_nl": "Koffie en taart.",
        "phone": "03 20 00 00 00",
        "website": "www.comptoir.example",
    }
    response = owner.post(LISTING, form)
    assert response.status_code == 303
    shop = _shop(app)
    assert (
        shop.name == "Le Comptoir de la Piscine" and shop.website == "https://www.comptoir.example"
    )
    assert shop.description == {"fr": "Café et gâteaux maison.", "nl": "Koffie en taart."}
    public = app.test_client().get("/shop/comptoir", headers={"Accept-Language": "nl"})
    assert "Koffie en taart." in text(page(public).find("main"))


def test_a_refused_listing_keeps_what_was_typed_and_says_what_to_fix(app, seed, signed_in):
    owner = signed_in("owner")
    form = _form(owner.get(LISTING)) | {
        "name": "",
        "latitude": "north",
        "website": "not a site",
        "description_en": "Kept, though the rest is refused.",
    }
    response = owner.post(LISTING, form)
    assert response.status_code == 422
    soup = page(response)
    for name in ("name", "latitude", "website"):
        assert soup.find(id=f"f-{name}")["aria-invalid"] == "true", name
        assert text(soup.find(id=f"e-{name}")), name
    assert soup.find(id="f-description_en").get_text() == "Kept, though the rest is refused."
    assert _shop(app).name == "Le Comptoir"


def test_a_position_far_from_the_territory_is_refused(app, seed, signed_in):
    owner = signed_in("owner")
    form = _form(owner.get(LISTING)) | {"latitude": "3.16850", "longitude": "50.69205"}  # swapped
    response = owner.post(LISTING, form)
    assert response.status_code == 422
    assert "km" in text(page(response).find(id="e-latitude"))


def test_a_click_on_the_map_moves_the_pin_without_saving(app, seed, signed_in):
    owner = signed_in("owner")
    form = _form(owner.get(LISTING)) | {"description_fr": "Typed before the click"}
    center = (float(form["map_lat"]), float(form["map_lon"]))
    form |= {"map.x": str(projection.WIDTH / 2 + 60), "map.y": str(projection.HEIGHT / 2 - 30)}
    response = owner.post(LISTING, form)
    assert response.status_code == 200
    moved = _form(response)
    lat, lon = float(moved["latitude"]), float(moved["longitude"])
    assert (lat, lon) == projection.point_at(
        center, projection.WIDTH / 2 + 60, projection.HEIGHT / 2 - 30
    )
    assert lat > center[0] and lon > center[1]  # up is north, right is east
    assert moved["description_fr"] == "Typed before the click"
    assert _shop(app).latitude == center[0]  # nothing saved yet
    assert owner.post(LISTING, moved).status_code == 303
    assert (_shop(app).latitude, _shop(app).longitude) == (lat, lon)


def test_the_map_is_a_picture_drawn_here(app, seed, signed_in):
    response = signed_in("owner").get("/portal/map.png?lat=50.69205&lon=3.16850")
    assert response.mimetype == "image/png" and response.data.startswith(b"\x89PNG")


def test_pixels_and_positions_round_trip():
    center = (50.69, 3.17)
    for x, y in ((0, 0), (180, 135), (359, 269), (12.5, 200)):
        lat, lon = projection.point_at(center, x, y)
        back = projection.pixel(center, lat, lon)
        assert abs(back[0] - x) < 0.1 and abs(back[1] - y) < 0.1


def _week_form(**days: tuple[str, ...]) -> dict[str, str]:
    form = {"editor": "week"}
    for day, times in days.items():
        for index, value in enumerate(times):
            period, end = index // 2 + 1, ("open", "close")[index % 2]
            form[f"{day}_{end}{period}"] = value
    return form


def test_the_weekly_editor_writes_opening_hours(app, seed, signed_in):
    owner = signed_in("owner")
    editor = page(owner.get(HOURS))
    assert editor.find("input", attrs={"name": "Tu_open1"})["value"] == "09:00"
    form = _week_form(
        Tu=("10:00", "12:30", "14:00", "19:00"),
        We=("10:00", "12:30", "14:00", "19:00"),
        Th=("10:00", "12:30", "14:00", "19:00"),
        Sa=("09:00", "13:00"),
    )
    assert owner.post(HOURS, form).status_code == 303
    assert _shop(app).opening_hours == "Tu-Th 10:00-12:30,14:00-19:00; Sa 09:00-13:00"
    shown = page(owner.get(HOURS))
    assert shown.find("input", attrs={"name": "We_close2"})["value"] == "19:00"


def test_a_half_filled_day_is_refused_and_kept(app, seed, signed_in):
    owner = signed_in("owner")
    response = owner.post(HOURS, _week_form(Mo=("10:00",), Tu=("09:00", "17:00")))
    assert response.status_code == 422
    soup = page(response)
    assert "Monday" in text(soup.find(id="e-Mo")) or "Lundi" in text(soup.find(id="e-Mo"))
    assert soup.find("input", attrs={"name": "Tu_close1"})["value"] == "17:00"
    assert _shop(app).opening_hours == "Tu-Su 09:00-18:30"


def test_experts_write_the_expression_and_it_is_checked(app, seed, signed_in):
    owner = signed_in("owner")
    bad = owner.post(HOURS, {"editor": "raw", "expression": "Tu-Sa 10h à 19h"})
    assert bad.status_code == 422 and text(page(bad).find(id="e-expression"))
    good = owner.post(HOURS, {"editor": "raw", "expression": "Tu-Sa 10:00-19:00; PH off"})
    assert good.status_code == 303
    assert _shop(app).opening_hours == "Tu-Sa 10:00-19:00; PH off"
    soup = page(owner.get(HOURS))
    assert "cannot show" in text(soup.find("main")) or "ne peut pas" in text(soup.find("main"))


@pytest.mark.parametrize(
    "expression",
    ["Tu-Sa 10:00-19:00", "Mo,We,Fr 08:00-12:00; Sa 09:00-12:00,14:00-18:00", "Su 18:00-02:00"],
)
def test_the_editor_reads_back_what_it_writes(expression):
    week = hours_editing.from_expression(expression)
    assert week is not None and hours_editing.to_expression(week) == expression


def _review_on(app) -> None:
    with database(app).transaction() as session:
        session.execute(update(Territory).values(review_changes=True))


def test_with_review_on_a_change_waits_for_staff(app, seed, signed_in):
    _review_on(app)
    owner = signed_in("owner")
    form = _form(owner.get(LISTING)) | {"name": "Le Comptoir (nouveau)"}
    assert owner.post(LISTING, form).status_code == 303
    assert _shop(app).name == "Le Comptoir"  # not live yet
    assert _form(owner.get(LISTING))["name"] == "Le Comptoir (nouveau)"  # the owner sees it
    assert owner.post(HOURS, _week_form(Mo=("08:00", "12:00"))).status_code == 303
    with database(app).sessions() as session:
        [change] = session.scalars(select(PendingChange)).all()
    assert change.payload["name"] == "Le Comptoir (nouveau)"
    assert change.payload["opening_hours"] == "Mo 08:00-12:00"
    staff = signed_in("staff")
    queue = staff.get("/portal/staff/review")
    assert "Le Comptoir" in text(page(queue).find("main"))
    shown = page(staff.get(f"/portal/staff/review/{change.id}"))
    rows = {
        text(row.th): row.find_all("td", recursive=False)
        for row in shown.select("table.changes > tbody > tr")
    }
    assert text(rows["Name"][1]) == "Le Comptoir (nouveau)"
    assert text(rows["Name"][1].find("ins")) == "(nouveau)"  # the words put in, marked
    hours = {text(r.th): text(r.td) for r in rows["Opening hours"][1].select("tr")}
    assert hours["Monday"] == "08:00\u201312:00" and hours["Tuesday"] == "closed"  # a week
    assert staff.post(f"/portal/staff/review/{change.id}/approve").status_code == 303
    shop = _shop(app)
    assert (shop.name, shop.opening_hours) == ("Le Comptoir (nouveau)", "Mo 08:00-12:00")


def test_a_refused_change_stays_offline(app, seed, signed_in):
    _review_on(app)
    owner = signed_in("owner")
    owner.post(LISTING, _form(owner.get(LISTING)) | {"name": "Spam"})
    with database(app).sessions() as session:
        change = session.scalars(select(PendingChange)).one()
    signed_in("staff").post(f"/portal/staff/review/{change.id}/reject", {"note": "Not a name"})
    with database(app).sessions() as session:
        assert session.get(PendingChange, change.id).status is ChangeStatus.REJECTED
    assert _shop(app).name == "Le Comptoir"
    said = text(page(owner.get("/portal/shops/comptoir/")).find(class_="problem"))
    assert said.startswith("Not put online by the TapTrail team") and said.endswith("Not a name")


def test_staff_changes_go_live_at_once_even_with_review_on(app, seed, signed_in):
    _review_on(app)
    staff = signed_in("staff")
    form = _form(staff.get(LISTING)) | {"name": "Le Comptoir, aidé"}
    assert staff.post(LISTING, form).status_code == 303
    assert _shop(app).name == "Le Comptoir, aidé"
