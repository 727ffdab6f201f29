"""Import transit stops from a GTFS feed's stops.txt (a feed zip, a folder, or the file itself).

Stops of a feed are replaced as a whole: stops gone from the feed disappear, in one transaction.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

from sqlalchemy import delete
from sqlalchemy.orm import Session

from server.errors import ImportProblem
from server.importers import fields as f
from server.models import TransitStop

REQUIRED_COLUMNS = ("stop_id", "stop_name", "stop_lat", "stop_lon")
# location_type 3 (generic node) and 4 (boarding area) need no position and are not shown.
SHOWN_LOCATION_TYPES = {0, 1, 2}


def _read_stops(path: Path) -> tuple[str, str]:
    """The text of stops.txt and the name to report it by."""
    try:
        if path.is_dir():
            path = path / "stops.txt"
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as feed:
                names = [n for n in feed.namelist() if n.rsplit("/", 1)[-1] == "stops.txt"]
                if not names:
                    raise ImportProblem(str(path), None, None, "the feed has no stops.txt")
                return feed.read(names[0]).decode("utf-8-sig"), f"{path}:{names[0]}"
        return path.read_text(encoding="utf-8-sig"), str(path)
    except OSError as error:
        raise ImportProblem(str(path), None, None, f"cannot read it ({error.strerror})") from None
    except UnicodeDecodeError:
        raise ImportProblem(str(path), None, None, "stops.txt is not UTF-8 text") from None


def import_gtfs(session: Session, path: Path, feed: str | None = None, demo: bool = False) -> int:
    """Replace the stops of `feed` (default: the file or folder name); returns how many."""
    text, name = _read_stops(path)
    feed = feed or path.stem
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [column for column in REQUIRED_COLUMNS if column not in (reader.fieldnames or [])]
    if missing:
        raise ImportProblem(name, 1, missing[0], "stops.txt lacks this required column")
    stops = []
    seen: set[str] = set()
    for row in reader:
        where = f.Where(name, reader.line_num)
        location_type = _integer(row.get("location_type"), where, "location_type", 0)
        if location_type not in SHOWN_LOCATION_TYPES:
            continue
        stop_id = (row["stop_id"] or "").strip()
        if not stop_id:
            raise where.problem("stop_id", "is empty")
        if stop_id in seen:
            raise where.problem("stop_id", f"{stop_id!r} appears twice")
        seen.add(stop_id)
        stops.append(
            {
                "feed": feed,
                "demo": demo,
                "stop_id": stop_id,
                "code": (row.get("stop_code") or "").strip() or None,
                "name": _required(row, "stop_name", where),
                "latitude": _coordinate(row, "stop_lat", f.latitude, where),
                "longitude": _coordinate(row, "stop_lon", f.longitude, where),
                "location_type": location_type,
                "wheelchair_boarding": _integer(
                    row.get("wheelchair_boarding"), where, "wheelchair_boarding", None
                ),
            }
        )
    session.execute(delete(TransitStop).where(TransitStop.feed == feed))
    if stops:
        session.execute(TransitStop.__table__.insert(), stops)
    return len(stops)


def _required(row: dict[str, str], column: str, where: f.Where) -> str:
    value = (row.get(column) or "").strip()
    if not value:
        raise where.problem(column, "is empty")
    return value[:200]


def _coordinate(row: dict[str, str], column: str, check: f.Check, where: f.Where) -> float:
    raw = _required(row, column, where)
    try:
        return check(float(raw))
    except ValueError as error:
        reason = str(error) if "between" in str(error) else f"must be a number, not {raw!r}"
        raise where.problem(column, reason) from None


def _integer(raw: str | None, where: f.Where, column: str, default: int | None) -> int | None:
    if raw is None or not raw.strip():
        return default
    if not raw.strip().isdigit():
        raise where.problem(column, f"must be a whole number, not {raw!r}")
    return int(raw)
