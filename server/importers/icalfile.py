"""Reading an iCalendar file: its text, the parsed calendar, and where each event's lines are.

Whatever makes the whole file unreadable is refused in one sentence that names the file (and the
line when there is one). A broken property inside an event does not stop the reading: icalendar
keeps it aside in the event's `errors`, and the importer leaves that event out.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import icalendar
import x_wr_timezone

from server.errors import ImportProblem

PHYSICAL_LINE = re.compile(r"\r?\n")  # how icalendar splits lines, once folds are joined
NAME = re.compile(r"[A-Za-z0-9-]+")
CONTENT_LINE = re.compile(r"[A-Za-z0-9-]+[;:]")
# What no text of TapTrail holds (PostgreSQL refuses a NUL in text): the rule of
# server.web.controls.IN_TEXT, which the importers may not import.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

Lines = dict[str, int]  # a property's name -> the line it (first) starts on; "BEGIN" too


@dataclass
class CalendarFile:
    """A parsed calendar (in standard time zones), its events, and the lines of their properties."""

    calendar: icalendar.Calendar
    events: list[tuple[icalendar.Event, Lines]]
    name: str | None  # X-WR-CALNAME, what the calendar calls itself


def read(path: Path) -> CalendarFile:
    """Read and parse `path`, or refuse it in one sentence."""
    name = str(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ImportProblem(name, None, None, f"cannot read it ({error.strerror})") from None
    return parse(data, name)


def parse(data: bytes, name: str) -> CalendarFile:
    """Parse a calendar's bytes (an upload, a file), or refuse them in one sentence naming
    `name`."""
    try:
        text = data.decode("utf-8-sig")  # a byte order mark is allowed and ignored
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ImportProblem(
            name, line, None, "it is not UTF-8 text; save it as UTF-8 and import it again"
        ) from None
    control = CONTROL.search(text)
    if control is not None:
        line = text.count("\n", 0, control.start()) + 1
        raise ImportProblem(
            name,
            line,
            None,
            f"it holds a control character (U+{ord(control.group()):04X}); "
            "remove it and import the file again",
        )
    calendar = _parse(text, name)
    # Not calendar.events: the file's outer component need not be a VCALENDAR. Every VEVENT
    # is parsed as an Event; the isinstance tells the type checker so.
    found = [event for event in calendar.walk("VEVENT") if isinstance(event, icalendar.Event)]
    lines = _property_lines(text)
    if len(lines) != len(found):  # a file too odd to match: events are named without lines
        lines = [{} for _ in found]
    label = str(calendar.get("X-WR-CALNAME", "")).strip()
    return CalendarFile(calendar, list(zip(found, lines, strict=True)), label[:200] or None)


def _parse(text: str, name: str) -> icalendar.Calendar:
    try:
        with warnings.catch_warnings():
            # icalendar warns when it reads a zone like Evolution's
            # "/freeassociation.sourceforge.net/Europe/Paris" as Europe/Paris: that is right.
            warnings.simplefilter("ignore")
            calendar = icalendar.Calendar.from_ical(text)
        # Google writes times in UTC and the calendar's zone in X-WR-TIMEZONE: move them to
        # that zone, so that weekly rules keep their local hour across clock changes.
        return x_wr_timezone.to_standard(calendar)
    except Exception as error:  # any file may come in: none may end in a traceback
        raise ImportProblem(name, *_unreadable(text, error)) from None


def _unreadable(text: str, error: Exception) -> tuple[int | None, None, str]:
    """The line and the sentence for a file icalendar could not parse."""
    lines = PHYSICAL_LINE.split(text)
    first = next((line.strip() for line in lines if line.strip()), "")
    if first.upper() != "BEGIN:VCALENDAR":
        return 1, None, "not an iCalendar file: it must begin with BEGIN:VCALENDAR"
    for number, line in enumerate(lines, start=1):
        if line.strip() and line[0] not in " \t" and not CONTENT_LINE.match(line):
            return number, None, "not an iCalendar line (NAME:value), so the file cannot be read"
    message = str(error)
    if message.startswith("Found no components"):
        return (
            None,
            None,
            "the calendar is cut short: a BEGIN has no END, or END:VCALENDAR is missing",
        )
    if message.startswith("Found multiple components"):
        return None, None, "it holds several calendars; split it and import each on its own"
    return None, None, f"not an iCalendar file ({one_line(message)})"


def _property_lines(text: str) -> list[Lines]:
    """For each VEVENT in file order, the line of each of its own properties (not its alarms')."""
    events: list[Lines] = []
    current: Lines | None = None
    depth = 0  # components open inside the current VEVENT (VALARM)
    for number, line in enumerate(PHYSICAL_LINE.split(text), start=1):
        if not line or line[0] in " \t":  # blank, or the continuation of a folded line
            continue
        matched = NAME.match(line)
        name = matched.group().upper() if matched else ""
        value = line.partition(":")[2].strip().upper()
        if name == "BEGIN" and current is None:
            if value == "VEVENT":
                current, depth = {"BEGIN": number}, 0
        elif name == "BEGIN":
            depth += 1
        elif name == "END" and current is not None:
            if depth:
                depth -= 1
            else:
                events.append(current)
                current = None
        elif current is not None and not depth and name:
            current.setdefault(name, number)
    return events


def one_line(message: str, limit: int = 120) -> str:
    """A library's message fit for one sentence: one line, at most `limit` characters."""
    flat = " ".join(message.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "\u2026"
