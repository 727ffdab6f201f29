import json
import stat

import pytest

from tags.keyring import ENV_FILE, ENV_JSON, Keyring, KeyringError, KeyState


def test_create_rotate_revoke_life_cycle():
    ring = Keyring.create()
    assert [k.state for k in ring.keys] == [KeyState.ACTIVE]
    rotated = ring.rotate()
    assert [(k.name, k.state) for k in rotated.keys] == [
        ("1", KeyState.VERIFY),
        ("2", KeyState.ACTIVE),
    ]
    assert rotated.active.secret != ring.active.secret
    revoked = rotated.revoke("1")
    assert revoked.by_name("1").state is KeyState.REVOKED
    # a revoked key id is never handed out again
    assert revoked.rotate().active.name == "3"


def test_the_active_key_cannot_be_revoked():
    with pytest.raises(KeyringError, match="rotate first"):
        Keyring.create().revoke("1")


def test_unknown_key_name_lists_the_known_ones():
    with pytest.raises(KeyringError, match="holds 1"):
        Keyring.create().by_name("7")


def test_file_round_trip_is_private(tmp_path):
    path = tmp_path / "keys.json"
    ring = Keyring.create().rotate()
    ring.save(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert Keyring.load(path) == ring


def test_environment_json_wins_over_file(tmp_path):
    from_file = Keyring.create()
    from_file.save(tmp_path / "k.json")
    from_env = Keyring.create()
    env = {ENV_JSON: from_env.to_json(), ENV_FILE: str(tmp_path / "k.json")}
    assert Keyring.from_env(env) == from_env
    assert Keyring.from_env({ENV_FILE: str(tmp_path / "k.json")}) == from_file


def test_missing_configuration_says_what_to_do():
    with pytest.raises(KeyringError, match="taptrail keys create"):
        Keyring.from_env({})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not a valid keyring"),
        ('{"keys": []}', "exactly one active key"),
        ('{"keys": [{"kid": "12", "state": "active", "secret": "AAAA"}]}', "one base32 symbol"),
        ('{"keys": [{"kid": "1", "state": "active", "secret": "AAAA"}]}', "at least 16 bytes"),
        (
            '{"keys": [{"kid": "1", "state": "sleepy", "secret": "' + "A" * 44 + '"}]}',
            "not a valid keyring",
        ),
    ],
)
def test_broken_keyrings_are_refused_with_a_reason(text, message):
    with pytest.raises(KeyringError, match=message):
        Keyring.from_json(text)


def test_two_active_keys_are_refused():
    ring = json.loads(Keyring.create().rotate().to_json())
    for key in ring["keys"]:
        key["state"] = "active"
    with pytest.raises(KeyringError, match="has 2"):
        Keyring.from_json(json.dumps(ring))


def test_repr_never_shows_a_secret():
    ring = Keyring.create()
    assert ring.active.secret.hex() not in repr(ring)
    assert "secret" not in repr(ring.active)


def test_unreadable_file_names_the_path(tmp_path):
    with pytest.raises(KeyringError, match=r"cannot read the keyring .*nope\.json"):
        Keyring.load(tmp_path / "nope.json")
