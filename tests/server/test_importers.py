"""Importers: GTFS stops, iCalendar events, content files; bad files import nothing."""

from __future__ import annotations

import datetime as dt
import zipfile

import pytest
from sqlalchemy import func, select

from server.db import database
from server.errors import ImportProblem
from server.importers.content import import_content
from server.importers.gtfs import import_gtfs
from server.importers.ical import import_ical
from server.models import Event, Offer, Shop, TransitStop, Walk
from tests.server.factories import territory

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
STOPS = (
    "stop_id,stop_name,stop_lat,stop_lon,location_type\n"
    "A,Gare,50.69,3.16,0\nB,Place,50.70,3.17,\nN,Node,,,3\n"
)


def count(app, model) -> int:
    with database(app).sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


def run(app, importer, *args, **kwargs):
    with database(app).transaction() as session:
        return importer(session, *args, **kwargs)


def test_gtfs_stops_from_a_zip_replace_the_feed(app, tmp_path):
    feed = tmp_path / "gtfs.zip"
    with zipfile.ZipFile(feed, "w") as archive:
        archive.writestr("stops.txt", "\ufeff" + STOPS)
        archive.writestr("agency.txt", "agency_name,agency_url\nIlévia,https://www.ilevia.fr\n")
    assert run(app, import_gtfs, feed).new == 2  # the generic node is left out
    (tmp_path / "stops.txt").write_text(STOPS.replace("B,Place,50.70,3.17,\n", ""))
    replaced = run(app, import_gtfs, tmp_path / "stops.txt", "ilevia", replace=True)
    assert (replaced.unchanged, replaced.removed) == (1, 1)
    assert count(app, TransitStop) == 1


@pytest.mark.parametrize(
    ("text", "line", "field"),
    [
        ("stop_id,stop_name,stop_lat\nA,Gare,50\n", 1, "stop_lon"),
        (STOPS.replace("50.70", "north"), 3, "stop_lat"),
        (STOPS.replace("3.17", "250"), 3, "stop_lon"),
        (STOPS.replace("B,Place", "A,Place"), 3, "stop_id"),
        (STOPS.replace("B,Place", "B,"), 3, "stop_name"),
    ],
)
def test_a_bad_stops_file_names_line_and_field_and_imports_nothing(
    app, tmp_path, text, line, field
):
    run(app, import_gtfs, _write(tmp_path, "stops.txt", STOPS), "f")
    with pytest.raises(ImportProblem) as raised:
        run(app, import_gtfs, _write(tmp_path, "stops.txt", text), "f", replace=True)
    assert f"stops.txt, line {line}, field {field!r}" in str(raised.value)
    assert "nothing was imported" in str(raised.value)
    assert count(app, TransitStop) == 2  # the previous import is intact


def _write(folder, name, text):
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


CALENDAR = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:one@test
DTSTART;TZID=Europe/Paris:20260601T180000
DTEND;TZID=Europe/Paris:20260601T200000
SUMMARY:Vernissage
GEO:50.69229;3.16782
END:VEVENT
BEGIN:VEVENT
UID:weekly@test
DTSTART;VALUE=DATE:20260101
RRULE:FREQ=WEEKLY;COUNT=3000
SUMMARY:Marché
END:VEVENT
END:VCALENDAR
"""


def test_icalendar_events_with_positions_and_recurrences(app, tmp_path):
    territory(app)
    path = _write(tmp_path, "agenda.ics", CALENDAR)
    with pytest.raises(ImportProblem) as raised:
        run(app, import_ical, path, "roubaix", now=NOW, all_or_nothing=True)
    assert "agenda.ics, line 11, field 'GEO'" in str(raised.value)  # the second VEVENT
    assert count(app, Event) == 0
    alone = run(app, import_ical, path, "roubaix", now=NOW)  # the other event goes in
    assert (alone.new, [str(s) for s in alone.skipped]) == (
        1,
        [
            "line 11, GEO: the event 'Marché' (UID weekly@test) has no GEO: add GEO to it, or "
            "give a position for the file's events with --latitude and --longitude"
        ],
    )
    report = run(app, import_ical, path, "roubaix", (50.62, 3.05), now=NOW)
    stored = count(app, Event)
    assert (report.stored, report.new) == (stored, stored - 1) and 50 <= stored <= 54
    again = run(app, import_ical, path, "roubaix", (50.62, 3.05), now=NOW)
    assert again.unchanged == stored and count(app, Event) == stored  # by UID, not duplicated
    with database(app).sessions() as session:
        event = session.scalars(select(Event).where(Event.uid == "one@test")).one()
    assert event.starts_at.isoformat() == "2026-06-01T16:00:00+00:00"
    assert (event.latitude, event.title) == (50.69229, "Vernissage")


def test_icalendar_errors(app, tmp_path):
    territory(app)
    with pytest.raises(ImportProblem, match="no territory 'nowhere'"):
        run(app, import_ical, _write(tmp_path, "a.ics", CALENDAR), "nowhere")
    broken = CALENDAR.replace("SUMMARY:Vernissage\n", "")
    with pytest.raises(ImportProblem, match="line 4, field 'SUMMARY'"):
        path = _write(tmp_path, "b.ics", broken)
        run(app, import_ical, path, "roubaix", (50.6, 3.0), now=NOW, all_or_nothing=True)
    with pytest.raises(ImportProblem, match="not an iCalendar file"):
        run(app, import_ical, _write(tmp_path, "c.ics", "hello"), "roubaix")


CONTENT = """
territories:
  - {slug: roubaix, name: Roubaix, latitude: 50.69, longitude: 3.17}
