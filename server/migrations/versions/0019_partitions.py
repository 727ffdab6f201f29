"""Taps partitioned by month on PostgreSQL (declarative partitioning); SQLite is left as it is

The table is rebuilt: the old one renamed, the new one made LIKE it (columns, NOT NULLs, CHECKs)
and PARTITION BY RANGE (occurred_at), a partition per month from the oldest tap's to two months
ahead, the rows copied, then the keys and indexes built on the filled table (faster than
maintaining them row by row). A partitioned table's unique keys must hold the partition key:
the primary key becomes (id, occurred_at); a tap's id and time come together from the spool, so
a tap drained twice still meets its first copy.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03
"""

import datetime as dt

from alembic import op
from sqlalchemy import text

from server.services import tap_partitions

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

OLD = "taps_unpartitioned"
INDEXES = {
    "ix_taps_occurred_at": "occurred_at",
    "ix_taps_place_at": "place_id, occurred_at",
    "ix_taps_sticker_at": "sticker_id, occurred_at",
}
FOREIGN_KEYS = {
    "fk_taps_place_id_places": "(place_id) REFERENCES places (id)",
    "fk_taps_sticker_id_stickers": "(sticker_id) REFERENCES stickers (id)",
}


def _set_aside() -> None:
    """Rename the table and its indexes (index names are unique in the whole schema)."""
    op.execute(f"ALTER TABLE taps RENAME TO {OLD}")
    op.execute(f"ALTER INDEX pk_taps RENAME TO pk_{OLD}")
    for name in INDEXES:
        op.execute(f"ALTER INDEX {name} RENAME TO {name.replace('taps', OLD, 1)}")


def _keys_and_indexes(primary_key: str) -> None:
    op.execute(f"ALTER TABLE taps ADD CONSTRAINT pk_taps PRIMARY KEY ({primary_key})")
    for name, target in FOREIGN_KEYS.items():
        op.execute(f"ALTER TABLE taps ADD CONSTRAINT {name} FOREIGN KEY {target}")
    for name, columns in INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON taps ({columns})")


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "postgresql":
        return
    _set_aside()
    op.execute(
        f"CREATE TABLE taps (LIKE {OLD} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
        " PARTITION BY RANGE (occurred_at)"
    )
    now = dt.datetime.now(dt.UTC)
    oldest = connection.execute(text(f"SELECT min(occurred_at) FROM {OLD}")).scalar()
    newest = connection.execute(text(f"SELECT max(occurred_at) FROM {OLD}")).scalar()
    first = tap_partitions.month_of(min(oldest or now, now))
    last = tap_partitions.add_months(
        tap_partitions.month_of(max(newest or now, now)), tap_partitions.AHEAD_MONTHS
    )
    tap_partitions.create(connection, tap_partitions.months_between(first, last))
    op.execute(f"INSERT INTO taps SELECT * FROM {OLD}")
    op.execute(f"DROP TABLE {OLD}")
    _keys_and_indexes("id, occurred_at")


def downgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "postgresql":
        return
    _set_aside()
    op.execute(f"CREATE TABLE taps (LIKE {OLD} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
    op.execute(f"INSERT INTO taps SELECT * FROM {OLD}")
    op.execute(f"DROP TABLE {OLD}")  # its partitions go with it
    _keys_and_indexes("id")
