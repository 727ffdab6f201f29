import json
import stat

from server.cli import main
from tags import codes
from tags.keyring import Keyring


def test_create_rotate_revoke_list(runner, tmp_path):
    path = tmp_path / "keys.json"
    created = runner.invoke(main, ["keys", "create", "--file", str(path)])
    assert created.exit_code == 0, created.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    first = Keyring.load(path)
    old_code = codes.issue(first, 5)

    rotated = runner.invoke(main, ["keys", "rotate", "--file", str(path)])
    assert "key 2 is now active" in rotated.output
    assert codes.verify(Keyring.load(path), old_code) == 5

    runner.invoke(main, ["keys", "revoke", "1", "--file", str(path)])
    listing = runner.invoke(main, ["keys", "list", "--file", str(path)])
    assert listing.output.split("\n")[:2] == ["1  revoked", "2  active"]
    secrets = [k["secret"] for k in json.loads(path.read_text())["keys"]]
    assert not any(secret in listing.output for secret in secrets)


def test_keyring_file_from_the_environment(runner, tmp_path):
    path = tmp_path / "k.json"
    env = {"TAPTRAIL_SIGNING_KEYS_FILE": str(path)}
    assert runner.invoke(main, ["keys", "create"], env=env).exit_code == 0
    assert runner.invoke(main, ["keys", "list"], env=env).output == "1  active\n"


def test_create_refuses_to_overwrite(runner, tmp_path):
    path = tmp_path / "k.json"
    runner.invoke(main, ["keys", "create", "--file", str(path)])
    before = path.read_text()
    result = runner.invoke(main, ["keys", "create", "--file", str(path)])
    assert result.exit_code == 1
    assert "already exists; use 'taptrail keys rotate'" in result.output
    assert path.read_text() == before


def test_revoking_the_active_key_is_refused_and_changes_nothing(runner, tmp_path):
    path = tmp_path / "k.json"
    runner.invoke(main, ["keys", "create", "--file", str(path)])
    before = path.read_text()
    result = runner.invoke(main, ["keys", "revoke", "1", "--file", str(path)])
    assert result.exit_code == 1
    assert "rotate first" in result.output
    assert path.read_text() == before


def test_no_keyring_named_says_how_to_name_one(runner):
    result = runner.invoke(main, ["keys", "list"], env={"TAPTRAIL_SIGNING_KEYS_FILE": ""})
    assert result.exit_code == 1
    assert "--file PATH or set TAPTRAIL_SIGNING_KEYS_FILE" in result.output


def test_keys_held_in_the_environment_cannot_be_rotated(runner):
    env = {"TAPTRAIL_SIGNING_KEYS": Keyring.create().to_json(), "TAPTRAIL_SIGNING_KEYS_FILE": ""}
    result = runner.invoke(main, ["keys", "rotate"], env=env)
    assert result.exit_code == 1
    assert "move them to a file" in result.output


def test_missing_file_is_reported(runner, tmp_path):
    result = runner.invoke(main, ["keys", "list", "--file", str(tmp_path / "none.json")])
    assert result.exit_code == 1
    assert "cannot read the keyring" in result.output


def test_the_keyring_commands_need_no_usable_server_settings(runner, tmp_path):
    # They edit a file: a keyring not written yet and a database URL that names no database
    # stop every command that builds the app, not these.
    path = tmp_path / "k.json"
    env = {"TAPTRAIL_SIGNING_KEYS_FILE": str(path), "TAPTRAIL_DATABASE_URL": "nonsense://x"}
    assert runner.invoke(main, ["keys", "create"], env=env).exit_code == 0
    assert runner.invoke(main, ["keys", "list"], env=env).output == "1  active\n"
