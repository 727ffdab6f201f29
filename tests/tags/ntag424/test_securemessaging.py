"""CommMode.MAC and CommMode.FULL against AN12196's APDUs (sections named at each test)."""

import pytest

from tags.ntag424 import apdu
from tags.ntag424.aes import pad
from tags.ntag424.ev2 import Session
from tags.ntag424.filesettings import CommMode
from tags.ntag424.securemessaging import IntegrityError, SecureChannel, command_iv
from tests.tags.ntag424 import vectors as v


def channel(ti, enc, mac, counter=0, key_no=0):
    return SecureChannel(Session(key_no, ti, enc, mac), counter)


def send(chan, ins, header=b"", data=b"", mode=CommMode.FULL):
    return apdu.native(ins, chan.wrap(ins, header, data, mode))


def answer(chan, response, mode=CommMode.FULL):
    assert response[-2] == apdu.NATIVE_SW1
    return chan.unwrap(response[-1], response[:-2], mode)


def test_get_file_settings_in_mac_mode():
    # AN12196 §5.3: the command MAC, then the answer checked with CmdCtr + 1.
    chan = channel(v.MAC_EXAMPLE_TI, bytes(16), v.MAC_EXAMPLE_KEY)
    assert send(chan, apdu.GET_FILE_SETTINGS, b"\x02", mode=CommMode.MAC) == v.MAC_EXAMPLE_COMMAND
    response = v.MAC_EXAMPLE_SETTINGS + v.MAC_EXAMPLE_ANSWER_MAC + b"\x91\x00"
    assert answer(chan, response, CommMode.MAC) == v.MAC_EXAMPLE_SETTINGS
    assert chan.counter == 1


def test_write_data_in_full_mode():
    # AN12196 §5.4: 128 bytes of the NDEF file, right after Table 14's authentication.
    chan = channel(v.AUTH0_TI, v.AUTH0_ENC_KEY, v.AUTH0_MAC_KEY)
    header = b"\x02" + apdu.offset(0) + apdu.offset(128)
    assert send(chan, apdu.WRITE_DATA, header, v.WRITE_NDEF_PLAIN) == v.WRITE_NDEF_APDU
    assert answer(chan, v.WRITE_NDEF_ANSWER) == b""
    assert chan.counter == 1


def test_change_file_settings():
    # AN12196 §6.9: the second command of that session.
    chan = channel(v.AUTH0_TI, v.AUTH0_ENC_KEY, v.AUTH0_MAC_KEY, counter=1)
    assert command_iv(chan.session, 1) == v.CFS_IV
    assert send(chan, apdu.CHANGE_FILE_SETTINGS, b"\x02", v.CFS_DATA) == v.CFS_APDU
    assert answer(chan, v.CFS_ANSWER) == b""
    assert chan.counter == 2


def test_write_data_to_the_proprietary_file_after_authenticating_with_key_3():
    # AN12196 §6.12 (Table 22), in Table 20's session.
    chan = channel(v.AUTH3_TI, v.AUTH3_ENC_KEY, v.AUTH3_MAC_KEY, key_no=3)
    header = b"\x03" + apdu.offset(0) + apdu.offset(10)
    data = bytes.fromhex("0102030405060708090A")
    assert send(chan, apdu.WRITE_DATA, header, data) == v.WRITE3_APDU
    assert answer(chan, v.WRITE3_ANSWER) == b""


def test_change_key_other_than_the_authenticated_one():
    # AN12196 ChangeKey, case 1: key 02h, (NewKey XOR OldKey) || KeyVer || CRC32NK(NewKey).
    assert apdu.crc32nk(v.CK2_NEW_KEY) == v.CK2_CRC
    plain = apdu.change_key_data(2, 0, v.CK2_NEW_KEY, 0x01, old_key=bytes(16))
    assert pad(plain) == v.CK2_PADDED
    chan = channel(v.CK_TI, v.CK_ENC_KEY, v.CK_MAC_KEY, counter=2)
    assert command_iv(chan.session, 2) == v.CK2_IV
    assert send(chan, apdu.CHANGE_KEY, b"\x02", plain) == v.CK2_APDU
    assert answer(chan, v.CK2_ANSWER) == b""


def test_change_the_authenticated_key():
    # AN12196 ChangeKey, case 2: key 00h itself, NewKey || KeyVer; the chip then ends the session.
    plain = apdu.change_key_data(0, 0, v.CK0_NEW_KEY, 0x01)
    assert plain == v.CK0_NEW_KEY + b"\x01"
    chan = channel(v.CK_TI, v.CK_ENC_KEY, v.CK_MAC_KEY, counter=3)
    assert command_iv(chan.session, 3) == v.CK0_IV
    assert send(chan, apdu.CHANGE_KEY, b"\x00", plain) == v.CK0_APDU


def test_change_key_needs_the_old_key_for_other_keys():
    with pytest.raises(ValueError, match="old value"):
        apdu.change_key_data(2, 0, v.CK2_NEW_KEY, 0x01)


def test_get_card_uid_with_an_encrypted_answer():
    # AN12196 §7.3.
    chan = channel(v.UID_TI, v.UID_ENC_KEY, v.UID_MAC_KEY)
    assert send(chan, apdu.GET_CARD_UID) == v.UID_COMMAND
    assert answer(chan, v.UID_ANSWER) == v.UID_VALUE


def test_a_tampered_answer_is_refused_and_not_counted():
    chan = channel(v.AUTH0_TI, v.AUTH0_ENC_KEY, v.AUTH0_MAC_KEY, counter=1)
    forged = bytearray(v.CFS_ANSWER)
    forged[7] ^= 0x01
    with pytest.raises(IntegrityError, match="wrong MAC"):
        answer(chan, bytes(forged))
    assert chan.counter == 1
    with pytest.raises(IntegrityError, match="lacks its MAC"):
        chan.unwrap(0x00, b"\x01\x02")
