"""Routes that compile their URL builders on first use, and templates compiled once a process."""

from __future__ import annotations

import pytest
from jinja2 import DictLoader, Environment
from werkzeug.routing import Map, Rule, UnicodeConverter

from server.web.compiling import PARSED_RULES, LazilyBuiltRule, ProcessTemplateCache


@pytest.mark.parametrize(
    ("values", "append_unknown"),
    [
        ({"slug": "la-piscine", "rule": "x", "q": "é & ?"}, True),
        ({"slug": "Ça va/ici"}, False),
        ({"slug": "musée", "page": 3}, True),
    ],
)
def test_a_lazily_built_route_builds_what_werkzeug_builds(values, append_unknown):
    plain = Map([Rule("/<lang>/place/<path:slug>", endpoint="place", defaults={"lang": "fr"})])
    lazy = Map(
        [LazilyBuiltRule("/<lang>/place/<path:slug>", endpoint="place", defaults={"lang": "fr"})]
    )
    built = [
        m.bind("t.example.org").build("place", values, append_unknown=append_unknown)
        for m in (plain, lazy)
    ]
    assert built[0] == built[1]
    assert built[1].startswith("/fr/place/")


def test_the_app_builds_every_url_it_did(app):
    with app.test_request_context():
        from flask import url_for

        assert url_for("privacy.privacy", lang="nl", x="1 2") == "/nl/privacy?x=1+2"
        assert url_for("privacy.privacy_unprefixed") == "/privacy"
    routes = [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]
    assert len(routes) > 100
    assert all(isinstance(rule, LazilyBuiltRule) for rule in routes)


def parsed(rule: Rule) -> tuple:
    """What parsing left on `rule`: its parts, trace, arguments and converters (but their map)."""
    converters = {
        name: (type(c), {k: v for k, v in vars(c).items() if k != "map"})
        for name, c in rule._converters.items()
    }
    return rule._parts, rule._trace, rule.arguments, converters


def test_a_rule_parsed_again_in_the_process_is_what_werkzeug_parses(app):
    routes = list(app.url_map.iter_rules())
    kept = len(PARSED_RULES)
    again = Map([rule.empty() for rule in routes], converters=app.url_map.converters)
    assert len(PARSED_RULES) == kept  # every rule of the second map came from what was kept
    plain = Map(
        [Rule(rule.rule, **rule.get_empty_kwargs()) for rule in routes],
        converters=app.url_map.converters,
    )
    for mine, werkzeugs in zip(again.iter_rules(), plain.iter_rules(), strict=True):
        assert parsed(mine) == parsed(werkzeugs), mine.rule
        assert all(c.map is again for c in mine._converters.values())
    adapter = again.bind("t.example.org")
    assert adapter.match("/nl/event/12") == ("details.event", {"lang": "nl", "event_id": 12})
    assert adapter.build("details.poi", {"lang": "en", "slug": "été"}) == "/en/poi/%C3%A9t%C3%A9"


def test_a_rule_is_parsed_anew_for_a_map_with_other_converters():
    text = "/tickets/<int:number>"
    Map([LazilyBuiltRule(text, endpoint="ticket")])
    other = Map([LazilyBuiltRule(text, endpoint="ticket")], converters={"int": UnicodeConverter})
    assert other.bind("").match("/tickets/x7") == ("ticket", {"number": "x7"})


def environment(cache: ProcessTemplateCache, sources: dict[str, str], **options) -> Environment:
    """A Jinja environment loading `sources` with `cache`."""
    return Environment(loader=DictLoader(sources), bytecode_cache=cache, **options)


def test_templates_are_compiled_once_for_environments_set_up_alike():
    cache = ProcessTemplateCache()
    first = environment(cache, {"t.html": "{{ 1 + 1 }}"})
    assert first.get_template("t.html").render() == "2"
    kept = dict(cache._kept)
    second = environment(cache, {"t.html": "{{ 1 + 1 }}"})
    assert second.get_template("t.html").render() == "2"
    assert cache._kept == kept  # nothing compiled again


def test_environments_set_up_differently_never_share_a_compilation():
    cache = ProcessTemplateCache()
    source = {"t.html": "{% if true %}\n  yes\n{% endif %}"}
    trimmed = environment(cache, source, trim_blocks=True, lstrip_blocks=True)
    plain = environment(cache, source)
    assert trimmed.get_template("t.html").render() == "  yes\n"
    assert plain.get_template("t.html").render() == "\n  yes\n"


def test_an_edited_template_is_compiled_again():
    cache = ProcessTemplateCache()
    assert environment(cache, {"t.html": "old"}).get_template("t.html").render() == "old"
    assert environment(cache, {"t.html": "new"}).get_template("t.html").render() == "new"
