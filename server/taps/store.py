"""Turn spooled tap records into rows: resolve the sticker, check the NTAG mirror, accept or
refuse an NTAG 424 DNA's SUN counter, insert once."""

from __future__ import annotations

import datetime as dt
import weakref
from typing import Any

from sqlalchemy import Enum, Integer, String, select, update
from sqlalchemy.orm import Session

from server.clock import machine_now
from server.db import Database, rowcount
from server.models import Outcome, Sticker, StickerStatus, Tap, VisitorKind
from server.services import tap_partitions
from server.services.rollups import mark_place_moments
from server.taps.sun import NO_SUN, SUN_CHIP
from server.upsert import insert_ignoring_duplicates

# Columns a spool record may set directly; everything else is derived here.
RECORD_FIELDS = (
    "id",
    "code",
    "tag_id",
    "visitor_id",
    "visitor_kind",
    "human",
    "reason",
    "browser",
    "language",
    "method",
    "mirror_uid",
    "mirror_counter",
    "mirror_error",
)
# The spool holds enum values; a dict look-up is several times cheaper than calling the enum.
OUTCOMES = {outcome.value: outcome for outcome in Outcome}
VISITOR_KINDS = {kind.value: kind for kind in VisitorKind}
REQUIRED = ("id", "at", "code", "outcome", "visitor_kind", "human", "method")
LARGEST_INTEGER = 2**31 - 1  # PostgreSQL's INTEGER, the type of the tap's integer columns
SUN_PENDING = "_sun"  # a row key, never a column: this row's SUN counter awaits its decision
# Taps a day's rollups count: accepted ones, those that sticker health shows as suspect, and
# scans of NTAG 424 DNA QR labels (counted apart).
COUNTED = frozenset({Outcome.OK, Outcome.REPLAYED, Outcome.BAD_SUN, Outcome.QR_SCAN})


class TapRefused(ValueError):
    """A spooled record that cannot become a tap row; the message says which field and why."""


def _column_limits() -> dict[str, int | None]:
    """Each string column's length, read from the table, so the check follows the schema."""
    limits = {}
    for field in RECORD_FIELDS:
        column_type = Tap.__table__.c[field].type
        if isinstance(column_type, String) and not isinstance(column_type, Enum):
            limits[field] = column_type.length
    return limits


STRING_LIMITS = _column_limits()
INTEGER_FIELDS = tuple(
    field for field in RECORD_FIELDS if isinstance(Tap.__table__.c[field].type, Integer)
)


def record_problem(record: Any) -> str | None:
    """Why a spooled record cannot be stored as a tap (None: it can), checked before the database.

    Both databases would refuse some of these (PostgreSQL a NUL character or a string longer
    than its column), others would fail in our own code; none of them may stop the drainer.
    """
    if not isinstance(record, dict):
        return "not a JSON object"
    missing = [field for field in REQUIRED if record.get(field) is None]
    if missing:
        return f"missing {', '.join(missing)}"
    if record["outcome"] not in OUTCOMES or record["visitor_kind"] not in VISITOR_KINDS:
        return f"unknown outcome {record['outcome']!r} or visitor kind {record['visitor_kind']!r}"
    if (record.get("visitor_id") is None) != (record["visitor_kind"] == VisitorKind.OBJECTED):
        return "a visitor id is missing, or given for a visitor who objected"
    if not isinstance(record["human"], bool):
        return "human is not true or false"
    for field, limit in STRING_LIMITS.items():
        value = record.get(field)
        if value is None:
            continue
        if not isinstance(value, str):
            return f"{field} is not text"
        if "\x00" in value:
            return f"{field} holds a NUL character"
        if limit is not None and len(value) > limit:
            return f"{field} is longer than {limit} characters"
    for field in INTEGER_FIELDS:
        value = record.get(field)
        if value is not None and (type(value) is not int or not 0 <= value <= LARGEST_INTEGER):
            return f"{field} is not a whole number in range"
    try:
        at = dt.datetime.fromisoformat(record["at"])
    except (TypeError, ValueError):
        return "at is not an ISO 8601 time"
    if at.tzinfo is None:
        return "at has no time zone"
    return None


