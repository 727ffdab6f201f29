"""SUN messages against AN12196's worked examples (section and table named at each test)."""

import os

import pytest

from tags.ntag424 import sun
from tags.ntag424.aes import ZERO_IV, cbc_decrypt, cmac
from tests.tags.ntag424 import vectors as v


def test_picc_data_decrypts_to_the_published_uid_and_counter():
    # AN12196 §3.4.2, Table 2.
    assert cbc_decrypt(v.ZERO_KEY, ZERO_IV, v.T2_PICC_DATA) == v.T2_PLAIN
    picc = sun.decrypt_picc_data(v.ZERO_KEY, v.T2_PICC_DATA)
    assert picc == sun.PiccData(uid=v.T2_UID, counter=v.T2_COUNTER)


def test_the_chip_side_encrypts_the_published_picc_data_back():
    # AN12196 §3.4.2, Table 2: the last five plaintext bytes are the chip's random filler.
    filler = v.T2_PLAIN[11:]
    assert sun.encrypt_picc_data(v.ZERO_KEY, v.T2_UID, v.T2_COUNTER, filler) == v.T2_PICC_DATA


def test_session_keys_from_a_non_zero_file_read_key():
    # AN12196 §3.3, Table 1.
    assert sun.session_vector(sun.SV_MAC_LABEL, v.T1_UID, v.T1_COUNTER) == v.T1_SV2
    keys = sun.session_keys(v.T1_FILE_READ_KEY, v.T1_UID, v.T1_COUNTER)
    assert keys == sun.SessionKeys(enc=v.T1_ENC_KEY, mac=v.T1_MAC_KEY)


def test_mac_over_an_empty_input():
    # AN12196 §3.4.4.2.1, Table 4: SDMMACInputOffset = SDMMACOffset.
    assert sun.session_keys(v.ZERO_KEY, v.T2_UID, v.T2_COUNTER).mac == v.T4_MAC_KEY
    assert sun.sdm_mac(v.ZERO_KEY, v.T2_UID, v.T2_COUNTER) == v.T4_MAC
    tap = sun.verify_sun(v.ZERO_KEY, v.ZERO_KEY, v.T2_PICC_DATA, v.T4_MAC)
    assert tap == sun.SunTap(uid=v.T2_UID, counter=61)


def test_mac_over_part_of_the_url_with_encrypted_file_data():
    # AN12196 §3.4.4.2.2, Table 5: the MAC covers "<SDMENCFileData>&cmac=".
    assert sun.session_keys(v.ZERO_KEY, v.T5_UID, v.T5_COUNTER).mac == v.T5_MAC_KEY
    assert sun.sdm_mac(v.ZERO_KEY, v.T5_UID, v.T5_COUNTER, v.T5_MAC_INPUT) == v.T5_MAC
    tap = sun.verify_sun(v.ZERO_KEY, v.ZERO_KEY, v.T5_PICC_DATA, v.T5_MAC, v.T5_MAC_INPUT, v.T5_ENC)
    assert (tap.uid, tap.counter) == (v.T5_UID, 8)
    # The same chip's file holds 16 "x" (Table 3); sdm-backend's test of this message agrees.
    assert tap.file_data == b"x" * 16
    with pytest.raises(sun.SunError, match="MAC does not match"):
        sun.verify_sun(v.ZERO_KEY, v.ZERO_KEY, v.T5_PICC_DATA, v.T5_MAC)  # input left out


def test_encrypted_file_data():
    # AN12196 §3.4.3, Table 3.
    keys = sun.session_keys(v.ZERO_KEY, v.T3_UID, v.T3_COUNTER)
    assert keys.enc == v.T3_ENC_KEY
    assert sun.file_data_iv(keys.enc, v.T3_COUNTER) == v.T3_IV
    assert sun.decrypt_file_data(v.ZERO_KEY, v.T3_UID, v.T3_COUNTER, v.T3_ENCRYPTED) == v.T3_PLAIN
    assert sun.encrypt_file_data(v.ZERO_KEY, v.T3_UID, v.T3_COUNTER, v.T3_PLAIN) == v.T3_ENCRYPTED


@pytest.mark.parametrize("position", range(sun.MAC_BYTES))
def test_any_change_to_the_mac_is_refused(position):
    mac = bytearray(v.T4_MAC)
    mac[position] ^= 0x01
    with pytest.raises(sun.SunError, match="MAC does not match"):
        sun.verify_sun(v.ZERO_KEY, v.ZERO_KEY, v.T2_PICC_DATA, bytes(mac))


def test_a_wrong_key_is_refused():
    other = bytes(range(16))
    with pytest.raises(sun.SunError):
        sun.verify_sun(other, v.ZERO_KEY, v.T2_PICC_DATA, v.T4_MAC)
    with pytest.raises(sun.SunError, match="MAC does not match"):
        sun.verify_sun(v.ZERO_KEY, other, v.T2_PICC_DATA, v.T4_MAC)


def test_the_file_read_key_may_depend_on_the_decrypted_uid():
    seen = []

    def key_of(uid):
        seen.append(uid)
        return v.ZERO_KEY

    assert sun.verify_sun(v.ZERO_KEY, key_of, v.T2_PICC_DATA, v.T4_MAC).counter == 61
    assert seen == [v.T2_UID]


