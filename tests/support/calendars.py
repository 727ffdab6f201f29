"""A large iCalendar file like a busy venue's export: thousands of dated events, weekly series
with exceptions and moved instances, all-day markets and exhibitions; for the import's tests and
its benchmark."""

from __future__ import annotations

import datetime as dt
import random

PARIS_VTIMEZONE = """BEGIN:VTIMEZONE
TZID:Europe/Paris
X-LIC-LOCATION:Europe/Paris
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
"""
HEADER = f"""BEGIN:VCALENDAR
PRODID:-//Google Inc//Google Calendar 70.9054//EN
VERSION:2.0
CALSCALE:GREGORIAN
METHOD:PUBLISH
X-WR-CALNAME:Agenda de la métropole
X-WR-TIMEZONE:Europe/Paris
{PARIS_VTIMEZONE}"""
WORDS = [
    "atelier",
    "concert",
    "visite",
    "exposition",
    "lecture",
    "spectacle",
    "projection",
    "rencontre",
    "conférence",
    "marché",
    "braderie",
    "balade",
    "dégustation",
    "jeu",
    "conte",
    "danse",
    "théâtre",
    "musique",
    "patrimoine",
    "jardin",
]
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
SERIES = 120  # weekly series: about 6,000 occurrences in a year, under the file's cap


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize()


def _event(lines: list[str]) -> str:
    return "BEGIN:VEVENT\r\n" + "".join(f"{line}\r\n" for line in lines) + "END:VEVENT\r\n"


def big_calendar(size: int, around: dt.date, seed: int = 20) -> str:
    """A calendar of at least `size` bytes, its events from six months before `around` to a
    year and a half after it."""
    rng = random.Random(seed)
    parts = [HEADER.replace("\n", "\r\n")]
    written = len(parts[0])
    for n in range(SERIES):
        before = len(parts)
        start = around + dt.timedelta(days=rng.randrange(-60, 60))
        uid = f"series-{n}@agenda.example"
        day = DAYS[start.weekday()]
        if n % 6 == 0:  # an all-day market every week
            lines = [
                f"DTSTART;VALUE=DATE:{start:%Y%m%d}",
                f"DTEND;VALUE=DATE:{start + dt.timedelta(days=1):%Y%m%d}",
                f"RRULE:FREQ=WEEKLY;BYDAY={day}",
            ]
        else:
            hour = rng.choice((9, 10, 14, 15, 18, 20))
            lines = [
                f"DTSTART;TZID=Europe/Paris:{start:%Y%m%d}T{hour:02d}3000",
                f"DTEND;TZID=Europe/Paris:{start:%Y%m%d}T{hour + 1:02d}3000",
                f"RRULE:FREQ=WEEKLY;BYDAY={day}",
                f"EXDATE;TZID=Europe/Paris:{start + dt.timedelta(weeks=3):%Y%m%d}T{hour:02d}3000",
            ]
        title = f"{_text(rng, 3)} {n}"
        parts.append(_event([*lines, f"UID:{uid}", f"SUMMARY:{title}", "STATUS:CONFIRMED"]))
        if n % 6:  # the fifth week happens an hour later, elsewhere
            slot = start + dt.timedelta(weeks=5)
            parts.append(
                _event(
                    [
                        f"DTSTART;TZID=Europe/Paris:{slot:%Y%m%d}T{hour + 1:02d}3000",
                        f"DTEND;TZID=Europe/Paris:{slot:%Y%m%d}T{hour + 2:02d}3000",
                        f"RECURRENCE-ID;TZID=Europe/Paris:{slot:%Y%m%d}T{hour:02d}3000",
                        f"UID:{uid}",
                        f"SUMMARY:{title} (déplacé)",
                    ]
                )
            )
        written += sum(len(part.encode()) for part in parts[before:])
    n = 0
    while written < size:
        day = around + dt.timedelta(days=rng.randrange(-180, 540))
        if n % 10 == 0:
            lines = [
                f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
                f"DTEND;VALUE=DATE:{day + dt.timedelta(days=rng.randrange(1, 30)):%Y%m%d}",
            ]
        else:
            hour = rng.randrange(9, 21)
            lines = [
                f"DTSTART;TZID=Europe/Paris:{day:%Y%m%d}T{hour:02d}0000",
                f"DTEND;TZID=Europe/Paris:{day:%Y%m%d}T{hour + 2:02d}0000",
            ]
        description = _text(rng, 30)
        parts.append(
            _event(
                [
                    *lines,
                    "DTSTAMP:20260201T101010Z",
                    f"UID:event-{n}@agenda.example",
                    "CREATED:20260115T090000Z",
                    f"DESCRIPTION:{description[:60]}\r\n {description[60:]}",
                    f"LOCATION:Salle {rng.randrange(1, 40)}\\, Roubaix",
                    f"GEO:50.{rng.randrange(6800, 7000)};3.{rng.randrange(1500, 1900)}",
                    "SEQUENCE:0",
                    "STATUS:CONFIRMED",
                    f"SUMMARY:{_text(rng, 4)}",
                    "TRANSP:OPAQUE",
                ]
            )
        )
        written += len(parts[-1].encode())
        n += 1
    return "".join(parts) + "END:VCALENDAR\r\n"