shops:
  - slug: comptoir
    territory: roubaix
    name: Le Comptoir
    category: cafe
    latitude: 50.692
    longitude: 3.168
    opening_hours: "Tu-Su 09:00-18:30"
    description: {fr: Café, en: Coffee}
places:
  - {slug: la-piscine, territory: roubaix, name: La Piscine, kind: museum,
     latitude: 50.69229, longitude: 3.16782}
offers:
  - {slug: billet, shop: comptoir, kind: cross, trigger_place: la-piscine, title: "-10 %",
     valid_from: 2026-01-01, valid_until: 2026-12-31}
walks:
  - slug: tour
    territory: roubaix
    name: Tour
    stops:
      - {name: A, latitude: 50.69, longitude: 3.16}
      - {name: B, latitude: 50.70, longitude: 3.17}
"""


def test_a_content_file_imports_and_reimports_in_place(app, tmp_path):
    path = _write(tmp_path, "content.yaml", CONTENT)
    report = run(app, import_content, path)
    assert report.created == {"territories": 1, "shops": 1, "places": 1, "offers": 1, "walks": 1}
    again = run(
        app,
        import_content,
        _write(tmp_path, "content.yaml", CONTENT.replace("- {name: B", "- {name: C")),
    )
    assert again.updated["walks"] == 1 and not again.created
    with database(app).sessions() as session:
        walk = session.scalars(select(Walk)).one()
        assert [stop.name for stop in walk.stops] == ["A", "C"]
        offer = session.scalars(select(Offer)).one()
        assert offer.trigger_place.slug == "la-piscine" and offer.title == {"fr": "-10 %"}
        assert session.scalars(select(Shop)).one().description == {"fr": "Café", "en": "Coffee"}


@pytest.mark.parametrize(
    ("change", "line", "field", "reason"),
    [
        (("Tu-Su 09:00-18:30", "Tu-Xx 9h"), 5, "opening_hours", "opening_hours syntax"),
        (("latitude: 50.692", "latitude: 150"), 5, "latitude", "between -90 and 90"),
        (("category: cafe", "categorie: cafe"), 5, "categorie", "unknown field"),
        (
            ("trigger_place: la-piscine", "trigger_place: elsewhere"),
            17,
            "trigger_place",
            "no place",
        ),
        (("kind: cross, trigger_place: la-piscine, ", "kind: cross, "), 17, "kind", "partner_shop"),
        (("valid_until: 2026-12-31", "valid_until: 2025-12-31"), 17, "valid_until", "before"),
        (("slug: tour", "slug: Tour!"), 20, "slug", "slug like"),
    ],
)
def test_a_bad_content_file_says_where_and_imports_nothing(
    app, tmp_path, change, line, field, reason
):
    path = _write(tmp_path, "content.yaml", CONTENT.replace(*change))
    with pytest.raises(ImportProblem) as raised:
        run(app, import_content, path)
    message = str(raised.value)
    assert f"content.yaml, line {line}, field {field!r}" in message and reason in message
    assert count(app, Shop) == 0  # the shops before the bad record were rolled back too


def test_a_file_that_is_not_yaml(app, tmp_path):
    with pytest.raises(ImportProblem, match=r"bad.yaml, line 3: expected the node content"):
        run(app, import_content, _write(tmp_path, "bad.yaml", "shops:\n  - {slug: [\n"))
