"""A change under review or in the audit log reads field by field: each language of a text on
its own line with the words taken out and put in marked, hours as a week, dates and yes/no in
the reader's words; never a Python repr."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from server.portal import changes


@pytest.fixture
def english(app):  # type: ignore[no-untyped-def]
    with app.test_request_context(headers={"Accept-Language": "en-GB"}):
        yield


@pytest.fixture
def french(app):  # type: ignore[no-untyped-def]
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        yield


def _soup(markup: str) -> BeautifulSoup:
    return BeautifulSoup(str(markup), "html.parser")


@pytest.mark.parametrize("database_kind", ["sqlite"])
def test_a_translated_text_changes_language_by_language_with_the_words_marked(english):
    before = {"description": {"fr": "Café et thé au bord du canal", "en": "Coffee"}}
    after = {
        "description": {"fr": "Café et chocolat au bord du canal", "en": "Coffee", "nl": "Koffie"}
    }
    lines = changes.lines(before, after)
    assert [line.label for line in lines] == ["Description (French)", "Description (Dutch)"]
    french_line = lines[0]
    assert [d.get_text() for d in _soup(french_line.before).find_all("del")] == ["thé"]
    assert [i.get_text() for i in _soup(french_line.after).find_all("ins")] == ["chocolat"]
    assert _soup(french_line.after).get_text() == "Café et chocolat au bord du canal"
    assert _soup(french_line.after).span["lang"] == "fr"
    assert _soup(lines[1].before).get_text() == "—"  # nothing in Dutch before


@pytest.mark.parametrize("database_kind", ["sqlite"])
def test_values_read_as_words_never_as_a_repr(english):
    lines = changes.pairs(
        {
            "shops": [[1, 2], [2]],
            "review_changes": [False, True],
            "valid_until": ["2026-12-31", "2027-01-15"],
            "hours": [None, "Sa 10:00-12:00"],
            "quota": [None, 1200],
        }
    )
    shown = {line.label: (str(line.before), str(line.after)) for line in lines}
    assert shown["Review changes"] == ("no", "yes")
    assert shown["Last day"] == ("31 Dec 2026", "15 Jan 2027")
    assert shown["Codes at most"][1] == "1,200"
    assert (
        _soup(shown["When it applies"][1]).find("th", string="Saturday").find_next("td").get_text()
        == "10:00\u201312:00"
    )
    assert all("{'" not in side and "['" not in side for pair in shown.values() for side in pair)


@pytest.mark.parametrize("database_kind", ["sqlite"])
def test_an_expression_the_week_cannot_hold_is_shown_as_written_and_french_reads_french(french):
    [line] = changes.lines({"opening_hours": None}, {"opening_hours": "Mo-Fr 10:00-18:00; PH off"})
    assert line.label == "Horaires d\u2019ouverture" and "PH off" in str(line.after)
    [line] = changes.lines({"active": True}, {"active": False})
    assert (str(line.before), str(line.after)) == ("oui", "non")
