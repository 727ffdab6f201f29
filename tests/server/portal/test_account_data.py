"""A person's data: downloaded as a zip from the portal, and erased by an administrator so that
their email appears nowhere afterwards while the audit log keeps what was done, by a pseudonym."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

from sqlalchemy import select

from server.db import database
from server.models import AuditEntry, Photo, Shop, SignupRequest, User
from server.models.base import Base
from server.services import audit
from tests.server.portal.conftest import EMAILS, Browser, jpeg
from tests.server.portal.test_signup import GOOD

OWNER = EMAILS["owner"]


def _photo(app, seed) -> str:
    """A photo of the owner's shop, on disk and in the database, uploaded by the owner."""
    name = "a" * 32 + ".jpg"
    Path(app.config["MEDIA_DIR"]).mkdir(parents=True, exist_ok=True)
    (Path(app.config["MEDIA_DIR"]) / name).write_bytes(jpeg(40, 30, exif=False))
    with database(app).transaction() as session:
        shop_id = session.scalars(select(Shop.id).where(Shop.slug == seed.shop)).one()
        session.add(
            Photo(
                name=name,
                shop_id=shop_id,
                width=40,
                height=30,
                size=1,
                uploaded_by_id=seed.users["owner"],
            )
        )
    return name


def _unzip(response) -> zipfile.ZipFile:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    return zipfile.ZipFile(io.BytesIO(response.data))


def _rows(archive: zipfile.ZipFile, name: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(archive.read(name).decode())))


def test_a_shop_owner_downloads_everything_about_their_shop_and_account(app, seed, signed_in):
    photo = _photo(app, seed)
    owner = signed_in("owner")
    listing = owner.get("/portal/account")
    assert b"/portal/account/data.zip" in listing.data
    archive = _unzip(owner.get("/portal/account/data.zip"))

    account = json.loads(archive.read("account.json"))
    assert account["email"] == OWNER and account["role"] == "shop_owner"
    assert "password_hash" not in account
    [shop] = json.loads(archive.read("shops.json"))
    assert shop["slug"] == "comptoir" and shop["opening_hours"] == "Tu-Su 09:00-18:30"
    assert len(shop["weekly_figures"]) > 0
    assert [row["slug"] for row in _rows(archive, "offers.csv")] == ["comptoir-cafe"]
    assert archive.read(f"photos/{photo}") == (Path(app.config["MEDIA_DIR"]) / photo).read_bytes()
    assert [row["name"] for row in _rows(archive, "photos.csv")] == [photo]
    assert _rows(archive, "codes.csv") == []
    assert "atelier" not in archive.read("shops.json").decode()  # another owner's shop
    # The download itself is in the audit log, and so in the next download.
    again = _unzip(owner.get("/portal/account/data.zip"))
    assert "account.export" in {row["action"] for row in _rows(again, "audit.csv")}


def test_an_administrator_downloads_an_account_s_data(app, seed, signed_in):
    admin = signed_in("administrator")
    archive = _unzip(admin.get(f"/portal/admin/users/{seed.users['owner']}/data.zip"))
    assert json.loads(archive.read("account.json"))["email"] == OWNER


def _everything(app) -> str:
    """Every row of every table, as text."""
    dump = []
    with database(app).sessions() as session:
        for table in Base.metadata.sorted_tables:
            dump += [repr(tuple(row)) for row in session.execute(table.select())]
    return "\n".join(dump).lower()


