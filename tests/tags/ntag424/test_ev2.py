"""AuthenticateEV2First, both ends, against AN12196 §6.6 (Table 14) and §6.10 (Table 20)."""

import pytest

from tags.ntag424 import apdu, ev2
from tags.ntag424.aes import rotate_left
from tests.tags.ntag424 import vectors as v


def answer_apdu(data: bytes) -> bytes:
    return apdu.native(apdu.ADDITIONAL_FRAME, data)


@pytest.mark.parametrize(
    ("command", "key_no", "rnd_a", "challenge", "answer", "confirmation", "ti", "enc", "mac"),
    [
        (
            v.AUTH0_COMMAND,
            0,
            v.AUTH0_RND_A,
            v.AUTH0_CHALLENGE,
            v.AUTH0_ANSWER_APDU,
            v.AUTH0_CONFIRMATION,
            v.AUTH0_TI,
            v.AUTH0_ENC_KEY,
            v.AUTH0_MAC_KEY,
        ),
        (
            v.AUTH3_COMMAND,
            3,
            v.AUTH3_RND_A,
            v.AUTH3_CHALLENGE,
            v.AUTH3_ANSWER_APDU,
            v.AUTH3_CONFIRMATION,
            v.AUTH3_TI,
            v.AUTH3_ENC_KEY,
            v.AUTH3_MAC_KEY,
        ),
    ],
    ids=["key 0 (Table 14)", "key 3 (Table 20)"],
)
def test_reader_and_chip_reproduce_the_published_exchange(
    command, key_no, rnd_a, challenge, answer, confirmation, ti, enc, mac
):
    key = v.ZERO_KEY
    assert apdu.native(apdu.AUTHENTICATE_EV2_FIRST, bytes([key_no, 0])) == command
    # The reader's side.
    data, rnd_b = ev2.answer_challenge(key, challenge, rnd_a)
    assert answer_apdu(data) == answer
    session = ev2.finish(key, key_no, rnd_a, rnd_b, confirmation)
    assert session == ev2.Session(key_no=key_no, ti=ti, enc_key=enc, mac_key=mac)
    # The chip's side, with the chip's RndB and TI of the example.
    assert ev2.challenge(key, rnd_b) == challenge
    assert ev2.check_answer(key, rnd_b, data) == rnd_a
    assert ev2.confirmation(key, ti, rnd_a) == confirmation


def test_table14_random_numbers_and_rotation():
    # AN12196 §6.6, Table 14: RndB as the chip drew it, RndB' rotated left by one byte.
    _, rnd_b = ev2.answer_challenge(v.ZERO_KEY, v.AUTH0_CHALLENGE, v.AUTH0_RND_A)
    assert rnd_b == v.AUTH0_RND_B
    assert rotate_left(rnd_b) == bytes.fromhex("E2FC789B64BF237CCCAA20EC7E6E48B9")


def test_a_chip_without_the_key_is_refused_by_the_reader():
    with pytest.raises(ev2.AuthenticationError, match="RndA'"):
        ev2.finish(v.ZERO_KEY, 0, bytes(16), v.AUTH0_RND_B, v.AUTH0_CONFIRMATION)


def test_a_reader_without_the_key_is_refused_by_the_chip():
    wrong = bytes(range(16))
    data, _ = ev2.answer_challenge(wrong, v.AUTH0_CHALLENGE, v.AUTH0_RND_A)
    with pytest.raises(ev2.AuthenticationError, match="wrong key"):
        ev2.check_answer(v.ZERO_KEY, v.AUTH0_RND_B, data)
    shown = repr(ev2.Session(0, v.AUTH0_TI, v.AUTH0_ENC_KEY, v.AUTH0_MAC_KEY))
    assert "9D00C4DF" in shown and v.AUTH0_ENC_KEY.hex().upper() not in shown
