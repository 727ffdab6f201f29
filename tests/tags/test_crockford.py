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


@pytest.mark.parametrize(
    ("text", "folds_to"),
    [
        ("\u0131", "I"),  # dotless i
        ("\u017f", "S"),  # long s
        ("\u00df", "SS"),  # sharp s
        ("\ufb01", "FI"),  # fi ligature
        ("\ufb00", "FF"),  # ff ligature
        ("\uff11", "\uff11"),  # fullwidth digit one
    ],
)
def test_non_ascii_is_refused_even_where_upper_case_would_fold_it_into_the_alphabet(text, folds_to):
    assert text.upper() == folds_to  # what a forgiving reader must not rely on
    with pytest.raises(crockford.DecodeError, match="only ASCII"):
        crockford.normalize("AB" + text + "12")


def test_hyphens_still_group_symbols():
    assert crockford.normalize("1000-c1ss-9cg2-2jxh-6ek") == "1000C1SS9CG22JXH6EK"
