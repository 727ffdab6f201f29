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


def test_an_account_is_exported_then_erased_from_the_command_line(runner, environment, tmp_path):
    import json
    import zipfile

    runner.invoke(
        main,
        ["users", "create", "--role", "analyst", "--email", "gone@example.org"],
        input="a long enough password\na long enough password\n",
    )
    out = tmp_path / "gone.zip"
    exported = runner.invoke(main, ["users", "export", "gone@example.org", str(out)])
    assert exported.exit_code == 0, exported.output
    account = json.loads(zipfile.ZipFile(out).read("account.json"))
    assert account["email"] == "gone@example.org"
    kept = runner.invoke(main, ["users", "erase", "gone@example.org"], input="n\n")
    assert (
        kept.exit_code == 1 and "gone@example.org" in runner.invoke(main, ["users", "list"]).output
    )
    erased = runner.invoke(main, ["users", "erase", "gone@example.org", "--yes"])
    assert erased.exit_code == 0, erased.output
    listed = runner.invoke(main, ["users", "list"]).output
    assert "gone@example.org" not in listed and "erased-account-" in listed
    again = runner.invoke(main, ["users", "erase", "gone@example.org", "--yes"])
    assert again.exit_code == 1 and "there is no account" in again.output
