"""Bulk-load mode for a rebuild of many days on PostgreSQL: the rollup tables' primary keys,
indexes and foreign keys are dropped before the rows are written and made again afterwards.

Keeping a btree up to date row by row (three of them on VisitorDay, with text keys) and firing
two foreign key triggers per row costs several times what counting the rows does; building an
index from the finished table is one sort. The price: DROP INDEX and ALTER TABLE take ACCESS
EXCLUSIVE locks on the rollup tables until the rebuild's transaction ends, so the dashboard's
reads of them wait for it (docs/operations.md). Everything is in the rebuild's transaction: an
error rolls the dropped keys back with the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.orm import Session

# A rebuild of more days than this is a bulk load; fewer keep the indexes (a refresh's
# day or a month's rebuild writes few rows, and reads must not wait).
BULK_DAYS = 62
# Memory for building the indexes again (PostgreSQL's default is 64 MB): sorts in memory.
MAINTENANCE_WORK_MEM = "1GB"


@dataclass
class Dropped:
    """What was dropped from one table, as the statements that make it again."""

    keys: list[str] = field(default_factory=list)  # primary key first, then the indexes
    foreign: list[str] = field(default_factory=list)


class BulkLoad:
    """The tables whose keys are down, and how to put them back."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.dropped: dict[str, Dropped] = {}

    def drop(self, tables: list[str]) -> None:
        """Drop the keys, indexes and foreign keys of these tables."""
        session = self.session
        session.execute(text(f"SET LOCAL maintenance_work_mem = '{MAINTENANCE_WORK_MEM}'"))
        for table in tables:
            dropped = Dropped()
            constraints = session.execute(
                text(
                    "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = CAST(:table AS regclass) AND contype IN ('p', 'f') "
                    "ORDER BY contype DESC"  # the primary key first: 'p' > 'f'
                ),
                {"table": table},
            ).all()
            indexes = session.execute(
                text(
                    "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = :table "
                    "AND i.schemaname = current_schema() AND NOT EXISTS (SELECT 1 FROM "
                    "pg_constraint c WHERE c.conname = i.indexname "
                    "AND c.conrelid = CAST(:table AS regclass))"
                ),
                {"table": table},
            ).all()
            for name, kind, definition in constraints:
                statement = f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
                (dropped.keys if kind == "p" else dropped.foreign).append(statement)
            dropped.keys += [definition for _name, definition in indexes]
            for name, _kind, _definition in sorted(constraints, key=lambda row: row[1]):
                session.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
            for name, _definition in indexes:
                session.execute(text(f'DROP INDEX "{name}"'))
            self.dropped[table] = dropped

    def restore(self, table: str) -> None:
        """Build the table's keys and indexes again, check its foreign keys, analyze it."""
        dropped = self.dropped.pop(table, None)
        if dropped is None:
            return
        for statement in (*dropped.keys, *dropped.foreign):
            self.session.execute(text(statement))
        self.session.execute(text(f"ANALYZE {table}"))

    def restore_all(self) -> None:
        """Everything still down."""
        for table in list(self.dropped):
            self.restore(table)
