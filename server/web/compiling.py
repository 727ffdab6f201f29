"""Compile less when an app is made: URL builders on first use, rules and templates once per
process.

Making the app compiled a Python function for each of its ~180 routes' two URL builders
(Werkzeug does it when a rule is added), parsed each route's rule into its regular expressions,
and, at each template's first rendering, compiled the template: about 50 ms; 2 ms of parsing,
whose thousands of small objects cost the garbage collector some 12 ms more; and 10 to 40 ms a
template, paid again by every app a process makes. A worker makes one; the tests make thousands.
Routes now compile their builders when a URL is first built for them, a rule is parsed once per
process (Werkzeug refuses a variable named twice in one rule, so what a parse adds to the rule is
known), and compiled templates are kept for the process, shared by its apps.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask
from jinja2 import Environment
from jinja2.bccache import Bucket, BytecodeCache
from werkzeug.routing import BaseConverter, Rule
from werkzeug.routing.rules import RulePart

# What parsing a rule gave, by the rule and the converters it could name: its parts (immutable),
# the trace it appended and the converters it made, by variable.
_Parsed = tuple[list[RulePart], list[tuple[bool, str]], dict[str, BaseConverter]]
PARSED_RULES: dict[tuple[str, tuple[tuple[str, type[BaseConverter]], ...]], _Parsed] = {}


class LazilyBuiltRule(Rule):
    """A route parsed once per process, whose URL builder is compiled when a URL is first built
    for it."""

    def _parse_rule(self, rule: str) -> Iterable[RulePart]:
        # A rule's parse depends only on its text and the map's converters; what it leaves on the
        # rule (trace, converters, arguments) is replayed, each converter copied onto this map.
        key = (rule, tuple(self.map.converters.items()))
        kept = PARSED_RULES.get(key)
        if kept is None:
            start, before = len(self._trace), set(self._converters)
            parts = list(super()._parse_rule(rule))
            made = {name: c for name, c in self._converters.items() if name not in before}
            PARSED_RULES[key] = kept = (parts, self._trace[start:], made)
            return parts
        parts, trace, converters = kept
        self._trace.extend(trace)
        for name, converter in converters.items():
            self._converters[name] = mine = copy.copy(converter)
            mine.map = self.map  # each map's converters its own, as when Werkzeug parses
            self.arguments.add(name)
        return parts

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        compiled: Callable[..., tuple[str, str]] | None = None

        # Werkzeug binds what this returns as a method: `rule` is the rule itself.
        def build(rule: Rule, /, **values: Any) -> tuple[str, str]:
            nonlocal compiled
            if compiled is None:
                compiled = Rule._compile_builder(rule, append_unknown)
            return compiled(rule, **values)

        return build


class ProcessTemplateCache(BytecodeCache):
    """Compiled templates kept for the life of the process and shared by the apps it makes.

    The key names the environment's options that change the compiled code, so two apps set up
    differently never share; the checksum of the source keeps an edited template from being
    served from an old compilation (Jinja checks it)."""

    def __init__(self) -> None:
        self._kept: dict[str, tuple[str, Any]] = {}
        self._lock = threading.Lock()

    def get_bucket(
        self, environment: Environment, name: str, filename: str | None, source: str
    ) -> Bucket:
        """The bucket of this template as compiled by environments set up as this one is."""
        options = (
            environment.trim_blocks,
            environment.lstrip_blocks,
            environment.keep_trailing_newline,
            environment.optimized,
            environment.is_async,
            sorted(environment.extensions),
            getattr(environment, "newstyle_gettext", None),
            environment.autoescape(name) if callable(environment.autoescape) else None,
            environment.autoescape if not callable(environment.autoescape) else None,
        )
        key = self.get_cache_key(f"{options!r}\0{name}", filename)
        bucket = Bucket(environment, key, self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket: Bucket) -> None:
        """Give the bucket the kept code, if the template's source is unchanged."""
        kept = self._kept.get(bucket.key)
        if kept is not None and kept[0] == bucket.checksum:
            bucket.code = kept[1]

    def dump_bytecode(self, bucket: Bucket) -> None:
        """Keep a newly compiled template's code (code objects are immutable: shared safely)."""
        with self._lock:
            self._kept[bucket.key] = (bucket.checksum, bucket.code)


TEMPLATES = ProcessTemplateCache()


def init_app(app: Flask) -> None:
    """Make `app` compile its URL builders lazily and share compiled templates.

    Call it before any route is added and before the templates' environment is first used."""
    app.url_rule_class = LazilyBuiltRule
    # (Flask documents both as attributes to set; its type hints make them class-level.)
    app.jinja_options = {**app.jinja_options, "bytecode_cache": TEMPLATES}
