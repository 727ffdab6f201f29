"""A change as a person reads it: field by field, each language of a translated text on its own
line with the words taken out and put in marked, opening hours as a week, dates and numbers in
the reader's locale. The review queue and the audit log both show changes this way; neither ever
shows a Python repr."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from server.i18n import LANGUAGES, gettext
from server.portal import words
from server.services import hours_editing
from server.web import formats

HOURS_FIELDS = frozenset({"opening_hours", "hours"})
DATE_FIELDS = frozenset(
    {
        "valid_from",
        "valid_until",
        "partner_agreed_at",
        "partner_refused_at",
        "first_day",
        "until",
        "exceptions",
    }
)
_TOKENS = re.compile(r"\s+|[^\s]+")
EMPTY = Markup('<span class="empty">—</span>')


@dataclass(frozen=True)
class Line:
    """One line of a change: what the field says before and after, ready to show."""

    label: str
    before: Markup
    after: Markup


def lines(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Line]:
    """The lines of a change from `before` to `after`, for every field whose value differs."""
    found: list[Line] = []
    for name, new in after.items():
        old = before.get(name)
        if old == new:
            continue
        label = words.field(name)
        if _translated(old) and _translated(new):
            found += _language_lines(label, old or {}, new or {})
        elif name in HOURS_FIELDS:
            found.append(Line(label, week(old), week(new)))
        elif (
            isinstance(old, str | None) and isinstance(new, str | None) and name not in DATE_FIELDS
        ):
            removed, added = word_diff(old or "", new or "")
            found.append(Line(label, removed if old else EMPTY, added if new else EMPTY))
        else:
            found.append(Line(label, value(name, old), value(name, new)))
    return found


def pairs(changes: Mapping[str, Any]) -> list[Line]:
    """The lines of an audit entry's {field: [before, after]} (a lone value: after only)."""
    before, after = {}, {}
    for name, pair in changes.items():
        if isinstance(pair, list | tuple) and len(pair) == 2:
            before[name], after[name] = pair
        else:
            after[name] = pair
    return lines(before, after)


def _translated(values: Any) -> bool:
    """A text kept per language: {"fr": ..., "en": ...} (or nothing yet)."""
    return values is None or (
        isinstance(values, Mapping) and all(isinstance(v, str | None) for v in values.values())
    )


def _language_lines(label: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Line]:
    ordered = [*LANGUAGES, *sorted((set(old) | set(new)) - set(LANGUAGES))]
    found = []
    for lang in ordered:
        was, now = old.get(lang) or "", new.get(lang) or ""
        if was == now:
            continue
        removed, added = word_diff(was, now)
        name = f"{label} ({words.language_name(lang)})"
        found.append(
            Line(name, _lang(removed, lang) if was else EMPTY, _lang(added, lang) if now else EMPTY)
        )
    return found


def _lang(text: Markup, lang: str) -> Markup:
    return Markup('<span lang="{}">{}</span>').format(lang, text)


def word_diff(old: str, new: str) -> tuple[Markup, Markup]:
    """Both texts, the words taken out marked <del> in the first, those put in <ins> in the
    second (difflib on words and the spaces between them)."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    removed, added = Markup(), Markup()
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        left, right = "".join(a[i1:i2]), "".join(b[j1:j2])
        if op == "equal":
            removed += escape(left)
            added += escape(right)
            continue
        if left:
            removed += Markup("<del>{}</del>").format(left)
        if right:
            added += Markup("<ins>{}</ins>").format(right)
    return removed, added


def week(expression: str | None) -> Markup:
    """Opening hours as a week table; an expression the table cannot hold, as written."""
    if not expression:
        return EMPTY
    parsed = hours_editing.from_expression(expression)
    if parsed is None:
        return Markup('<code class="hours">{}</code>').format(expression)
    rows = Markup()
    for day in hours_editing.DAYS:
        spans = parsed.get(day) or []
        said = ", ".join(f"{opens}\u2013{closes}" for opens, closes in spans) or gettext("closed")
        rows += Markup('<tr><th scope="row">{}</th><td>{}</td></tr>').format(
            gettext(hours_editing.DAY_NAMES[day]), said
        )
    return Markup('<table class="week"><tbody>{}</tbody></table>').format(rows)


def value(name: str, item: Any) -> Markup:
    """One stored value as a person reads it: yes or no, a date, a number, a list."""
    if item is None or item == "" or item == [] or item == {}:
        return EMPTY
    if isinstance(item, bool):
        return escape(gettext("yes") if item else gettext("no"))
    if isinstance(item, int | float):
        return escape(formats.number(item))
    if isinstance(item, str) and name in DATE_FIELDS:
        return escape(_date(item))
    if isinstance(item, list | tuple):
        return Markup(", ").join(value(name, part) for part in item)
    if isinstance(item, Mapping):
        return Markup("; ").join(
            Markup("{}: {}").format(words.field(key), value(key, part))
            for key, part in item.items()
        )
    return escape(str(item))


def _date(text: str) -> str:
    try:
        if "T" in text:
            return formats.moment(dt.datetime.fromisoformat(text))
        return formats.day(dt.date.fromisoformat(text))
    except ValueError:
        return text