def store_taps(database: Database, records: list[dict[str, Any]]) -> tuple[int, int]:
    """Insert the taps not stored yet, in one transaction; return (stored, already there).

    Raises TapRefused, storing nothing, when a record is not a tap (see record_problem).
    """
    for record in records:
        problem = record_problem(record)
        if problem:
            raise TapRefused(f"tap {str(record.get('id'))[:40]!r} cannot be stored: {problem}")
    unique = list({record["id"]: record for record in records}.values())
    if not unique:
        return 0, len(records)
    moments = [dt.datetime.fromisoformat(r["at"]) for r in unique]
    _make_partitions(database, moments)
    with database.transaction() as session:
        # The batch's time span lets PostgreSQL look only in the months' partitions.
        ids = [r["id"] for r in unique]
        span = Tap.occurred_at.between(min(moments), max(moments))
        known = set(session.scalars(select(Tap.id).where(Tap.id.in_(ids), span)))
        fresh = sorted((r for r in unique if r["id"] not in known), key=lambda r: r["at"])
        stickers = _stickers(session, {r["tag_id"] for r in fresh if r.get("tag_id") is not None})
        rows = [_row(record, stickers) for record in fresh]
        SunCounters(stickers).decide(session, rows)
        _note_last_taps(rows, stickers)
        if rows:  # one executemany for the whole batch (Tap.__table__ is typed as a FromClause)
            insert_ignoring_duplicates(
                session, Tap.metadata.tables[Tap.__tablename__], rows, tap_key(session)
            )
        # In the same transaction: a stored tap always leaves its day marked for the rollups.
        mark_place_moments(
            session, [(r["place_id"], r["occurred_at"]) for r in rows if r["outcome"] in COUNTED]
        )
    return len(rows), len(records) - len(rows)


# Per database: months whose partition this process has seen, to skip asking every batch.
_PARTITIONS_SEEN: weakref.WeakKeyDictionary[Database, set[dt.date]] = weakref.WeakKeyDictionary()


def tap_key(session: Session) -> list[str]:
    """The taps' unique key: (id, occurred_at) on PostgreSQL's partitioned table, id elsewhere."""
    if session.get_bind().dialect.name == "postgresql":
        return ["id", "occurred_at"]
    return ["id"]


def _make_partitions(database: Database, moments: list[dt.datetime]) -> None:
    """Make the month partitions this batch needs and lacks, before the batch's transaction (a
    drainer made them ahead of time, unless this is a tap from long ago or the clock is off)."""
    if database.engine.dialect.name != "postgresql":
        return
    known = _PARTITIONS_SEEN.setdefault(database, set())
    months = {tap_partitions.month_of(moment) for moment in moments} - known
    if not months:
        return
    with database.transaction() as session:
        tap_partitions.create(session.connection(), months)
    # Remembered only from last month on: retention never drops those, so none can vanish.
    recent = tap_partitions.add_months(tap_partitions.month_of(machine_now()), -1)
    known.update(month for month in months if month >= recent)


def _stickers(session: Session, tag_ids: set[int]) -> dict[int, Sticker]:
    if not tag_ids:
        return {}
    # Lock the stickers so two drainers (on two hosts) cannot interleave their counter checks.
    query = select(Sticker).where(Sticker.id.in_(tag_ids)).with_for_update()
    return {sticker.id: sticker for sticker in session.scalars(query)}


def _row(record: dict[str, Any], stickers: dict[int, Sticker]) -> dict[str, Any]:
    row = {field: record.get(field) for field in RECORD_FIELDS}
    row["occurred_at"] = dt.datetime.fromisoformat(record["at"])
    row["outcome"] = OUTCOMES[record["outcome"]]
    row["visitor_kind"] = VISITOR_KINDS[record["visitor_kind"]]
    row["place_id"] = row["sticker_id"] = row["uid_matches"] = row["counter_advanced"] = None
    if record.get("tag_id") is None:
        return row  # the code was refused: an orphan visit
    # The sticker as stored now decides (the tap path may have answered from a stale cache).
    sticker = stickers.get(record["tag_id"])
    if sticker is None:
        row["outcome"] = Outcome.UNKNOWN_STICKER
        return row
    row["sticker_id"], row["place_id"] = sticker.id, sticker.place_id
    if sticker.status is StickerStatus.RETIRED or row["outcome"] is Outcome.RETIRED_STICKER:
        row["outcome"] = Outcome.RETIRED_STICKER
        return row
    if record["outcome"] == Outcome.QR_SCAN.value:  # a printed QR label: unverified, apart
        row["outcome"] = Outcome.QR_SCAN
        return row
    if record["outcome"] == Outcome.BAD_SUN.value:  # refused on the tap path: no SUN proof
        row["outcome"] = Outcome.BAD_SUN
        return row
    if sticker.expected_chip == SUN_CHIP and not record.get("sun"):
        # The tap path did not know the chip (database away, nothing cached): a URL without a
        # verified SUN message proves nothing, whatever the tap path recorded.
        row["outcome"] = Outcome.BAD_SUN
        row["mirror_error"] = row["mirror_error"] or NO_SUN
        return row
    row["outcome"] = Outcome.OK
    if row["mirror_uid"] and sticker.uid:
        row["uid_matches"] = row["mirror_uid"] == sticker.uid
    if record.get("sun") and row["mirror_counter"] is not None:
        if row["uid_matches"] is False:
            row["outcome"] = Outcome.BAD_SUN
            return row
        row[SUN_PENDING] = True  # decided for the whole batch at once: SunCounters
        return row
    if row["human"] and row["mirror_counter"] is not None and row["uid_matches"] is not False:
        row["counter_advanced"] = _check_counter(sticker, row["mirror_counter"], row)
    return row


