"""Run the Alembic migrations shipped in the package, without an alembic.ini."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from server.errors import TapTrailError
from server.models import Base
from server.services.tap_partitions import NAME as MONTH_PARTITION


def alembic_config(url: str | None = None) -> Config:
    """An Alembic config pointing at server/migrations."""
    config = Config()
    config.set_main_option("script_location", "server:migrations")
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


class MigrationError(TapTrailError):
    """A migration left rows that break a foreign key; it was rolled back."""


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to `revision` (the latest by default), all of it or nothing."""
    config = alembic_config()
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        mode = _sqlite_migration_mode(connection) if sqlite else contextlib.nullcontext()
        with mode, connection.begin():
            if sqlite:
                connection.exec_driver_sql("BEGIN")
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
            if sqlite:
                _check_foreign_keys(connection)


@contextlib.contextmanager
def _sqlite_migration_mode(connection: Connection) -> Iterator[None]:
    """Make this SQLite connection fit for migrating, and put it back as it was afterwards.

    Python's sqlite3 module opens transactions itself, but only before INSERT, UPDATE and
    DELETE: the DDL of a migration would run outside any transaction, and a failed migration
    would leave its first tables behind. With the driver's own handling off, upgrade() opens the
    transaction, so all of a migration commits or none. And batch mode rebuilds a table by
    copying it and dropping the old one, which enforced foreign keys forbid while other tables
    point at it; SQLite ignores that pragma inside a transaction, hence here, before one opens.
    """
    driver = connection.connection.driver_connection
    assert driver is not None
    isolation = driver.isolation_level
    driver.isolation_level = None
    driver.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        driver.execute("PRAGMA foreign_keys=ON")
        driver.isolation_level = isolation


def _check_foreign_keys(connection: Connection) -> None:
    """Stand in for the foreign keys switched off while migrating: refuse rows left dangling."""
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise MigrationError(
            f"the migration would leave {len(broken)} rows pointing at nothing "
            f"(first in table {broken[0][0]}); nothing was changed"
        )


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    """The latest revision shipped with this code."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def schema_differences(engine: Engine) -> list[object]:
    """What autogenerate would change to make the database match the models (empty: in sync)."""
    from alembic.autogenerate import compare_metadata

    with engine.connect() as connection:
        opts = {"compare_type": True, "include_name": modelled}
        context = MigrationContext.configure(connection, opts=opts)
        return list(compare_metadata(context, Base.metadata))


def modelled(name: str | None, kind: str, parent_names: object) -> bool:
    """Whether autogenerate compares this object: not the taps' month partitions (PostgreSQL
    makes them as time goes by; the model is their parent, `taps`)."""
    return not (kind == "table" and name is not None and MONTH_PARTITION.match(name))
