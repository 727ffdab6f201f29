"""Fixtures shared by every test package."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from tests.support.compiled import forget_orm_compilations
from tests.support.postgres import missing_postgres_is_fatal, postgres_problem, postgres_url


@pytest.fixture
def runner() -> CliRunner:
    """A click runner for the command lines."""
    return CliRunner()


@pytest.fixture(scope="session")
def postgres() -> str:
    """The PostgreSQL URL for storage tests; skip without it, but fail in CI."""
    url = postgres_url()
    problem = postgres_problem(url)
    if problem:
        if missing_postgres_is_fatal():
            pytest.fail(f"CI needs PostgreSQL for the storage tests: {problem}", pytrace=False)
        pytest.skip(f"no PostgreSQL: {problem}")
    return url


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown() -> Iterator[None]:
    """After a test's fixtures are torn down, drop what its engine compiled (see compiled.py)."""
    yield
    forget_orm_compilations()