def _note_last_taps(rows: list[dict[str, Any]], stickers: dict[int, Sticker]) -> None:
    """Move each sticker's last_tap_at to its latest human tap in the batch, once per sticker."""
    latest: dict[int, dt.datetime] = {}
    for row in rows:  # in time order: the last one seen is the latest
        if row["human"] and row["outcome"] is Outcome.OK:
            latest[row["sticker_id"]] = row["occurred_at"]
    for sticker_id, at in latest.items():
        sticker = stickers[sticker_id]
        if sticker.last_tap_at is None or at > sticker.last_tap_at:
            sticker.last_tap_at = at


def _check_counter(sticker: Sticker, counter: int, row: dict[str, Any]) -> bool | None:
    """Did the read counter go up since the previous tap in time? (No: a copy, or a replay.)"""
    at = row["occurred_at"]
    if sticker.last_counter is None or sticker.last_counter_at is None:
        advanced = None
    elif at >= sticker.last_counter_at:
        advanced = counter > sticker.last_counter
    else:  # drained late (another worker's spool): it must be lower than the later one
        advanced = counter < sticker.last_counter
    if sticker.last_counter_at is None or at >= sticker.last_counter_at:
        sticker.last_counter, sticker.last_counter_at = counter, at
    return advanced


class SunCounters:
    """The SUN read counters of a batch's stickers: each tap decided in order, saved once.

    A SUN tap is accepted only if its counter is strictly above the last accepted one. Saving
    is one compare-and-set UPDATE per sticker (`WHERE sun_counter = <the value decided
    from>`), so two drainers (two hosts) storing taps with the same counter can never both win:
    on PostgreSQL the second waits on the row (read FOR UPDATE) and then sees the new value; on
    SQLite, whose reads may come before the write transaction, a compare-and-set that finds the
    value moved decides that sticker's taps again from the value now stored, under the write
    lock its UPDATE took. Gaps are normal (every phone read counts): only "greater than"
    matters. Link previews, crawlers, HEAD requests and prefetches look without consuming, so
    the visitor who follows a shared link after its preview is still accepted.
    """

    def __init__(self, stickers: dict[int, Sticker]) -> None:
        self._read = {tag_id: sticker.sun_counter for tag_id, sticker in stickers.items()}

    def decide(self, session: Session, rows: list[dict[str, Any]]) -> None:
        """Set each pending row's outcome and counter_advanced, and store the new counters."""
        pending = [row for row in rows if row.pop(SUN_PENDING, False)]
        stickers = {row["sticker_id"] for row in pending}
        for _attempt in range(2):
            last = {sticker_id: self._read[sticker_id] for sticker_id in stickers}
            for row in pending:  # in time order, as store_taps sorted them
                known = last[row["sticker_id"]]
                advanced = known is None or row["mirror_counter"] > known
                if advanced and row["human"]:
                    last[row["sticker_id"]] = row["mirror_counter"]
                row["counter_advanced"] = advanced
                row["outcome"] = Outcome.OK if advanced else Outcome.REPLAYED
            moved = [sid for sid in stickers if not self._save(session, sid, last[sid])]
            if not moved:
                return
            now = select(Sticker.id, Sticker.sun_counter).where(Sticker.id.in_(moved))
            self._read.update({sid: counter for sid, counter in session.execute(now)})
            stickers = set(moved)
            pending = [row for row in pending if row["sticker_id"] in stickers]
        raise RuntimeError("a SUN counter kept moving under the write lock")  # cannot happen

    def _save(self, session: Session, sticker_id: int, counter: int | None) -> bool:
        """Store `counter` if the sticker still holds the value read; False if it moved."""
        read = self._read[sticker_id]
        if counter == read:
            return True
        unchanged = Sticker.sun_counter.is_(None) if read is None else Sticker.sun_counter == read
        result = session.execute(
            update(Sticker)
            .where(Sticker.id == sticker_id, unchanged)
            .values(sun_counter=counter)
            .execution_options(synchronize_session=False)
        )
        return bool(rowcount(result))
