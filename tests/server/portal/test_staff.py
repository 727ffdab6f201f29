"""Staff and administrators: help mode and hand-over, places, stickers through their life,
batches and manifests, signing keys, API tokens, accounts, territories, the audit log."""

from __future__ import annotations

import base64
import io
import json

import pytest
from sqlalchemy import select

from server.db import database
from server.models import ApiToken, AuditEntry, Place, Shop, Sticker, StickerStatus, Territory, User
from server.services.tokens import authenticate
from tags.keyring import Keyring, KeyState
from tests.server import factories
from tests.server.portal.conftest import Browser, jpeg
from tests.support.html import page, text


def test_help_mode_creates_a_shop_then_hands_it_over(app, seed, signed_in):
    staff = signed_in("staff")
    created = staff.post(
        "/portal/staff/shops",
        {"name": "Épicerie du Coin", "territory": "roubaix", "category": "shop"},
    )
    assert created.status_code == 303
    assert created.headers["Location"] == "/portal/shops/epicerie-du-coin/listing"
    listing = page(staff.get(created.headers["Location"]))
    assert "Help mode" in text(listing.find("main")) or listing.find("form") is not None
    handed = staff.post("/portal/shops/epicerie-du-coin/hand-over", {"email": "coin@example.org"})
    link = text(page(handed).find(id="invitation-link"))
    owner = Browser(app.test_client())
    path = link.split("localhost", 1)[1]
    assert (
        owner.post(
            path, {"password": "a long password here", "again": "a long password here"}
        ).status_code
        == 303
    )
    assert "Épicerie du Coin" in text(page(owner.get("/portal/")).find("main"))
    assert owner.get("/portal/shops/epicerie-du-coin/listing").status_code == 200
    assert owner.get("/portal/shops/comptoir/listing").status_code == 404


def test_handing_over_to_a_staff_address_is_refused(app, seed, signed_in):
    staff = signed_in("staff")
    response = staff.post("/portal/shops/comptoir/hand-over", {"email": "admin@example.org"})
    assert response.status_code == 303
    shown = page(staff.get(response.headers["Location"]))
    assert "administrator role" in text(shown.find(class_="problem"))


def test_staff_edit_a_place_on_the_map(app, seed, signed_in):
    staff = signed_in("staff")
    places = page(staff.get("/portal/staff/places?territory=roubaix"))
    assert places.find("img", class_="map") is not None
    form = {
        "name": "Place de la Liberté",
        "kind": "square",
        "latitude": "50.6925",
        "longitude": "3.1700",
        "radius_m": "600",
        "opening_hours": "",
    }
    assert staff.post("/portal/staff/places/new?territory=roubaix", form).status_code == 303
    with database(app).sessions() as session:
        place = session.scalars(select(Place).where(Place.slug == "place-de-la-liberte")).one()
    assert place.radius_m == 600
    bad = staff.post("/portal/staff/places/place-de-la-liberte", form | {"radius_m": "5"})
    assert bad.status_code == 422


def test_a_batch_is_issued_its_manifest_downloaded_and_its_stickers_followed(app, seed, signed_in):
    staff = signed_in("staff")
    issued = staff.post(
        "/portal/staff/batches",
        {"place": "la-piscine", "count": "3", "chip": "ntag213", "mirror": "both"},
    )
    assert issued.status_code == 303
    batch_page = staff.get(issued.headers["Location"])
    assert len(page(batch_page).select("tbody tr")) == 3
    manifest = staff.get(issued.headers["Location"] + "/manifest.json")
    data = json.loads(manifest.data)
    assert data["format"] == "taptrail-manifest/1" and len(data["stickers"]) == 3
    assert "attachment" in manifest.headers["Content-Disposition"]
    refused = staff.post("/portal/staff/batches", {"place": "la-piscine", "count": "5000"})
    assert refused.status_code == 422 and "1000" in text(page(refused).find(id="e-count"))


