"""A server or command with an unusable setting refuses to start, in one sentence."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from server import create_app
from server.cli import main
from server.config import ConfigError, keyring
from tags.keyring import Keyring

NOT_A_DATABASE = (
    "Error: TAPTRAIL_DATABASE_URL cannot be used (Can't load plugin: sqlalchemy.dialects:nonsense)"
    ": give a URL like sqlite:////var/lib/taptrail/taptrail.db or "
    "postgresql+psycopg://USER@HOST/DATABASE\n"
)


def unreadable(tmp_path: Path) -> Path:
    """A keyring path no process can read, root included: it is a folder."""
    path = tmp_path / "keys.json"
    path.mkdir()
    return path


def test_create_app_refuses_an_unreadable_keyring(tmp_path):
    keys = unreadable(tmp_path)
    settings = {"SIGNING_KEYS_FILE": str(keys), "DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}"}
    with pytest.raises(ConfigError) as raised:
        create_app(settings)
    assert str(raised.value) == (
        f"TAPTRAIL_SIGNING_KEYS_FILE: cannot read the keyring {keys}: Is a directory; "
        "TapTrail cannot start without its keyring"
    )


@pytest.mark.parametrize(
    ("settings", "said"),
    [
        ({"SIGNING_KEYS": "{not json"}, "^TAPTRAIL_SIGNING_KEYS is not a valid keyring"),
        ({"SIGNING_KEYS_FILE": "/nowhere/keys.json"}, "^TAPTRAIL_SIGNING_KEYS_FILE: cannot read"),
        ({}, "^no signing keys: set TAPTRAIL_SIGNING_KEYS_FILE"),
    ],
    ids=["bad-json", "missing-file", "none"],
)
def test_create_app_refuses_a_bad_or_missing_keyring(tmp_path, monkeypatch, settings, said):
    monkeypatch.delenv("TAPTRAIL_SIGNING_KEYS", raising=False)
    monkeypatch.delenv("TAPTRAIL_SIGNING_KEYS_FILE", raising=False)
    with pytest.raises(ConfigError, match=said):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}", **settings})


@pytest.mark.parametrize(
    ("setting", "said"),
    [
        ("SIGNING_KEYS_FILE", "is not a keyring (not UTF-8 text); TapTrail cannot start"),
        ("SECRET_KEY_FILE", "is not a UTF-8 text file"),
        ("BRAND_FILE", "is not a UTF-8 text file"),
        ("MOBILITY_FEEDS", "is not a UTF-8 text file"),
    ],
)
def test_a_settings_file_that_is_not_text_is_refused_in_one_sentence(tmp_path, setting, said):
    binary = tmp_path / "given-by-mistake"
    binary.write_bytes(b"\x82\xff\x00" + os.urandom(4096))
    Keyring.create().save(tmp_path / "keys.json")
    settings = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}",
        "SIGNING_KEYS_FILE": str(tmp_path / "keys.json"),
        setting: str(binary),
    }
    with pytest.raises(ConfigError) as raised:
        create_app(settings)
    assert str(raised.value).startswith(f"TAPTRAIL_{setting}: {binary} {said}")


def _gunicorn(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The real gunicorn with TapTrail's settings; killed (and the test failed) if it serves."""
    command = [sys.executable, "-m", "gunicorn", "-c", "python:server.gunicorn_conf"]
    process = subprocess.Popen(
        [*command, "server:create_app()"],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        pytest.fail(f"gunicorn started with an unusable setting:\n{output}")
    return subprocess.CompletedProcess(command, process.returncode, output)


def _server_env(tmp_path: Path, keys: Path) -> dict[str, str]:
    return {
        "TAPTRAIL_SIGNING_KEYS_FILE": str(keys),
        "TAPTRAIL_SIGNING_KEYS": "",
        "TAPTRAIL_DATABASE_URL": f"sqlite:///{tmp_path / 'g.db'}",
        "TAPTRAIL_SECRET_KEY": "startup-test",
        "TAPTRAIL_SPOOL_DIR": str(tmp_path / "spool"),
        "TAPTRAIL_CACHE_DIR": str(tmp_path / "cache"),
        "TAPTRAIL_BIND": "127.0.0.1:0",
        "TAPTRAIL_WORKERS": "2",
        "TAPTRAIL_DRAIN_PROCESS": "0",
        "TAPTRAIL_ACCESS_LOG": "",
    }


def test_gunicorn_refuses_to_boot_with_an_unreadable_keyring(tmp_path):
    keys = unreadable(tmp_path)
    done = _gunicorn(_server_env(tmp_path, keys))
    assert done.returncode != 0
    assert (
        f"Error: TAPTRAIL_SIGNING_KEYS_FILE: cannot read the keyring {keys}: Is a directory; "
        "TapTrail cannot start without its keyring\n" in done.stdout
    )
    assert "Traceback" not in done.stdout


def test_gunicorn_refuses_to_boot_with_a_url_that_names_no_database(tmp_path):
    keys = tmp_path / "keys.json"
    Keyring.create().save(keys)
    done = _gunicorn({**_server_env(tmp_path, keys), "TAPTRAIL_DATABASE_URL": "nonsense://x"})
    assert done.returncode != 0
    assert NOT_A_DATABASE in done.stdout and "Traceback" not in done.stdout


@pytest.mark.parametrize("args", [["init-db"], ["users", "list"], ["tokens", "list"], ["routes"]])
def test_a_command_says_in_one_sentence_that_the_database_url_is_unusable(runner, args):
    env = {
        "TAPTRAIL_DATABASE_URL": "nonsense://x",
        "TAPTRAIL_SIGNING_KEYS": "",
        "TAPTRAIL_SIGNING_KEYS_FILE": "",
    }
    result = runner.invoke(main, args, env=env)
    assert result.exit_code == 1
    assert result.output == NOT_A_DATABASE


def test_the_keyring_may_be_given_as_json_in_the_environment(tmp_path, monkeypatch):
    ring = Keyring.create()
    monkeypatch.setenv("TAPTRAIL_SIGNING_KEYS", ring.to_json())  # Flask parses it as JSON
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}"})
    assert keyring(app) == ring