def test_an_erased_person_s_email_appears_nowhere_and_the_audit_log_stays(app, seed, signed_in):
    _photo(app, seed)
    owner_id = seed.users["owner"]
    owner = signed_in("owner")
    admin = signed_in("administrator")
    # Entries that name the person: an account change, a new invitation, their own change.
    admin.post(
        f"/portal/admin/users/{owner_id}",
        {"role": "shop_owner", "active": "on", "shop-comptoir": "on", "shop-atelier": "on"},
    )
    admin.post(f"/portal/admin/users/{owner_id}/invite")
    with database(app).transaction() as session:
        changes = {"contact": [None, OWNER]}
        audit.record(session, owner_id, "listing.update", ("shop", 1), OWNER.upper(), changes)
    owner.post("/portal/login", {"email": OWNER, "password": "wrong password!"})
    assert OWNER in _everything(app)
    with database(app).sessions() as session:
        entries_before = session.query(AuditEntry).count()

    refused = admin.post(f"/portal/admin/users/{owner_id}/erase", {"confirm": "someone@else"})
    assert refused.status_code == 303 and OWNER in _everything(app)
    response = admin.post(f"/portal/admin/users/{owner_id}/erase", {"confirm": OWNER})
    assert response.status_code == 303

    assert OWNER not in _everything(app)
    with database(app).sessions() as session:
        erased = session.get(User, owner_id)
        assert erased.email == f"erased-account-{owner_id}@erased.invalid"
        assert not erased.active and erased.password_hash is None and erased.name is None
        entries = list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
        shops = {shop.slug: shop.published for shop in session.scalars(select(Shop))}
    assert len(entries) == entries_before + 1  # every entry kept, and the erasure's added
    assert entries[-1].action == "account.erase"
    assert any(f"erased-account-{owner_id}" in e.summary for e in entries[:-1])
    assert shops == {"comptoir": False, "atelier": True}  # atelier has another keeper
    # The person is signed out and cannot sign in; the shop is gone from visitor pages and API.
    assert owner.get("/portal/").status_code in (302, 303)
    assert owner.login(OWNER).status_code != 303
    assert app.test_client().get("/shop/comptoir").status_code == 410  # gone, for crawlers too
    slugs = [s["slug"] for s in app.test_client().get("/api/v1/shops").get_json()["items"]]
    assert "comptoir" not in slugs and "atelier" in slugs
    # Handed over to a new keeper, the shop is published again.
    staff = signed_in("staff")
    staff.post("/portal/shops/comptoir/hand-over", {"email": "new.keeper@example.org"})
    assert app.test_client().get("/shop/comptoir").status_code == 200


def test_an_administrator_cannot_erase_their_own_account(app, seed, signed_in):
    admin = signed_in("administrator")
    me = seed.users["administrator"]
    admin.post(f"/portal/admin/users/{me}/erase", {"confirm": EMAILS["administrator"]})
    with database(app).sessions() as session:
        assert session.get(User, me).email == EMAILS["administrator"]


def test_erasing_an_owner_who_signed_up_erases_their_sign_up_request(app, seed, signed_in, browser):
    assert browser.post("/portal/signup", GOOD).status_code == 200
    staff = signed_in("staff")
    with database(app).sessions() as session:
        request_id = session.scalars(select(SignupRequest.id)).one()
    assert staff.post(f"/portal/staff/signups/{request_id}/approve").status_code == 200
    with database(app).sessions() as session:
        owner_id = session.scalars(select(User.id).where(User.email == "nadia@example.org")).one()
    admin = signed_in("administrator")
    # What the form asked of the person is in their download, before it goes.
    archive = _unzip(admin.get(f"/portal/admin/users/{owner_id}/data.zip"))
    [asked] = json.loads(archive.read("signups.json"))
    assert asked["siret"] == "73282932000074" and asked["contact_name"] == "Nadia Benali"
    assert asked["phone"] == "03 20 00 00 00" and asked["status"] == "approved"
    admin.post(f"/portal/admin/users/{owner_id}/erase", {"confirm": "nadia@example.org"})
    everything = _everything(app)
    for said in ("nadia@example.org", "nadia benali"):
        assert said not in everything, said
    with database(app).sessions() as session:
        kept = session.get(SignupRequest, request_id)
        assert kept.phone is None  # the shop's own listing keeps its phone: the business's
        assert kept.status == "approved" and kept.siret == "73282932000074"  # the business stays


def test_an_erasure_refused_is_said_in_the_administrator_s_language(app, seed):
    admin = Browser(app.test_client(), "fr")
    assert admin.login(EMAILS["administrator"]).status_code == 303
    me = seed.users["administrator"]
    answer = admin.post(
        f"/portal/admin/users/{me}/erase",
        {"confirm": EMAILS["administrator"]},
        follow_redirects=True,
    )
    assert "Vous ne pouvez pas effacer votre propre compte" in answer.get_data(as_text=True)
