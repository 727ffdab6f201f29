"""Objecting to audience measurement: taps still answered and counted, with no visitor id.

Checked where a tap goes: the spool (what the tap path wrote) and the database (what the
drainer stored), for a browser that objected on the privacy page and for one sending
Global Privacy Control; and the rollups, which count the taps as people but no visitor.
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import func, select

from server.db import database
from server.models import Audience, DailyVisitors, StickerDay, VisitorDay, VisitorKind
from server.services import rollups
from server.taps.spool import segments
from tests.server.factories import PHONE, drained_taps, installed_sticker

PATH = "https://t.example.org"


def tap(client, sticker, **headers):
    """A phone's tap on the sticker."""
    return client.get(sticker["url"].removeprefix(PATH), headers={"User-Agent": PHONE, **headers})


def spooled(app) -> list[dict]:
    """Every tap record waiting in the spool, as the tap path wrote it."""
    records = []
    for segment in segments(app.config["SPOOL_DIR"]):
        records += [json.loads(line) for line in segment.read_text().splitlines() if line]
    return records


def object_(client):
    """Press the privacy page's button."""
    response = client.post("/privacy/object")
    assert response.status_code == 303 and response.headers["Location"] == "/fr/privacy#choice"
    return response


def test_after_objecting_no_tap_carries_a_visitor_id(app, client):
    sticker = installed_sticker(app)
    first = tap(client, sticker)
    assert client.get_cookie("tt_vid") is not None  # measured until the visitor objects
    object_(client)
    assert client.get_cookie("tt_vid") is None  # the audience cookie is deleted
    remembered = client.get_cookie("tt_object")
    assert remembered.value == "1" and remembered.http_only
    answers = [tap(client, sticker) for _ in range(3)]
    assert first.status_code == 303
    assert [answer.status_code for answer in answers] == [303] * 3  # still answered
    assert all("tt_vid" not in answer.headers.get("Set-Cookie", "") for answer in answers)
    assert client.get_cookie("tt_vid") is None

    waiting = spooled(app)
    assert len(waiting) == 4
    assert waiting[0]["visitor_id"] is not None
    assert [(r["visitor_id"], r["visitor_kind"]) for r in waiting[1:]] == [(None, "objected")] * 3
    stored = drained_taps(app)
    assert [t.visitor_id for t in stored[1:]] == [None] * 3
    assert [t.visitor_kind for t in stored[1:]] == [VisitorKind.OBJECTED] * 3
    assert all(t.human and t.sticker_id == sticker["tag_id"] for t in stored)


def test_global_privacy_control_is_an_objection(app, client):
    sticker = installed_sticker(app)
    tap(client, sticker)  # the cookie of an earlier visit, before the signal was turned on
    assert client.get_cookie("tt_vid") is not None
    answers = [tap(client, sticker, **{"Sec-GPC": "1"}) for _ in range(2)]
    assert [answer.status_code for answer in answers] == [303, 303]
    assert "tt_vid=;" in answers[0].headers["Set-Cookie"]  # the cookie it found is deleted
    assert client.get_cookie("tt_vid") is None
    fresh = tap(app.test_client(), sticker, **{"Sec-GPC": "1"})  # a browser never seen
    assert "Set-Cookie" not in fresh.headers

    assert [r["visitor_id"] for r in spooled(app)][1:] == [None, None, None]
    stored = drained_taps(app)
    assert [(t.visitor_id, t.visitor_kind) for t in stored[1:]] == [
        (None, VisitorKind.OBJECTED)
    ] * 3


def test_a_gpc_header_other_than_1_is_no_signal(app, client):
    sticker = installed_sticker(app)
    tap(client, sticker, **{"Sec-GPC": "0"})
    [stored] = drained_taps(app)
    assert stored.visitor_id is not None and stored.visitor_kind is VisitorKind.NEW


def test_taking_the_objection_back_is_one_tap_and_starts_a_new_id(app, client):
    sticker = installed_sticker(app)
    tap(client, sticker)
    before = client.get_cookie("tt_vid").value
    object_(client)
    tap(client, sticker)
    response = client.post("/privacy/withdraw")
    assert response.status_code == 303
    assert client.get_cookie("tt_object") is None
    tap(client, sticker)
    after = client.get_cookie("tt_vid").value
    stored = drained_taps(app)
    assert [t.visitor_id for t in stored] == [before, None, after]
    assert after != before  # measured again, but not linked to the time before


def test_rollups_count_the_objecting_taps_as_people_and_no_visitor(app, client):
    sticker = installed_sticker(app)
    measured, objecting = app.test_client(), app.test_client()
    object_(objecting)
    for _ in range(2):
        tap(measured, sticker)
        tap(objecting, sticker)
    tap(app.test_client(), sticker, **{"Sec-GPC": "1"})
    drained_taps(app)
    rollups.refresh(database(app), now=dt.datetime.now(dt.UTC))
    with database(app).sessions() as session:
        people = session.scalar(
            select(func.sum(StickerDay.taps)).where(StickerDay.audience == Audience.PERSON)
        )
        visitor_ids = set(session.scalars(select(VisitorDay.visitor_id)))
        uniques = session.scalar(
            select(func.max(DailyVisitors.visitors)).where(DailyVisitors.place_id == 0)
        )
    assert people == 5  # every tap counts as a person's
    assert uniques == 1 and len(visitor_ids) == 1  # only the measured browser is a visitor
    assert None not in visitor_ids


def test_the_drainer_refuses_an_id_for_an_objection_and_no_id_otherwise():
    from server.taps.store import record_problem

    base = {"id": "1", "at": "2026-12-03T10:00:00+00:00", "code": "X", "outcome": "ok"}
    base |= {"human": True, "method": "GET"}
    assert record_problem({**base, "visitor_kind": "objected", "visitor_id": None}) is None
    assert record_problem({**base, "visitor_kind": "objected", "visitor_id": "abc"})
    assert record_problem({**base, "visitor_kind": "cookie", "visitor_id": None})
    assert record_problem({**base, "visitor_kind": "cookie", "visitor_id": "abc"}) is None
