"""Find the PostgreSQL that storage tests run on, and decide between skipping and failing."""

from __future__ import annotations

import os
from collections.abc import Mapping

import psycopg
from sqlalchemy.engine import make_url

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def postgres_url() -> str:
    """The SQLAlchemy URL of the test PostgreSQL (TAPTRAIL_TEST_POSTGRES_URL or the local one)."""
    return os.environ.get("TAPTRAIL_TEST_POSTGRES_URL", DEFAULT_URL)


def postgres_problem(url: str) -> str | None:
    """Why PostgreSQL at `url` cannot be used, in one line, or None when it answers."""
    parts = make_url(url)
    try:
        with psycopg.connect(
            host=parts.host,
            port=parts.port or 5432,
            user=parts.username,
            password=parts.password,
            dbname=parts.database,
            connect_timeout=3,
        ) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error)
        return f"{parts.host}:{parts.port or 5432} does not answer ({first_line})"
    return None


def missing_postgres_is_fatal(environ: Mapping[str, str] | None = None) -> bool:
    """In CI a missing PostgreSQL fails the run; elsewhere its tests are skipped."""
    environ = os.environ if environ is None else environ
    return bool(environ.get("CI"))
