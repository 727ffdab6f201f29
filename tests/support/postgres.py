"""Find the PostgreSQL that storage tests run on, and decide between skipping and failing."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def postgres_url() -> str:
    """The SQLAlchemy URL of the test PostgreSQL (TAPTRAIL_TEST_POSTGRES_URL or the local one)."""
    return os.environ.get("TAPTRAIL_TEST_POSTGRES_URL", DEFAULT_URL)


def postgres_problem(url: str) -> str | None:
    """Why PostgreSQL at `url` cannot be used, in one line, or None when it answers."""
    parts = make_url(url)
    try:
        with admin_connection(url) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error)
        return f"{parts.host}:{parts.port or 5432} does not answer ({first_line})"
    return None


def missing_postgres_is_fatal(environ: Mapping[str, str] | None = None) -> bool:
    """In CI a missing PostgreSQL fails the run; elsewhere its tests are skipped."""
    environ = os.environ if environ is None else environ
    return bool(environ.get("CI"))


def admin_connection(url: str) -> psycopg.Connection:
    """An autocommit connection to the database at `url` (CREATE and DROP DATABASE need one)."""
    parts = make_url(url)
    return psycopg.connect(
        host=parts.host,
        port=parts.port or 5432,
        user=parts.username,
        password=parts.password,
        dbname=parts.database,
        autocommit=True,
        connect_timeout=3,
    )


def create_postgres_database(
    base_url: str, template: str | None = None, prefix: str = "taptrail_test_"
) -> str:
    """Create an empty (or copied) throwaway database next to `base_url`; return its URL."""
    name = f"{prefix}{secrets.token_hex(4)}"
    create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template:
        create += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
    with admin_connection(base_url) as admin:
        admin.execute(create)
    return make_url(base_url).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(base_url: str, url: str) -> None:
    """Drop a throwaway database, closing whatever still holds it."""
    with admin_connection(base_url) as admin:
        _drop(admin, make_url(url).database or "")


def drop_postgres_databases_like(base_url: str, pattern: str) -> None:
    """Drop every database whose name is LIKE `pattern`, closing whatever still holds them."""
    with admin_connection(base_url) as admin:
        found = admin.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", (pattern,))
        for (name,) in found.fetchall():
            _drop(admin, name)


def _drop(admin: psycopg.Connection, name: str) -> None:
    admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
