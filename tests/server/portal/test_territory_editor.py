"""Administrators edit a territory; a wrong value is said next to its field; the change reads
field by field, per language, in the audit log."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from server.db import database
from server.models import Territory
from tests.server.portal.test_listing import _form
from tests.support.html import page, text

PATH = "/portal/admin/territories/roubaix"


@pytest.mark.parametrize("database_kind", ["sqlite"])
def test_a_territory_is_edited_and_the_change_reads_in_the_audit_log(app, seed, signed_in):
    admin = signed_in("administrator")
    form = _form(admin.get(PATH))
    wrong = admin.post(PATH, form | {"timezone": "Paris", "latitude": "north"})
    assert wrong.status_code == 422
    errors = {p["id"]: text(p) for p in page(wrong).select("p.error[id]")}
    assert "Europe/Paris" in errors["e-timezone"] and "number of degrees" in errors["e-latitude"]
    description = "Ville textile, musées et marchés."
    saved = admin.post(PATH, form | {"description_fr": description, "name": "Roubaix (59)"})
    assert saved.status_code == 303
    with database(app).sessions() as session:
        territory = session.scalars(select(Territory).where(Territory.slug == "roubaix")).one()
        assert (territory.name, territory.description) == ("Roubaix (59)", {"fr": description})
    log = page(admin.get("/portal/admin/audit?target=territory:1"))
    rows = {
        text(r.th): text(r.find_all("td", recursive=False)[1])
        for r in log.select("table.changes > tbody > tr")
    }
    assert rows == {"Name": "Roubaix (59)", "Description (French)": description}
