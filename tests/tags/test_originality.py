import pytest

from tags.originality import (
    NXP_NTAG21X_PUBLIC_KEY,
    VIRTUAL_PUBLIC_KEY,
    OriginalityError,
    verify_signature,
    virtual_signature,
)

# UIDs and READ_SIG answers of real NTAG21x chips, as published with NXP's key (AN11350).
REAL_CHIPS = [
    ("04E10CDA993C80", "8B76052EE42F5567BEB53238B3E3F9950707C0DCC956B5C5EFCFDB709B2D82B3"),
    ("04DB0BDA993C80", "6048EFD9417CD10F6B7F1818D471A7FE5B46868D2EABDC6307A1E0AAE139D8D0"),
    ("0453C652FE4A80", "EDFD3263E7DDB1730260B832605205FB40FB32D7BB06F1DB49F17706C2ED6727"),
]


@pytest.mark.parametrize(("uid", "signature"), REAL_CHIPS)
def test_real_chips_verify_with_nxps_key_only(uid, signature):
    uid, signature = bytes.fromhex(uid), bytes.fromhex(signature)
    assert verify_signature(uid, signature, NXP_NTAG21X_PUBLIC_KEY)
    assert not verify_signature(uid, signature, VIRTUAL_PUBLIC_KEY)
    other_uid = uid[:6] + bytes([uid[6] ^ 1])
    assert not verify_signature(other_uid, signature, NXP_NTAG21X_PUBLIC_KEY)


def test_virtual_signatures_verify_with_the_virtual_key_only():
    uid = bytes.fromhex("04E141124C2880")
    signature = virtual_signature(uid)
    assert len(signature) == 32
    assert signature == virtual_signature(uid)  # deterministic (RFC 6979)
    assert verify_signature(uid, signature, VIRTUAL_PUBLIC_KEY)
    assert not verify_signature(uid, signature, NXP_NTAG21X_PUBLIC_KEY)
    forged = signature[:31] + bytes([signature[31] ^ 1])
    assert not verify_signature(uid, forged, VIRTUAL_PUBLIC_KEY)


def test_shapes_are_checked():
    with pytest.raises(OriginalityError, match="7 bytes"):
        virtual_signature(b"\x04\x01")
    with pytest.raises(OriginalityError, match="32 bytes"):
        verify_signature(bytes(7), bytes(31), VIRTUAL_PUBLIC_KEY)
    with pytest.raises(OriginalityError, match="secp128r1"):
        verify_signature(bytes(7), bytes(32), b"\x04" + bytes(32))
