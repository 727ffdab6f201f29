"""taptrail users: the first administrator, the list, a new password."""

from __future__ import annotations

import pytest

from server.cli import main
from tests.server.conftest import settings


@pytest.fixture
def environment(monkeypatch, tmp_path, sqlite_template, keyring):  # type: ignore[no-untyped-def]
    import shutil

    shutil.copy(sqlite_template, tmp_path / "taptrail.db")
    for name, value in settings(tmp_path, f"sqlite:///{tmp_path / 'taptrail.db'}", keyring).items():
        if isinstance(value, str):
            monkeypatch.setenv(f"TAPTRAIL_{name}", value)
    monkeypatch.setenv("TAPTRAIL_DRAIN_THREAD", "false")


def test_the_first_administrator_is_created_from_the_command_line(runner, environment):
    made = runner.invoke(
        main,
        ["users", "create", "--role", "administrator", "--email", "Boss@Example.org"],
        input="a long enough password\na long enough password\n",
    )
    assert made.exit_code == 0, made.output
    assert "created boss@example.org (administrator)" in made.output
    listed = runner.invoke(main, ["users", "list"])
    assert "boss@example.org  administrator  active" in listed.output
    assert "argon2" not in listed.output
    again = runner.invoke(
        main,
        ["users", "create", "--role", "staff", "--email", "boss@example.org"],
        input="a long enough password\na long enough password\n",
    )
    assert again.exit_code == 1 and "already an account" in again.output


def test_a_short_password_is_refused_and_nothing_is_created(runner, environment):
    made = runner.invoke(
        main,
        ["users", "create", "--role", "analyst", "--email", "a@example.org"],
        input="short\nshort\n",
    )
    assert made.exit_code == 1 and "at least 10 characters" in made.output
    assert "a@example.org" not in runner.invoke(main, ["users", "list"]).output


def test_a_new_password_from_the_command_line(runner, environment):
    runner.invoke(
        main,
        ["users", "create", "--role", "staff", "--email", "s@example.org"],
        input="first password is long\nfirst password is long\n",
    )
    changed = runner.invoke(
        main,
        ["users", "password", "s@example.org"],
        input="second password too\nsecond password too\n",
    )
    assert changed.exit_code == 0 and "sessions have ended" in changed.output
    assert (
        runner.invoke(
            main,
            ["users", "password", "nobody@example.org"],
            input="x" * 12 + "\n" + "x" * 12 + "\n",
        ).exit_code
        == 1
    )
