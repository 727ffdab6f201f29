"""A content version bumped by triggers, so kept place pages know when they are out of date

One row, one number: every insert, update or delete in a table the place page reads bumps it
(server.visitor.pagecache checks it with one SELECT per request). On PostgreSQL the triggers are
deferred constraint triggers: they run at COMMIT, so a long import holds the version's row lock
for the commit only, and they bump once per committing statement (every deferred trigger of a
transaction runs within its COMMIT: the first one bumps, the others see it was done). On SQLite
they are plain row triggers, one bump per row (an update of one row in the same transaction).

An offer's codes_issued counter changes at each code a visitor asks for; the place page shows
nothing of it (offer pages, which show "sold out", are never kept), so such updates leave the
version alone. No statement changes the counter together with what a page shows.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

# What the place page (and the pages it links to) shows: each change to these rows bumps.
TABLES = (
    "territories",
    "places",
    "shops",
    "points_of_interest",
    "offers",
    "events",
    "walks",
    "walk_stops",
    "transit_stops",
    "photos",
    "street_maps",
)
# An update of an offer that leaves its counter alone (a redemption changes nothing else).
OFFER_EDITED = "OLD.codes_issued IS NOT DISTINCT FROM NEW.codes_issued"
SQLITE_OFFER_EDITED = "OLD.codes_issued IS NEW.codes_issued"

PG_FUNCTION = """
CREATE FUNCTION content_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Deferred triggers all run within the COMMIT statement: bump once for it. (Run
    -- immediately, as tests do inside a rolled-back transaction, each statement bumps.)
    IF current_setting('taptrail.content_bumped', true) IS DISTINCT FROM
            statement_timestamp()::text THEN
        PERFORM set_config('taptrail.content_bumped', statement_timestamp()::text, true);
        UPDATE content_version SET version = version + 1;
    END IF;
    RETURN NULL;
END
$$
"""


def _postgresql() -> None:
    op.execute(PG_FUNCTION)
    for table in TABLES:
        events = "INSERT OR DELETE" if table == "offers" else "INSERT OR UPDATE OR DELETE"
        op.execute(
            f"CREATE CONSTRAINT TRIGGER content_changed AFTER {events} ON {table}"
            " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION content_changed()"
        )
    op.execute(
        "CREATE CONSTRAINT TRIGGER offer_edited AFTER UPDATE ON offers"
        f" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN ({OFFER_EDITED})"
        " EXECUTE FUNCTION content_changed()"
    )


def _sqlite() -> None:
    bump = "BEGIN UPDATE content_version SET version = version + 1; END"
    for table in TABLES:
        for event in ("INSERT", "UPDATE", "DELETE"):
            when = f" WHEN {SQLITE_OFFER_EDITED}" if (table, event) == ("offers", "UPDATE") else ""
            op.execute(
                f"CREATE TRIGGER content_{table}_{event.lower()} AFTER {event} ON {table}"
                f" FOR EACH ROW{when} {bump}"
            )


def upgrade() -> None:
    op.create_table(
        "content_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_version")),
    )
    op.execute("INSERT INTO content_version (id, version) VALUES (1, 0)")
    if op.get_bind().dialect.name == "postgresql":
        _postgresql()
    else:
        _sqlite()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER content_changed ON {table}")
        op.execute("DROP TRIGGER offer_edited ON offers")
        op.execute("DROP FUNCTION content_changed()")
    else:
        for table in TABLES:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER content_{table}_{event}")
    op.drop_table("content_version")
