"""AN10922 key diversification against its published example, and the sticker key set."""

import pytest

from tags.ntag424 import keys
from tags.ntag424.aes import cmac, encrypt_block
from tests.tags.ntag424 import vectors as v


def test_an10922_example():
    # AN10922 §2.2.1: steps 2 to 4 (CMAC subkeys) and the diversified key of step 15.
    assert encrypt_block(v.AN10922_MASTER, bytes(16)) == v.AN10922_K0
    assert keys.cmac_subkeys(v.AN10922_MASTER) == (v.AN10922_K1, v.AN10922_K2)
    data = v.AN10922_UID + v.AN10922_AID + v.AN10922_SYSTEM
    assert keys.diversify(v.AN10922_MASTER, data) == v.AN10922_KEY


def test_padding_rule_differs_from_a_plain_cmac_for_short_inputs():
    master = v.AN10922_MASTER
    for length in range(16, 32):
        data = bytes(range(length))
        assert keys.diversify(master, data) == cmac(master, b"\x01" + data)
    for length in range(1, 16):
        data = bytes(range(length))
        assert keys.diversify(master, data) != cmac(master, b"\x01" + data)


@pytest.mark.parametrize("length", [0, 32])
def test_input_length_is_bounded(length):
    with pytest.raises(keys.DiversificationError, match="1 to 31 bytes"):
        keys.diversify(v.AN10922_MASTER, bytes(length))


def test_sticker_keys():
    master = bytes(range(16))
    uid_a, uid_b = bytes.fromhex("04A1B2C3D4E5F6"), bytes.fromhex("04A1B2C3D4E5F7")
    a, b = keys.sticker_keys(master, uid_a, 3), keys.sticker_keys(master, uid_b, 3)
    assert len(set(a.keys)) == keys.KEY_COUNT and keys.FACTORY_KEY not in a.keys
    # The meta read key is shared, so a verifier can decrypt PICC data before knowing the sticker.
    assert a.meta_read == b.meta_read
    assert all(a.keys[n] != b.keys[n] for n in (0, 1, 3, 4))
    assert a.file_read == keys.diversify(master, uid_a + b"\x01TapTrail")
    assert "keys=<secret>" in repr(a) and a.file_read.hex() not in repr(a)
    with pytest.raises(keys.DiversificationError):
        keys.sticker_keys(master, uid_a, 0)
    with pytest.raises(keys.DiversificationError):
        keys.sticker_key(master, uid_a[:4], 1)