def test_a_sticker_is_installed_with_a_photo_then_retired(app, seed, signed_in):
    entry = factories.stickers(app, "la-piscine", 1)[0]
    staff = signed_in("staff")
    planned = staff.post(f"/portal/staff/stickers/{entry['tag_id']}/install", {"location": "door"})
    assert "not encoded yet" in text(
        page(staff.get(planned.headers["Location"])).find(class_="problem")
    )
    factories.update_sticker(
        app, entry["tag_id"], status=StickerStatus.ENCODED, uid="04AABBCCDDEEFF"
    )

    response = staff.client.post(
        f"/portal/staff/stickers/{entry['tag_id']}/install",
        data={
            "csrf_token": staff.token(),
            "location": "exit, left",
            "photo": (io.BytesIO(jpeg(300, 200)), "s.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    with database(app).sessions() as session:
        sticker = session.get(Sticker, entry["tag_id"])
    assert sticker.status is StickerStatus.INSTALLED and sticker.location == "exit, left"
    listed = page(staff.get("/portal/staff/places/la-piscine/stickers"))
    assert listed.find("img", alt=f"Sticker {entry['tag_id']} where it hangs") is not None
    assert staff.post(f"/portal/staff/stickers/{entry['tag_id']}/retire").status_code == 303
    assert app.test_client().get(f"/{entry['code']}").status_code == 410


@pytest.fixture
def keyring_file(app, tmp_path):
    path = tmp_path / "keys.json"
    Keyring.create().save(path)
    app.config["SIGNING_KEYS"] = None
    app.config["SIGNING_KEYS_FILE"] = str(path)
    app.extensions.pop("taptrail.keyring", None)
    return path


def test_keys_are_rotated_and_revoked_without_showing_a_secret(app, seed, signed_in, keyring_file):
    admin = signed_in("administrator")
    secret = Keyring.load(keyring_file).active.secret
    shown = admin.get("/portal/admin/keys").get_data(as_text=True)
    assert "active" in shown
    assert admin.post("/portal/admin/keys/rotate").status_code == 303
    ring = Keyring.load(keyring_file)
    assert [k.state for k in ring.keys] == [KeyState.VERIFY, KeyState.ACTIVE]
    assert ring.keys[0].secret == secret
    assert admin.post("/portal/admin/keys/1/revoke", {"confirm": "2"}).status_code == 303
    assert Keyring.load(keyring_file).keys[0].state is KeyState.VERIFY  # not confirmed
    assert admin.post("/portal/admin/keys/1/revoke", {"confirm": "1"}).status_code == 303
    assert Keyring.load(keyring_file).keys[0].state is KeyState.REVOKED
    for key in Keyring.load(keyring_file).keys:
        encoded = base64.urlsafe_b64encode(key.secret).decode()
        assert encoded not in admin.get("/portal/admin/keys").get_data(as_text=True)
    with database(app).sessions() as session:
        actions = session.scalars(select(AuditEntry.action)).all()
    assert {"keys.rotate", "keys.revoke"} <= set(actions)


def test_keys_from_the_environment_are_explained_not_changed(app, seed, signed_in):
    admin = signed_in("administrator")
    assert "cannot change" in text(page(admin.get("/portal/admin/keys")).find("main"))
    before = app.config["SIGNING_KEYS"]
    response = admin.post("/portal/admin/keys/rotate")
    assert response.status_code == 303 and app.config["SIGNING_KEYS"] == before


def test_a_token_is_shown_once_and_stored_hashed(app, seed, signed_in):
    staff = signed_in("staff")
    response = staff.post("/portal/staff/tokens", {"name": "tablet", "scope": "encode"})
    token = text(page(response).find(id="new-token"))
    assert token.startswith("tt_")
    with database(app).sessions() as session:
        row = session.scalars(select(ApiToken)).one()
        assert row.token_hash != token and authenticate(session, token) is not None
    assert token not in staff.get("/portal/staff/tokens").get_data(as_text=True)
    analytics = staff.post("/portal/staff/tokens", {"name": "x", "scope": "read-analytics"})
    assert analytics.status_code == 303  # staff give encode tokens only
    admin = signed_in("administrator")
    made = admin.post("/portal/staff/tokens", {"name": "dash", "scope": "read-analytics"})
    assert text(page(made).find(id="new-token")).startswith("tt_")
    assert staff.post(f"/portal/staff/tokens/{row.id}/revoke").status_code == 303
    with database(app).sessions() as session:
        assert authenticate(session, token) is None


def test_an_administrator_changes_a_role_and_the_person_signs_in_again(app, seed, signed_in):
    owner = signed_in("owner")
    admin = signed_in("administrator")
    form = {"role": "analyst", "active": "on"}
    assert admin.post(f"/portal/admin/users/{seed.users['owner']}", form).status_code == 303
    assert owner.get("/portal/").status_code == 303
    with database(app).sessions() as session:
        assert session.get(User, seed.users["owner"]).role.value == "analyst"
    myself = admin.post(f"/portal/admin/users/{seed.users['administrator']}", {"role": "staff"})
    assert myself.status_code == 303
    with database(app).sessions() as session:
        assert session.get(User, seed.users["administrator"]).role.value == "administrator"


def test_review_is_a_territory_setting(app, seed, signed_in):
    admin = signed_in("administrator")
    assert admin.post("/portal/admin/territories", {"review-roubaix": "on"}).status_code == 303
    with database(app).sessions() as session:
        assert session.scalars(select(Territory.review_changes)).one() is True
    log = text(page(admin.get("/portal/admin/audit")).find("main"))
    assert "review on" in log and "admin@example.org" in log


def test_the_audit_log_says_who_changed_what(app, seed, signed_in):
    owner = signed_in("owner")
    owner.post("/portal/shops/comptoir/hours", {"editor": "raw", "expression": "Mo 10:00-12:00"})
    log = page(signed_in("administrator").get("/portal/admin/audit"))
    latest = log.select_one("ol.audit > li")
    assert "owner@example.org" in text(latest) and "Opening hours changed" in text(latest)
    [row] = latest.select("table.changes > tbody > tr")
    before, after = row.find_all("td", recursive=False)
    assert text(row.th) == "Opening hours"
    week = {text(r.th): text(r.td) for r in before.select("tr")}
    assert week["Monday"] == "closed" and week["Sunday"] == "09:00\u201318:30"
    week = {text(r.th): text(r.td) for r in after.select("tr")}
    assert week["Monday"] == "10:00\u201312:00" and week["Tuesday"] == "closed"
    assert "{'" not in str(log) and "['" not in str(log)
    with database(app).sessions() as session:
        assert (
            session.scalars(select(Shop.opening_hours).where(Shop.slug == "comptoir")).one()
            == "Mo 10:00-12:00"
        )


def test_a_change_missing_from_the_review_queue_is_the_portal_s_not_found_page(seed, signed_in):
    staff = signed_in("staff")
    staff.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "nl"
    for response in (
        staff.get("/portal/staff/review/4242"),  # the review service says NotFound
        staff.post("/portal/staff/review/4242/approve"),
    ):
        assert response.status_code == 404 and response.content_type.startswith("text/html")
        soup = page(response)
        assert soup.html["lang"] == "nl"
        assert text(soup.find("h1")) == "Pagina niet gevonden"


@pytest.mark.parametrize("spelled", ["1²", "٣", "6" * 5000, "2" * 20])
def test_numbers_in_forms_are_ascii_digits_within_their_range(app, seed, signed_in, spelled):
    """str.isdigit() passes superscripts, other scripts' digits and 5,000-digit numbers, on
    which int() fails: each is a field's clear refusal, and the audit log's filter ignores it."""
    staff = signed_in("staff")
    form = {
        "name": "Place de la Liberté",
        "kind": "square",
        "latitude": "50.6925",
        "longitude": "3.1700",
        "radius_m": spelled,
        "opening_hours": "",
    }
    refused = staff.post("/portal/staff/places/new?territory=roubaix", form)
    assert refused.status_code == 422
    assert "50 to 5000" in text(page(refused).find(id="e-radius_m"))
    batch = staff.post("/portal/staff/batches", {"place": "la-piscine", "count": spelled})
    assert batch.status_code == 422 and "1000" in text(page(batch).find(id="e-count"))
    admin = signed_in("administrator")
    assert admin.get(f"/portal/admin/audit?target=shop:{spelled}").status_code == 200


def test_the_shop_search_takes_what_is_typed_literally(app, seed, signed_in):
    """% and _ are searched as typed, not as SQL wildcards that list every shop."""
    staff = signed_in("staff")
    found = text(page(staff.get("/portal/staff/shops?q=comptoir")).find("main"))
    assert "Le Comptoir" in found
    for wildcard in ("%", "_", "%comptoir"):
        listed = text(page(staff.get(f"/portal/staff/shops?q={wildcard}")).find("main"))
        assert "Le Comptoir" not in listed, wildcard
