"""Alembic environment: run with the connection or URL that server.migrate passes in."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from server.db import make_engine
from server.migrate import modelled
from server.models import Base

config = context.config


def run(connection: Connection) -> None:
    """Migrate over an open connection; batch mode lets SQLite alter tables by copying them."""
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=modelled,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    engine = make_engine(config.get_main_option("sqlalchemy.url", ""))
    try:
        with engine.connect() as opened:
            run(opened)
            opened.commit()
    finally:
        engine.dispose()
