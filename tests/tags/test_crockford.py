import pytest
from hypothesis import given
from hypothesis import strategies as st

from tags import crockford


@given(st.integers(min_value=0, max_value=2**60 - 1))
def test_encode_decode_round_trip(value):
    assert crockford.decode(crockford.encode(value, 12)) == value


def test_alphabet_leaves_out_lookalikes_and_u():
    assert len(crockford.ALPHABET) == 32
    assert not set("ILOU") & set(crockford.ALPHABET)


def test_decoding_accepts_lower_case_lookalikes_and_hyphens():
    assert crockford.normalize("o1-il-ab") == "0111AB"
    assert crockford.decode("oO") == 0
    assert crockford.decode("Ll") == crockford.decode("11") == 33


@pytest.mark.parametrize("text", ["U", "*", "é", " 1", "A B"])
def test_decoding_refuses_non_symbols(text):
    with pytest.raises(crockford.DecodeError):
        crockford.decode(text)


def test_encode_refuses_values_that_do_not_fit():
    with pytest.raises(ValueError):
        crockford.encode(32, 1)
    with pytest.raises(ValueError):
        crockford.encode(-1, 3)
    assert crockford.encode(31, 1) == "Z"
