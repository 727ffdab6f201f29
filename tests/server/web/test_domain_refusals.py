"""A refusal of the domain that no form caught is answered in the shape of its area: JSON for
the API only, the portal's or the site's page elsewhere, in the reader's language."""

from __future__ import annotations

from collections.abc import Callable

from babel.support import Translations
from flask import Flask

from server.errors import N_, NotFound, Problem, TapTrailError
from server.i18n import TRANSLATIONS
from tests.support.html import page, text

PHOTO = N_("Choose a photo to send.")  # a domain refusal written for people, in the catalogue


def gettext(lang: str, message: str) -> str:
    """What the catalogue of `lang` says for `message`."""
    return Translations.load(str(TRANSLATIONS), [lang]).gettext(message)


def refusing(app: Flask, rule: str, error: Callable[[], TapTrailError]) -> None:
    """A page at `rule` whose work the domain refuses, as a view that let the error through."""

    def view(**_args: str) -> str:
        raise error()

    app.add_url_rule(rule, f"refusing:{rule}", view)


def test_a_refusal_under_the_portal_is_its_problem_page_in_the_reader_s_language(app):
    refusing(app, "/portal/refused-here", lambda: Problem(PHOTO, field="photo"))
    response = app.test_client().get("/portal/refused-here", headers={"Accept-Language": "fr"})
    assert response.status_code == 422 and response.content_type.startswith("text/html")
    main = page(response).find("main")
    assert text(main.find("h1")) == gettext("fr", "This cannot be done")
    assert gettext("fr", PHOTO) in text(main)


def test_a_refusal_under_a_visitor_page_is_the_site_s_page_in_the_visitor_s_language(app):
    refusing(app, "/p/<slug>/refused", lambda: Problem(PHOTO, field="photo"))
    refusing(app, "/p/<slug>/gone", lambda: NotFound("there is no such thing"))
    visitor = app.test_client()
    refused = visitor.get("/p/la-piscine/refused", headers={"Accept-Language": "nl"})
    assert refused.status_code == 422 and refused.content_type.startswith("text/html")
    soup = page(refused)
    assert soup.html["lang"] == "nl"
    assert text(soup.find("h1")) == gettext("nl", "This cannot be done")
    assert gettext("nl", PHOTO) in text(soup.find("main"))
    gone = visitor.get("/p/la-piscine/gone", headers={"Accept-Language": "en"})
    assert gone.status_code == 404 and gone.content_type.startswith("text/html")
    assert text(page(gone).find("h1")) == "Page not found"


def test_the_same_refusal_under_the_api_keeps_the_json_shape(app):
    refusing(app, "/api/v1/refused-here", lambda: Problem(PHOTO, field="photo"))
    response = app.test_client().get("/api/v1/refused-here", headers={"Accept-Language": "nl"})
    assert response.status_code == 422
    assert response.json == {
        "error": {"status": 422, "code": "invalid", "message": PHOTO, "field": "photo"}
    }
