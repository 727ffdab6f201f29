"""INSERT ... ON CONFLICT DO NOTHING for both databases."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_ignoring_duplicates(
    session: Session, table: Table, rows: list[dict[str, Any]], keys: list[str]
) -> None:
    """Insert rows, silently skipping those whose `keys` already exist."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(table).on_conflict_do_nothing(index_elements=keys), rows)
