import pytest
from hypothesis import given
from hypothesis import strategies as st

from tags.urls import MirrorMode, MirrorValue, UrlError, parse_mirror, tap_url

CODE = "1000C1SS9CG22JXH6EK"


def test_tap_url_without_and_with_each_mirror():
    base = "https://t.example.org/"
    assert tap_url(base, CODE) == f"https://t.example.org/{CODE}"
    assert tap_url(base, CODE, MirrorMode.UID) == f"https://t.example.org/{CODE}?M=" + "0" * 14
    assert tap_url(base, CODE, MirrorMode.COUNTER) == f"https://t.example.org/{CODE}?M=000000"
    assert tap_url(base, CODE, MirrorMode.BOTH).endswith("?M=00000000000000x000000")
    assert [m.length for m in MirrorMode] == [14, 6, 21]


@pytest.mark.parametrize("base", ["t.example.org", "ftp://t.example.org", "https://x.org?a=1"])
def test_bad_base_urls_are_refused(base):
    with pytest.raises(UrlError, match="base URL"):
        tap_url(base, CODE)


def test_nxp_example_parses():
    value = parse_mirror("04E141124C2880x003F31")
    assert value == MirrorValue(uid=bytes.fromhex("04E141124C2880"), counter=0x003F31)
    assert value.uid_hex == "04E141124C2880"


@given(st.binary(min_size=7, max_size=7), st.integers(min_value=0, max_value=2**24 - 1))
def test_mirrored_values_round_trip(uid, counter):
    if uid == bytes(7):
        return
    both = f"{uid.hex().upper()}x{counter:06X}"
    assert parse_mirror(both) == MirrorValue(uid=uid, counter=counter)
    assert parse_mirror(uid.hex().upper()) == MirrorValue(uid=uid)
    if counter:
        assert parse_mirror(f"{counter:06X}") == MirrorValue(counter=counter)


def test_placeholders_mean_not_mirrored():
    for mode in MirrorMode:
        assert parse_mirror(mode.placeholder) is None


@pytest.mark.parametrize(
    "value",
    [
        "",
        "04E141124C2880y003F31",
        "04E141124C28G0x003F31",
        "04E141124C2880x003F3Z",
        "04E1",
        "x" * 21,
    ],
)
def test_malformed_mirror_values_are_refused(value):
    with pytest.raises(UrlError):
        parse_mirror(value)
