"""Distances, durations, dates and times in the visitor's locale (Babel, CLDR data)."""

from __future__ import annotations

import datetime as dt
import functools
import re
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_interval, format_skeleton, format_time
from babel.units import format_unit
from markupsafe import Markup, escape

from server.errors import N_
from server.i18n import gettext, locale
from server.services.geo import walking_minutes

# What happens at an opening-hours change, said for today, tomorrow, or another day.
PHRASES = {
    "closes": (
        N_("closes at %(time)s"),
        N_("closes tomorrow at %(time)s"),
        N_("closes %(day)s at %(time)s"),
    ),
    "opens": (
        N_("opens at %(time)s"),
        N_("opens tomorrow at %(time)s"),
        N_("opens %(day)s at %(time)s"),
    ),
    "until": (
        N_("until %(time)s"),
        N_("until tomorrow at %(time)s"),
        N_("until %(day)s at %(time)s"),
    ),
    "from": (
        N_("from %(time)s"),
        N_("from tomorrow at %(time)s"),
        N_("from %(day)s at %(time)s"),
    ),
    "ends": (
        N_("ends at %(time)s"),
        N_("ends tomorrow at %(time)s"),
        N_("ends %(day)s at %(time)s"),
    ),
    "starts": (
        N_("starts at %(time)s"),
        N_("starts tomorrow at %(time)s"),
        N_("starts %(day)s at %(time)s"),
    ),
}


def distance(metres: float) -> str:
    """ "150 m" (to 10 m) below a kilometre, "1,2 km" above, in the visitor's locale."""
    return _distance(round(metres, -1) if metres < 995 else round(metres / 100) * 100, locale())


@functools.lru_cache(maxsize=8192)
def _distance(metres: float, locale: Locale) -> str:
    if metres < 1000:
        return format_unit(int(metres), "length-meter", length="short", locale=locale)
    return format_unit(
        metres / 1000, "length-kilometer", length="short", format="#,##0.#", locale=locale
    )


def walk(metres: float) -> str:
    """Walking time at 4.8 km/h: "6 min", "1 h 20 min"."""
    return _minutes(walking_minutes(metres), locale())


@functools.lru_cache(maxsize=4096)
def _minutes(count: int, locale: Locale) -> str:
    hours, rest = divmod(count, 60)
    parts = [format_unit(hours, "duration-hour", length="short", locale=locale)] if hours else []
    if rest or not hours:
        parts.append(format_unit(rest, "duration-minute", length="short", locale=locale))
    return " ".join(parts)


def clock(moment: dt.datetime, timezone: str) -> str:
    """The local time of day: "18:00" (or "6:00 PM" where the locale says so)."""
    return format_time(moment, "short", tzinfo=ZoneInfo(timezone), locale=locale())


def time_range(start: dt.datetime, end: dt.datetime, timezone: str) -> str:
    """A span of time as the locale writes it ("15:00-16:30" with an en dash in en_GB)."""
    current = locale()
    skeleton = "hm" if "h" in current.time_formats["short"].pattern else "Hm"
    return format_interval(start, end, skeleton, tzinfo=ZoneInfo(timezone), locale=current)


def moment_range(start: dt.datetime, end: dt.datetime | None, timezone: str) -> str:
    """A dated span ("sam. 29 nov., 15:00 - 16:30"); an end on another day is dated too."""
    begins = day_and_month(start, timezone)
    if end is None:
        return f"{begins}, {clock(start, timezone)}"
    if day_and_month(end, timezone) == begins:
        return f"{begins}, {time_range(start, end, timezone)}"
    ends = f"{day_and_month(end, timezone)}, {clock(end, timezone)}"
    return f"{begins}, {clock(start, timezone)} \u2013 {ends}"


def all_day(first: dt.date, last: dt.date) -> str:
    """ "sam. 6 déc., toute la journée"; over several days, from the first to the last."""
    days = day_and_month(first)
    if last != first:
        days = f"{days} \u2013 {day_and_month(last)}"
    return gettext("%(day)s, all day", day=days)


def day_and_month(moment: dt.datetime | dt.date, timezone: str | None = None) -> str:
    """ "sam. 29 nov." / "Sat 29 Nov" / "za 29 nov"."""
    zone = ZoneInfo(timezone) if timezone and isinstance(moment, dt.datetime) else None
    return format_skeleton("MMMEd", moment, tzinfo=zone, locale=locale())


def full_date(day: dt.date) -> str:
    """ "31 déc. 2027" / "31 Dec 2027"."""
    return format_date(day, "medium", locale=locale())


def weekday(moment: dt.datetime, timezone: str) -> str:
    """The local day of the week in full: "mardi", "Tuesday", "dinsdag"."""
    return weekday_of(moment.astimezone(ZoneInfo(timezone)).date())


def weekday_of(day: dt.date) -> str:
    """The day of the week of a date, in full."""
    return format_date(day, "EEEE", locale=locale())


def change(verb: str, moment: dt.datetime, now: dt.datetime, timezone: str) -> str:
    """ "closes at 18:00", "opens tomorrow at 10:00", "starts Sat 6 Dec at 15:00"."""
    zone = ZoneInfo(timezone)
    today = now.astimezone(zone).date()
    # Many entries change at the same time ("closes at 19:00"): said once per request and locale.
    return _change(verb, moment, today, timezone, locale())


@functools.lru_cache(maxsize=4096)
def _change(verb: str, moment: dt.datetime, today: dt.date, timezone: str, _locale: Locale) -> str:
    on_today, on_tomorrow, on_other = PHRASES[verb]
    days = (moment.astimezone(ZoneInfo(timezone)).date() - today).days
    time = clock(moment, timezone)
    if days <= 0:
        return gettext(on_today, time=time)
    if days == 1:
        return gettext(on_tomorrow, time=time)
    day = weekday(moment, timezone) if days < 7 else day_and_month(moment, timezone)
    return gettext(on_other, time=time, day=day)


# A web address in a text: where a line may break (after a slash, before a dot or a hyphen...),
# so a narrow screen breaks it between its parts rather than in the middle of a word.
WEB_ADDRESS = re.compile(r"(?:https?://|www\.)[^\s<>\"]*[^\s<>\".,;:!?)]")
BREAKS = re.compile(r"(?<=[/?&=#])(?!/)|(?<=\w)(?=[.\-_~]\w)")


def breakable(text: str) -> Markup:
    """`text`, escaped, with line-break opportunities (<wbr>) between the parts of its web
    addresses, which CSS then never breaks inside a word."""
    out = Markup("")
    last = 0
    for found in WEB_ADDRESS.finditer(text):
        parts = BREAKS.split(found.group())
        address = Markup("<wbr>").join(escape(part) for part in parts)
        out += escape(text[last : found.start()]) + Markup('<span class="url">%s</span>') % address
        last = found.end()
    return out + escape(text[last:])
