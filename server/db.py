"""The database: one engine per app, a session per request, helpers for commands and threads.

SQLite (WAL mode) under the instance folder by default; PostgreSQL with TAPTRAIL_DATABASE_URL.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

from flask import Flask, current_app, g
from sqlalchemy import Connection, CursorResult, Engine, Result, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    ArgumentError,
    DataError,
    DBAPIError,
    IntegrityError,
    InterfaceError,
    OperationalError,
)
from sqlalchemy.orm import Session, sessionmaker

from server.config import ConfigError

EXTENSION = "taptrail.db"

# What a database that went away looks like; pages fall back to their cached copy on these.
UNAVAILABLE = (DBAPIError,)

# SQLSTATE classes (PostgreSQL's error codes) that say what a statement carried was refused:
# 22 data exception (a value too long, a NUL character, out of range), 23 integrity constraint.
CONTENT_CLASSES = frozenset({"22", "23"})
# Classes that say the database could not do the work, whatever the rows held: 08 connection,
# 28 authorization, 3D no such database, 40 rollback (deadlock, serialization), 42 schema or
# privileges (not migrated yet), 53 resources (disk full), 55 object state (lock not available),
# 57 operator intervention (shutdown), 58 system error, XX internal error.
AWAY_CLASSES = frozenset({"08", "28", "3D", "40", "42", "53", "55", "57", "58", "XX"})


def make_engine(url: str) -> Engine:
    """An engine with the settings TapTrail relies on for either database."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # A busy writer makes others wait up to 30 s instead of failing at once.
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # A database that does not answer must fail fast, so a tap falls back to its cache.
    return create_engine(
        url, pool_size=5, max_overflow=10, pool_recycle=3600, connect_args={"connect_timeout": 3}
    )


def rowcount(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE run through a Session matched.

    Session.execute() is typed as returning a Result, though for these statements it returns a
    CursorResult; SQLAlchemy's 2.0.44 changelog advises this cast.
    """
    return cast(CursorResult[Any], result).rowcount


def failure_kind(error: BaseException) -> str:
    """Why a statement failed: "content", "away" or "unknown", from the error alone.

    "content": the database refused what the statement carried, and would refuse it again.
    "away": it could not do the work at all (down, unreachable, locked, full, not migrated);
    trying again later is right. "unknown": neither is certain (a driver's own refusal without
    an SQLSTATE, an error raised by our code); a caller can narrow it down by trying smaller
    parts and checking that the database still answers (see server/taps/drain.py).
    """
    if not isinstance(error, DBAPIError):
        return "unknown"
    if error.connection_invalidated or isinstance(error, (OperationalError, InterfaceError)):
        return "away"  # sqlite3's "database is locked" and "no such table" are Operational too
    sqlstate = getattr(error.orig, "sqlstate", None) or ""
    if sqlstate[:2] in AWAY_CLASSES:
        return "away"
    if sqlstate[:2] in CONTENT_CLASSES or isinstance(error, (DataError, IntegrityError)):
        return "content"
    return "unknown"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
    cursor.execute("PRAGMA synchronous=NORMAL")  # durable at checkpoints; safe with WAL
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class Database:
    """An engine and the session factory bound to it."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        """ "sqlite" or "postgresql"."""
        return self.engine.dialect.name

    def bind_to(self, connection: Connection) -> None:
        """Run every session inside `connection`'s transaction, in savepoints (tests); the
        engine is then `connection`'s, which may be another's (the caller disposes its own)."""
        self.engine = connection.engine
        self.sessions = sessionmaker(
            bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session that commits when the block ends and rolls back if it raises."""
        with self.sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def answers(database: Database) -> bool:
    """Does the database answer a trivial query right now?"""
    try:
        with database.engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except DBAPIError:
        return False
    return True


def init_app(app: Flask) -> None:
    """Attach a Database to the app and close each request's session when it ends."""
    url = app.config.get("DATABASE_URL") or f"sqlite:///{Path(app.instance_path) / 'taptrail.db'}"
    app.config["DATABASE_URL"] = url
    try:
        app.extensions[EXTENSION] = Database(url)
    except (ArgumentError, ImportError, OSError) as error:
        # The URL itself is not repeated: it may hold a password.
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ConfigError(
            f"TAPTRAIL_DATABASE_URL cannot be used ({reason}): give a URL like "
            "sqlite:////var/lib/taptrail/taptrail.db or postgresql+psycopg://USER@HOST/DATABASE"
        ) from None
    app.teardown_appcontext(_close_session)


def database(app: Flask | None = None) -> Database:
    """The app's Database (the current app by default)."""
    return (app or current_app).extensions[EXTENSION]


def db_session() -> Session:
    """This request's database session, opened on first use (not Flask's cookie `session`)."""
    if "db_session" not in g:
        g.db_session = database().sessions()
    return g.db_session


def _close_session(_error: BaseException | None) -> None:
    opened = g.pop("db_session", None)
    if opened is not None:
        opened.close()
