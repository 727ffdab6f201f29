"""The migrations build exactly the models' schema, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import text

from server.db import make_engine
from server.migrate import current_revision, head_revision, schema_differences, upgrade
from tests.server.conftest import create_postgres_database, drop_postgres_database


def test_sqlite_migrations_match_the_models(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    assert schema_differences(engine) == []
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    engine.dispose()


def test_postgres_migrations_match_the_models(postgres):
    url = create_postgres_database(postgres)
    engine = make_engine(url)
    try:
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        assert schema_differences(engine) == []
    finally:
        engine.dispose()
        drop_postgres_database(postgres, url)
