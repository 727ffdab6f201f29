"""A week of opening hours as people fill it in, and as OpenStreetMap's opening_hours writes it.

The weekly editor covers what most shops need: for each day, closed or one or two periods
("Tu-Sa 10:00-12:30,14:00-19:00; Su 09:00-12:00"). Expressions it cannot show (public holidays,
months, week numbers...) are left to the raw field, for experts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from server.errors import N_, Problem, Problems
from server.services import hours

DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
DAY_NAMES = {
    "Mo": N_("Monday"),
    "Tu": N_("Tuesday"),
    "We": N_("Wednesday"),
    "Th": N_("Thursday"),
    "Fr": N_("Friday"),
    "Sa": N_("Saturday"),
    "Su": N_("Sunday"),
}
PERIODS = 2  # the editor offers two periods a day (morning, afternoon)
Span = tuple[str, str]  # ("10:00", "19:00"); a close before the open runs past midnight
Week = dict[str, list[Span]]

_TIME = re.compile(r"(?:[01]\d|2[0-3]):[0-5]\d")
_SPAN = r"(?:[01]\d|2[0-4]):[0-5]\d-(?:[01]\d|2[0-4]):[0-5]\d"
_DAYS = r"(?:Mo|Tu|We|Th|Fr|Sa|Su)(?:-(?:Mo|Tu|We|Th|Fr|Sa|Su))?"
_RULE = re.compile(rf"({_DAYS}(?:,{_DAYS})*) (off|closed|{_SPAN}(?:,{_SPAN})*)")


def empty() -> Week:
    """A week closed every day."""
    return {day: [] for day in DAYS}


def to_expression(week: Mapping[str, list[Span]]) -> str | None:
    """The opening_hours expression of a week (days with the same hours grouped); None if the
    week has no hours at all."""
    groups: dict[tuple[Span, ...], list[int]] = {}
    for index, day in enumerate(DAYS):
        spans = tuple(week.get(day) or ())
        if spans:
            groups.setdefault(spans, []).append(index)
    rules = sorted((indices, spans) for spans, indices in groups.items())
    parts = [
        f"{_day_list(indices)} {','.join(f'{a}-{b}' for a, b in spans)}" for indices, spans in rules
    ]
    return "; ".join(parts) or None


def _day_list(indices: list[int]) -> str:
    """[0, 1, 2, 4] -> "Mo-We,Fr"."""
    runs: list[list[int]] = []
    for index in indices:
        if runs and index == runs[-1][-1] + 1:
            runs[-1].append(index)
        else:
            runs.append([index])
    return ",".join(
        DAYS[run[0]] if len(run) == 1 else f"{DAYS[run[0]]}-{DAYS[run[-1]]}" for run in runs
    )


def from_expression(expression: str | None) -> Week | None:
    """The week an expression describes if the editor can show it exactly, else None."""
    week = empty()
    if not expression or not expression.strip():
        return week
    for rule in (part.strip() for part in expression.split(";")):
        match = _RULE.fullmatch(rule)
        if match is None:
            return None
        spans: list[Span] = []
        if match.group(2) not in ("off", "closed"):
            spans = [(span[:5], span[6:]) for span in match.group(2).split(",")]
        if len(spans) > PERIODS:
            return None
        for day in _expand(match.group(1)):
            week[day] = list(spans)  # a later rule replaces an earlier one, as in OSM
    return week


def _expand(days: str) -> list[str]:
    found: list[str] = []
    for part in days.split(","):
        first, _, last = part.partition("-")
        start, end = DAYS.index(first), DAYS.index(last or first)
        found += [DAYS[i % 7] for i in range(start, end + 1 if end >= start else end + 8)]
    return found


def from_form(form: Mapping[str, str]) -> Week:
    """The week filled in the editor (fields Mo_open1, Mo_close1, ...), or Problems per day."""
    week, problems = empty(), []
    for day in DAYS:
        for period in range(1, PERIODS + 1):
            opens = form.get(f"{day}_open{period}", "").strip()
            closes = form.get(f"{day}_close{period}", "").strip()
            if not opens and not closes:
                continue
            if not (_TIME.fullmatch(opens) and _TIME.fullmatch(closes)):
                problems.append(
                    Problem(
                        N_("%(day)s: give both the opening and the closing time, like 09:30."),
                        field=day,
                        day=DAY_NAMES[day],
                    )
                )
                break
            if opens == closes:
                problems.append(
                    Problem(
                        N_("%(day)s: the closing time must differ from the opening time."),
                        field=day,
                        day=DAY_NAMES[day],
                    )
                )
                break
            week[day].append((opens, closes))
    if problems:
        raise Problems(problems)
    return week


def check_expression(expression: str, field: str = "expression") -> str:
    """A raw opening_hours expression, checked by the opening_hours parser."""
    cleaned = " ".join(expression.split())
    if len(cleaned) > 500:
        raise Problem(N_("Keep the expression under 500 characters."), field=field)
    problem = hours.problem(cleaned)
    if problem:
        raise Problem(
            N_("This is not valid opening_hours syntax: %(detail)s. Example: Tu-Sa 10:00-19:00"),
            field=field,
            detail=problem.removeprefix("not valid opening_hours syntax ").strip("()"),
        )
    return cleaned
