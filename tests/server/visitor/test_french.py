"""French as a reader expects it: "du Comptoir", not "de Le Comptoir"; web addresses that
break between their parts, not inside a word."""

from __future__ import annotations

import pytest

from server.i18n import elided, gettext
from server.visitor.formats import breakable
from tests.support.html import page


@pytest.mark.parametrize(
    ("said", "name", "read"),
    [
        ("Photo de %(x)s", "Le Comptoir de la Piscine", "Photo du Comptoir de la Piscine"),
        (
            "Pour les clients de %(x)s.",
            "Atelier Textile",
            "Pour les clients d\u2019Atelier Textile.",
        ),
        ("Retour à %(x)s", "Les Halles", "Retour aux Halles"),
        ("Il était posé à %(x)s.", "Le Comptoir", "Il était posé au Comptoir."),
        ("Offres de %(x)s", "Les Halles", "Offres des Halles"),
        ("autour de %(x)s", "La Piscine", "autour de La Piscine"),
        ("Offres de %(x)s", "L'Atelier", "Offres de L'Atelier"),
        ("Offres de %(x)s", "Hem", "Offres de Hem"),  # h: left as it is
        ("Photo de %(x)s", "Lecomte", "Photo de Lecomte"),  # "Le" only as a word
    ],
)
def test_french_prepositions_agree_with_the_name(app, said, name, read):
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert elided(said % {"x": name}, {"x": name}) == read
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert elided(said % {"x": name}, {"x": name}) == said % {"x": name}


def test_pages_read_du_and_d_apostrophe(visitor):
    soup = page(visitor.get("/shop/comptoir-de-la-piscine", headers={"Accept-Language": "fr"}))
    assert soup.select_one("img.cover")["alt"] == "Photo du Comptoir de la Piscine"
    with visitor.application.test_request_context(headers={"Accept-Language": "fr"}):
        said = gettext("For customers of %(shop)s.", shop="Atelier Textile Roubaisien")
    assert said == "Pour les clients d\u2019Atelier Textile Roubaisien."


def test_web_addresses_break_between_their_parts():
    shown = breakable("Réservez sur https://www.comptoir-piscine.fr/reserver?jour=samedi&h=15.")
    assert '<span class="url">https://<wbr>www<wbr>.comptoir<wbr>-piscine<wbr>.fr/<wbr>' in shown
    assert "samedi&amp;<wbr>h=<wbr>15</span>." in shown  # the full stop ends the sentence
    assert breakable("<b>no address</b>") == "&lt;b&gt;no address&lt;/b&gt;"
