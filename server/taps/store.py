"""Turn spooled tap records into rows: resolve the sticker, check the NTAG mirror, accept or
refuse an NTAG 424 DNA's SUN counter, insert once.

A batch costs little beyond its rows: each record is checked once (check) and becomes a plain
row, a list in the order of COLUMNS, with no ORM object per tap; the queries (the ids stored
already, the stickers, the days to mark) are one per batch; the rows go in with one
executemany of INSERT ... ON CONFLICT (id) DO NOTHING on SQLite, and one COPY on PostgreSQL,
which falls back to INSERT ... ON CONFLICT (id, occurred_at) DO NOTHING should a tap of the
batch be stored meanwhile (COPY has no ON CONFLICT). Drained twice, a batch stores nothing
twice: the ids already stored are left out before anything is decided.
"""

from __future__ import annotations

import datetime as dt
import logging
import operator
import weakref
from typing import Any

import orjson
import psycopg
from sqlalchemy import (
    Connection,
    Enum,
    Integer,
    Row,
    String,
    bindparam,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from server.clock import machine_now
from server.db import Database, rowcount
from server.models import Outcome, Sticker, StickerStatus, Tap, VisitorKind
from server.services import tap_partitions
from server.services.rollups import mark_places
from server.taps.sun import NO_SUN, OTHER_CHIP, SUN_CHIP, SUN_MESSAGE
from server.taps.sun_verdict import NO_KEYS, SunJudge

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
# Outcomes as the rows hold them: the values the spool and the database hold.
OK, REPLAYED = Outcome.OK.value, Outcome.REPLAYED.value
BAD_SUN, QR_SCAN = Outcome.BAD_SUN.value, Outcome.QR_SCAN.value
UNKNOWN_STICKER, RETIRED_STICKER = Outcome.UNKNOWN_STICKER.value, Outcome.RETIRED_STICKER.value
UNIQUE_VIOLATION = "23505"  # PostgreSQL's SQLSTATE for a key already there
# Taps a day's rollups count: accepted ones, those that sticker health shows as suspect, and
# scans of NTAG 424 DNA QR labels (counted apart).
COUNTED = frozenset({Outcome.OK, Outcome.REPLAYED, Outcome.BAD_SUN, Outcome.QR_SCAN})


log = logging.getLogger(__name__)


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


Checked = tuple[dt.datetime, dict[str, Any]]  # a storable record, with its time parsed


def record_problem(record: Any) -> str | None:
    """Why a spooled record cannot be stored as a tap (None: it can), checked before the database.

    Both databases would refuse some of these (PostgreSQL a NUL character or a string longer
    than its column), others would fail in our own code; none of them may stop the drainer.
    """
    checked = check(record)
    return checked if isinstance(checked, str) else None


def check(record: Any) -> Checked | str:
    """The record with its time, if it can be stored as a tap; else why not (record_problem)."""
    if not isinstance(record, dict):
        return "not a JSON object"
    get = record.get
    missing = [field for field in REQUIRED if get(field) is None]
    if missing:
        return f"missing {', '.join(missing)}"
    if SUN_MESSAGE in record:  # SunJudge.judge() takes it out
        return NO_KEYS
    if record["outcome"] not in OUTCOMES or record["visitor_kind"] not in VISITOR_KINDS:
        return f"unknown outcome {record['outcome']!r} or visitor kind {record['visitor_kind']!r}"
    if (get("visitor_id") is None) != (record["visitor_kind"] == VisitorKind.OBJECTED):
        return "a visitor id is missing, or given for a visitor who objected"
    if record["human"] is not True and record["human"] is not False:
        return "human is not true or false"
    for field, limit in STRING_LIMITS.items():
        value = get(field)
        if value is None:
            continue
        if type(value) is not str:
            return f"{field} is not text"
        if "\x00" in value:
            return f"{field} holds a NUL character"
        if limit is not None and len(value) > limit:
            return f"{field} is longer than {limit} characters"
    for field in INTEGER_FIELDS:
        value = get(field)
        if value is not None and (type(value) is not int or not 0 <= value <= LARGEST_INTEGER):
            return f"{field} is not a whole number in range"
    try:
        at = dt.datetime.fromisoformat(record["at"])
    except (TypeError, ValueError):
        return "at is not an ISO 8601 time"
    if at.tzinfo is None:
        return "at has no time zone"
    return at, record


def judged(record: Any, sun: SunJudge | None) -> Any:
    """The record with its SUN message checked by `sun` first (when both are there)."""
    if sun is not None and type(record) is dict and SUN_MESSAGE in record:
        return sun.judge(record)
    return record


def store_taps(
    database: Database, records: list[dict[str, Any]], sun: SunJudge | None = None
) -> tuple[int, int]:
    """Insert the taps not stored yet, in one transaction; return (stored, already there).

    `sun` checks the SUN messages the tap path spooled. Raises TapRefused, storing nothing,
    when a record is not a tap (see record_problem).
    """
    taps = []
    for record in records:
        record = judged(record, sun)
        checked = check(record)
        if isinstance(checked, str):
            raise TapRefused(f"tap {str(record.get('id'))[:40]!r} cannot be stored: {checked}")
        taps.append(checked)
    return store_checked(database, taps)


def store_checked(database: Database, taps: list[Checked]) -> tuple[int, int]:
    """store_taps() for records check() passed: the drainer checks each line once, as it reads.

    Everything here is done once per batch but building each tap's row: one query for the ids
    already stored, one for the batch's stickers, one INSERT (SQLite's executemany) or COPY
    (PostgreSQL) of plain row tuples, the days to recount marked once per territory.
    """
    unique = {tap[1]["id"]: tap for tap in taps}
    if not unique:
        return 0, len(taps)
    moments = [at for at, _record in unique.values()]
    first, last = min(moments), max(moments)
    postgres = database.engine.dialect.name == "postgresql"
    if postgres:
        _make_partitions(database, moments, first, last)
    with database.transaction() as session:
        known = _known(session, list(unique), first, last, postgres)
        fresh = sorted(
            (tap for tap_id, tap in unique.items() if tap_id not in known)
            if known
            else unique.values(),
            key=_moment,
        )
        stickers = _stickers(session, {r["tag_id"] for _at, r in fresh if r.get("tag_id")})
        facts = _facts(stickers)
        pending: list[list[Any]] = []
        rows = [_row(at, record, facts, pending) for at, record in fresh]
        if pending:
            SunCounters(stickers).decide(session, pending)
        _save_stickers(session, stickers, facts, rows)
        # In the same transaction: a stored tap always leaves its day marked for the rollups.
        counted: dict[int, list[dt.datetime]] = {}
        for row in rows:
            if row[OUTCOME] in COUNTED:
                counted.setdefault(row[PLACE], []).append(row[AT])
        mark_places(session, counted)
        stored = (_copy if postgres else _insert)(session, rows) if rows else 0
    return stored, len(taps) - stored


# The ids of a batch already stored, the ids passed as one value (an array, a JSON list): a
# thousand parameters would each cost a little to render and to parse. The batch's time span
# lets PostgreSQL look only in the months' partitions. On PostgreSQL the array is joined, not
# tested with `id = ANY(:ids)`: a bound array is no constant, so that test is not hashed and a
# sequential scan (chosen while a new month's partition has no statistics yet) compared every
# row with every id: 0.9 s a batch at 75,000 taps in the month, growing with it.
_KNOWN_PG = text(
    "SELECT t.id FROM unnest(CAST(:ids AS text[])) AS batch(id)"
    " JOIN taps AS t ON t.id = batch.id AND t.occurred_at BETWEEN :first AND :last"
)
_KNOWN_SQLITE = text(
    "SELECT id FROM taps WHERE id IN (SELECT value FROM json_each(:ids))"
    " AND occurred_at BETWEEN :first AND :last"
)


def _known(
    session: Session, ids: list[str], first: dt.datetime, last: dt.datetime, postgres: bool
) -> set[str]:
    if postgres:
        values = {"ids": array_literal(ids), "first": first, "last": last}
        return set(session.scalars(_KNOWN_PG, values))
    values = {
        "ids": orjson.dumps(ids).decode(),
        "first": sqlite_time(first),
        "last": sqlite_time(last),
    }
    return set(session.scalars(_KNOWN_SQLITE, values))


def array_literal(texts: list[str]) -> str:
    """PostgreSQL's text for an array of these strings, each one quoted: psycopg, given the list,
    looked each string over with a regular expression to quote it (about 1.5 us a tap)."""
    if not texts:
        return "{}"
    joined = '","'.join(texts)
    # Rare: a string holds a backslash or a quote (more quotes than the separators hold).
    if "\\" in joined or joined.count('"') != 2 * (len(texts) - 1):
        joined = '","'.join(t.replace("\\", "\\\\").replace('"', '\\"') for t in texts)
    return '{"' + joined + '"}'


_moment = operator.itemgetter(0)  # a checked tap's time

# The taps table's columns, in the order of a row as the drainer builds it.
COLUMNS = (
    "id",
    "occurred_at",
    "code",
    "tag_id",
    "outcome",
    "sticker_id",
    "place_id",
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
    "uid_matches",
    "counter_advanced",
)
# Where each column sits in a row, read off COLUMNS so that the two cannot drift apart.
AT, TAG, OUTCOME, STICKER, PLACE, HUMAN = map(
    COLUMNS.index, ("occurred_at", "tag_id", "outcome", "sticker_id", "place_id", "human")
)
MIRROR_UID, MIRROR_COUNTER, MIRROR_ERROR, UID_MATCHES, COUNTER_ADVANCED = map(
    COLUMNS.index,
    ("mirror_uid", "mirror_counter", "mirror_error", "uid_matches", "counter_advanced"),
)
_INSERT = (
    f"INSERT INTO taps ({', '.join(COLUMNS)}) VALUES ({', '.join('?' for _ in COLUMNS)})"
    " ON CONFLICT (id) DO NOTHING"
)
# Binary, with the columns' types declared: psycopg's C dumpers then write each value without
# looking up a dumper per value or escaping text (write_row: 4.4 -> 0.7 us a row).
_COPY = f"COPY taps ({', '.join(COLUMNS)}) FROM STDIN (FORMAT BINARY)"


def _copy_types() -> list[str]:
    """Each column's type as PostgreSQL names it (psycopg knows these names), read from the
    table so that the two agree; VARCHAR's length is not part of the type."""
    dialect = postgresql.dialect()
    return [
        Tap.__table__.c[column].type.compile(dialect=dialect).split("(")[0].lower()
        for column in COLUMNS
    ]


COPY_TYPES = _copy_types()
_INSERT_PG = (
    f"INSERT INTO taps ({', '.join(COLUMNS)}) VALUES ({', '.join('%s' for _ in COLUMNS)})"
    " ON CONFLICT (id, occurred_at) DO NOTHING"
)


def _insert(session: Session, rows: list[list[Any]]) -> int:
    """SQLite: one executemany, times as SQLAlchemy stores them (UTC, microseconds always);
    returns how many rows it inserted."""
    for row in rows:
        row[AT] = sqlite_time(row[AT])
    return session.connection().exec_driver_sql(_INSERT, list(map(tuple, rows))).rowcount


def sqlite_time(moment: dt.datetime) -> str:
    """An aware time as SQLAlchemy's DateTime stores it in SQLite: naive UTC, 6 decimals."""
    return moment.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _copy(session: Session, rows: list[list[Any]]) -> int:
    """PostgreSQL: one COPY into the partitioned table, or, should a tap be there already
    (stored meanwhile by someone else), INSERT ... ON CONFLICT DO NOTHING instead; returns how
    many rows it inserted."""
    connection = session.connection()
    try:
        with connection.begin_nested():
            _copy_rows(connection, rows)
        return len(rows)
    except IntegrityError as error:
        if getattr(error.orig, "sqlstate", None) != UNIQUE_VIOLATION:
            raise
    log.info("a tap of the batch is stored already: the others go in with INSERT ... ON CONFLICT")
    return connection.exec_driver_sql(_INSERT_PG, list(map(tuple, rows))).rowcount


def _copy_rows(connection: Connection, rows: list[list[Any]]) -> None:
    """COPY the rows through the driver; its errors reach callers as SQLAlchemy's would."""
    raw = connection.connection.driver_connection
    assert isinstance(raw, psycopg.Connection)
    try:
        with raw.cursor() as cursor, cursor.copy(_COPY) as copy:
            copy.set_types(COPY_TYPES)
            for row in rows:
                copy.write_row(row)
    except psycopg.Error as error:
        # failure_kind() reads SQLAlchemy's errors: wrap the driver's the way SQLAlchemy does,
        # and let the pool drop a connection the error broke.
        broken = raw.closed or raw.broken
        if broken:
            connection.invalidate(error)
        raise DBAPIError.instance(
            _COPY, None, error, psycopg.Error, connection_invalidated=broken
        ) from error


# Per database: months whose partition this process has seen, to skip asking every batch.
_PARTITIONS_SEEN: weakref.WeakKeyDictionary[Database, set[dt.date]] = weakref.WeakKeyDictionary()


def tap_key(session: Session) -> list[str]:
    """The taps' unique key: (id, occurred_at) on PostgreSQL's partitioned table, id elsewhere."""
    if session.get_bind().dialect.name == "postgresql":
        return ["id", "occurred_at"]
    return ["id"]


def _make_partitions(
    database: Database, moments: list[dt.datetime], first: dt.datetime, last: dt.datetime
) -> None:
    """Make the month partitions this batch needs and lacks, before the batch's transaction (a
    drainer made them ahead of time, unless this is a tap from long ago or the clock is off)."""
    known = _PARTITIONS_SEEN.setdefault(database, set())
    start, end = tap_partitions.month_of(first), tap_partitions.month_of(last)
    # Nearly always one month: then the batch's first and last taps say which.
    needed = {start} if start == end else {tap_partitions.month_of(m) for m in moments}
    months = needed - known
    if not months:
        return
    with database.transaction() as session:
        tap_partitions.create(session.connection(), months)
    # Remembered only from last month on: retention never drops those, so none can vanish.
    recent = tap_partitions.add_months(tap_partitions.month_of(machine_now()), -1)
    known.update(month for month in months if month >= recent)


# What a batch reads of its stickers, and moves: plain rows, not ORM objects. Loading Sticker
# objects and flushing them back cost about 27 us a sticker more of the drainer's time.
_STICKERS = (
    select(
        Sticker.id,
        Sticker.place_id,
        Sticker.status,
        Sticker.expected_chip.label("expected_chip"),
        Sticker.uid,
        Sticker.last_counter,
        Sticker.last_counter_at,
        Sticker.last_tap_at,
        Sticker.sun_counter,
    )
    # Lock the stickers so two drainers (on two hosts) cannot interleave their counter checks,
    # in the order of their ids, as every drainer takes them: two batches of the same stickers
    # then never each hold one the other waits for (as the days are marked in territory order).
    .order_by(Sticker.id)
    .with_for_update(of=Sticker)
)
StickerRead = Row[*tuple[Any, ...]]  # a row of _STICKERS

# Each sticker's changed columns, set by id (the column names are the parameters' keys).
_SAVE_STICKER = update(Sticker).where(Sticker.id == bindparam("tag"))


def _stickers(session: Session, tag_ids: set[int]) -> dict[int, StickerRead]:
    if not tag_ids:
        return {}
    found = session.connection().execute(_STICKERS.where(Sticker.id.in_(tag_ids)))
    return {sticker.id: sticker for sticker in found}


# What _row needs of a sticker, read once per batch: an ORM attribute read costs about 0.5 us
# and _row made about nine per tap (457,000 for 50,000 taps). The counter is a list, which
# _row moves along the batch's taps; _save_stickers writes it back once per sticker.
# (id, place_id, retired, a SUN chip, uid, [last_counter, last_counter_at])
StickerFacts = tuple[int, int, bool, bool, str | None, list[Any]]


def _facts(stickers: dict[int, StickerRead]) -> dict[int, StickerFacts]:
    return {
        tag_id: (
            sticker.id,
            sticker.place_id,
            sticker.status is StickerStatus.RETIRED,
            sticker.expected_chip == SUN_CHIP,
            sticker.uid,
            [sticker.last_counter, sticker.last_counter_at],
        )
        for tag_id, sticker in stickers.items()
    }


def _row(
    at: dt.datetime,
    record: dict[str, Any],
    facts: dict[int, StickerFacts],
    pending: list[list[Any]],
) -> list[Any]:
    """The tap's row (COLUMNS); a SUN tap whose counter awaits its decision joins `pending`."""
    # Every column by name in one pass in C; the record may not set those derived here.
    row = list(map(record.get, COLUMNS))
    row[AT] = at
    row[STICKER] = row[PLACE] = row[UID_MATCHES] = row[COUNTER_ADVANCED] = None
    tag_id = row[TAG]
    if tag_id is None:
        return row  # the code was refused: an orphan visit
    # The sticker as stored now decides (the tap path may have answered from a stale cache).
    sticker = facts.get(tag_id)
    if sticker is None:
        row[OUTCOME] = UNKNOWN_STICKER
        return row
    sticker_id, row[PLACE], retired, sun_chip, uid, last = sticker
    row[STICKER] = sticker_id
    outcome = row[OUTCOME]
    if retired or outcome == RETIRED_STICKER:
        row[OUTCOME] = RETIRED_STICKER
        return row
    if outcome in (QR_SCAN, BAD_SUN):  # a printed QR label; no SUN proof
        return row
    sun = record.get("sun")
    if sun_chip and not sun:
        # The tap path did not know the chip (database away, nothing cached): a URL without a
        # verified SUN message proves nothing, whatever the tap path recorded.
        row[OUTCOME] = BAD_SUN
        row[MIRROR_ERROR] = row[MIRROR_ERROR] or NO_SUN
        return row
    row[OUTCOME] = OK
    if row[MIRROR_UID] and uid:
        row[UID_MATCHES] = row[MIRROR_UID] == uid
    counter = row[MIRROR_COUNTER]
    if sun and counter is not None:
        if row[UID_MATCHES] is False:
            row[OUTCOME] = BAD_SUN
            row[MIRROR_ERROR] = row[MIRROR_ERROR] or OTHER_CHIP
            return row
        pending.append(row)  # decided for the whole batch at once: SunCounters
        return row
    if row[HUMAN] and counter is not None and row[UID_MATCHES] is not False:
        row[COUNTER_ADVANCED] = _check_counter(last, counter, at)
    return row


def _check_counter(last: list[Any], counter: int, at: dt.datetime) -> bool | None:
    """Did the read counter go up since the previous tap in time? (No: a copy, or a replay.)
    `last` is the sticker's [last_counter, last_counter_at], moved on to this tap if later."""
    last_counter, last_at = last
    if last_counter is None or last_at is None:
        advanced = None
    elif at >= last_at:
        advanced = counter > last_counter
    else:  # drained late (another worker's spool): it must be lower than the later one
        advanced = counter < last_counter
    if last_at is None or at >= last_at:
        last[0], last[1] = counter, at
    return advanced


def _save_stickers(
    session: Session,
    stickers: dict[int, StickerRead],
    facts: dict[int, StickerFacts],
    rows: list[list[Any]],
) -> None:
    """Write back each sticker's counter as the batch left it, and its last_tap_at moved to its
    latest human tap in the batch: only the columns that changed (as the ORM would), in one
    executemany per set of columns changed."""
    latest: dict[int, dt.datetime] = {}
    for row in rows:  # in time order: the last one seen is the latest
        if row[HUMAN] and row[OUTCOME] == OK:
            latest[row[STICKER]] = row[AT]
    changes: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for tag_id, sticker in stickers.items():
        changed: dict[str, Any] = {}
        last_counter, last_at = facts[tag_id][-1]
        if last_counter != sticker.last_counter:
            changed["last_counter"] = last_counter
        if last_at != sticker.last_counter_at:
            changed["last_counter_at"] = last_at
        at = latest.get(tag_id)
        if at is not None and (sticker.last_tap_at is None or at > sticker.last_tap_at):
            changed["last_tap_at"] = at
        if changed:
            changed["tag"] = tag_id
            changes.setdefault(tuple(changed), []).append(changed)
    connection = session.connection()
    for params in changes.values():
        connection.execute(_SAVE_STICKER, params)


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

    def __init__(self, stickers: dict[int, StickerRead]) -> None:
        self._read = {tag_id: sticker.sun_counter for tag_id, sticker in stickers.items()}

    def decide(self, session: Session, pending: list[list[Any]]) -> None:
        """Set each pending row's outcome and counter_advanced (rows as store_checked builds
        them, in time order), and store the new counters."""
        stickers = {row[STICKER] for row in pending}
        for _attempt in range(2):
            last = {sticker_id: self._read[sticker_id] for sticker_id in stickers}
            for row in pending:
                known = last[row[STICKER]]
                advanced = known is None or row[MIRROR_COUNTER] > known
                if advanced and row[HUMAN]:
                    last[row[STICKER]] = row[MIRROR_COUNTER]
                row[COUNTER_ADVANCED] = advanced
                row[OUTCOME] = OK if advanced else REPLAYED
            moved = [sid for sid in stickers if not self._save(session, sid, last[sid])]
            if not moved:
                return
            now = select(Sticker.id, Sticker.sun_counter).where(Sticker.id.in_(moved))
            self._read.update({sid: counter for sid, counter in session.execute(now)})
            stickers = set(moved)
            pending = [row for row in pending if row[STICKER] in stickers]
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