def test_lrp_picc_data_is_refused_with_a_reason():
    # 24 bytes: PICCRand then LRICB ciphertext (AN12304), which this module does not do.
    with pytest.raises(sun.SunError, match=r"in LRP mode \(NXP AN12304\), which TapTrail does not"):
        sun.decrypt_picc_data(v.ZERO_KEY, bytes(24))
    with pytest.raises(sun.SunError, match="LRP mode"):
        sun.SunVerifier(v.ZERO_KEY).verify(lambda uid: None, bytes(24), bytes(8))  # type: ignore
    with pytest.raises(sun.SunError, match="16 bytes"):
        sun.decrypt_picc_data(v.ZERO_KEY, bytes(20))


def test_plain_mirror_variant():
    # Not from NXP: sdm-backend's demonstration tag (uid=041E3C8A2D6B80&ctr=000006, zero keys).
    uid = bytes.fromhex("041E3C8A2D6B80")
    counter = int("000006", 16)  # the ASCII mirror shows the counter most significant first
    tap = sun.verify_plain_sun(v.ZERO_KEY, uid, counter, bytes.fromhex("4B00064004B0B3D3"))
    assert tap == sun.SunTap(uid, 6)
    assert sun.counter_text(6) == "000006"
    with pytest.raises(sun.SunError):
        sun.verify_plain_sun(v.ZERO_KEY, uid, 7, bytes.fromhex("4B00064004B0B3D3"))


def test_round_trip_with_random_keys_and_the_session_key_is_a_cmac():
    meta, file_read = os.urandom(16), os.urandom(16)
    uid = bytes.fromhex("04A1B2C3D4E5F6")
    picc = sun.encrypt_picc_data(meta, uid, 0xABCDEF, os.urandom(5))
    mac = sun.sdm_mac(file_read, uid, 0xABCDEF, b"any text")
    assert sun.verify_sun(meta, file_read, picc, mac, b"any text").counter == 0xABCDEF
    vector = sun.SV_MAC_LABEL + uid + (0xABCDEF).to_bytes(3, "little")
    assert sun.session_keys(file_read, uid, 0xABCDEF).mac == cmac(file_read, vector)


def test_hex_fields_are_checked():
    assert sun.parse_hex("94eed9ee65337086", 8, "MAC") == v.T4_MAC
    for text in ("94EED9EE6533708", "94EED9EE6533708G", "+4EED9EE65337086", "\uff194EED9EE6533708"):
        with pytest.raises(sun.SunError, match="16 hexadecimal digits"):
            sun.parse_hex(text, 8, "MAC")


# --- the verifier that keeps its AES contexts (the server's), on the same published values ---


def test_the_kept_key_verifier_gives_an12196s_uid_and_counter():
    from tags.ntag424.aes import KeptKey

    verifier = sun.SunVerifier(v.ZERO_KEY)
    tap = verifier.verify(lambda uid: KeptKey(v.ZERO_KEY), v.T2_PICC_DATA, v.T4_MAC)
    assert (tap.uid, tap.counter) == (v.T2_UID, v.T2_COUNTER)
    with pytest.raises(sun.SunError, match="MAC does not match"):
        verifier.verify(lambda uid: KeptKey(v.ZERO_KEY), v.T2_PICC_DATA, v.T5_MAC)


def test_the_kept_key_verifier_checks_the_mac_over_the_file_data():
    from tags.ntag424.aes import KeptKey

    verifier = sun.SunVerifier(v.ZERO_KEY)
    tap = verifier.verify(
        lambda uid: KeptKey(v.ZERO_KEY), v.T5_PICC_DATA, v.T5_MAC, v.T5_MAC_INPUT, v.T5_ENC
    )
    assert (tap.uid, tap.counter) == (v.T5_UID, v.T5_COUNTER)
    expected = sun.verify_sun(
        v.ZERO_KEY, v.ZERO_KEY, v.T5_PICC_DATA, v.T5_MAC, v.T5_MAC_INPUT, v.T5_ENC
    )
    assert tap.file_data == expected.file_data


@pytest.mark.parametrize("length", range(0, 50))
def test_a_kept_key_cmac_is_the_cmac(length):
    from tags.ntag424.aes import KeptKey, cmac

    data = bytes(range(length))
    assert KeptKey(v.T1_FILE_READ_KEY).cmac(data) == cmac(v.T1_FILE_READ_KEY, data)
    # AN12196 Table 1: the session MAC key from SV2, one whole block.
    assert KeptKey(v.T1_FILE_READ_KEY).cmac(v.T1_SV2) == v.T1_MAC_KEY


@pytest.mark.parametrize(("uid", "counter"), [(v.T2_UID, None), (None, 5), (v.T2_UID, 0)])
def test_the_kept_key_verifier_reads_other_mirrors_as_verify_sun_does(uid, counter):
    # Its fast path reads the usual PICCDataTag (C7h: UID and counter) at fixed places; any
    # other mirror goes the general way, with the same answer as verify_sun.
    from tags.ntag424.aes import KeptKey

    filler = bytes(sun.PICC_DATA_BYTES - 1 - len(uid or b"") - (3 if counter is not None else 0))
    picc = sun.encrypt_picc_data(v.ZERO_KEY, uid, counter, filler)
    mac = sun.sdm_mac(v.T1_FILE_READ_KEY, uid, counter)
    tap = sun.SunVerifier(v.ZERO_KEY).verify(lambda _: KeptKey(v.T1_FILE_READ_KEY), picc, mac)
    assert tap == sun.verify_sun(v.ZERO_KEY, v.T1_FILE_READ_KEY, picc, mac)
    assert (tap.uid, tap.counter) == (uid, counter)
