import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tags import codes, crockford
from tags.codes import CodeError, Reason
from tags.keyring import Keyring, KeyState, SigningKey

tag_ids = st.integers(min_value=0, max_value=codes.MAX_TAG_ID)
secrets_ = st.binary(min_size=32, max_size=32)


def ring_of(*secrets: bytes, active: int = 0) -> Keyring:
    return Keyring(
        tuple(
            SigningKey(kid + 1, secret, KeyState.ACTIVE if kid == active else KeyState.VERIFY)
            for kid, secret in enumerate(secrets)
        )
    )


@given(tag_ids, secrets_)
def test_every_code_round_trips(tag_id, secret):
    ring = ring_of(secret)
    code = codes.issue(ring, tag_id)
    assert codes.verify(ring, code) == tag_id
    # lower case and Crockford lookalikes are the same code
    assert codes.verify(ring, code.lower().replace("0", "o").replace("1", "l")) == tag_id


@given(tag_ids, secrets_)
def test_code_fits_a_twenty_character_path_and_qr_alphanumeric(tag_id, secret):
    code = codes.issue(ring_of(secret), tag_id)
    assert len("/" + code) <= 20
    assert set(code) <= set(crockford.ALPHABET)
    assert code == code.upper()


def mutations(code: str):
    """Every single-symbol change, drop, insertion and adjacent swap that spells another code."""
    alphabet = crockford.ALPHABET
    for i, char in enumerate(code):
        for symbol in alphabet:
            if symbol != char:
                yield code[:i] + symbol + code[i + 1 :]
        yield code[:i] + code[i + 1 :]
    for i in range(len(code) + 1):
        for symbol in alphabet:
            yield code[:i] + symbol + code[i:]
    for i in range(len(code) - 1):
        if code[i] != code[i + 1]:
            yield code[:i] + code[i + 1] + code[i] + code[i + 2 :]


@settings(max_examples=12, deadline=None)
@given(st.lists(tag_ids, min_size=10, max_size=10, unique=True), secrets_, secrets_)
def test_no_mutation_of_a_valid_code_is_accepted(tag_ids_, secret, other_secret):
    # Two valid keys in the ring, so a changed key id also lands on a key that exists.
    ring = ring_of(secret, other_secret, active=1)
    tried = 0
    for tag_id in tag_ids_:
        code = codes.issue(ring, tag_id)
        for mutant in set(mutations(code)):
            tried += 1
            with pytest.raises(CodeError) as refused:
                codes.verify(ring, mutant)
            assert refused.value.reason in (
                Reason.MALFORMED,
                Reason.BAD_SIGNATURE,
                Reason.UNKNOWN_KEY,
            )
    assert tried >= 10_000


@given(tag_ids, secrets_, secrets_)
def test_a_code_signed_with_any_other_key_is_refused(tag_id, secret, other):
    if secret == other:
        return
    forged = codes.issue(ring_of(other), tag_id)
    with pytest.raises(CodeError) as refused:
        codes.verify(ring_of(secret), forged)
    assert refused.value.reason is Reason.BAD_SIGNATURE


def test_reasons_name_what_is_wrong():
    ring = Keyring.create()
    code = codes.issue(ring, 7)

    with pytest.raises(CodeError) as error:
        codes.verify(ring, code[:-1])
    assert error.value.reason is Reason.MALFORMED

    with pytest.raises(CodeError) as error:
        codes.verify(ring, code[:-1] + "U")
    assert error.value.reason is Reason.MALFORMED

    with pytest.raises(CodeError) as error:
        codes.verify(ring, "9" + code[1:])
    assert error.value.reason is Reason.UNKNOWN_KEY

    last = code[-1]
    with pytest.raises(CodeError) as error:
        codes.verify(ring, code[:-1] + ("0" if last != "0" else "1"))
    assert error.value.reason is Reason.BAD_SIGNATURE


def test_rotation_keeps_old_codes_valid_and_revocation_refuses_them():
    ring = Keyring.create()
    old = codes.issue(ring, 41)
    rotated = ring.rotate()
    new = codes.issue(rotated, 42)
    assert new[0] != old[0]
    assert codes.verify(rotated, old) == 41
    assert codes.verify(rotated, new) == 42

    revoked = rotated.revoke(old[0])
    with pytest.raises(CodeError) as error:
        codes.verify(revoked, old)
    assert error.value.reason is Reason.REVOKED_KEY
    assert codes.verify(revoked, new) == 42


def test_issue_refuses_tag_ids_outside_thirty_bits():
    ring = Keyring.create()
    assert codes.verify(ring, codes.issue(ring, codes.MAX_TAG_ID)) == 2**30 - 1
    with pytest.raises(ValueError):
        codes.issue(ring, 2**30)
    with pytest.raises(ValueError):
        codes.issue(ring, -1)


def test_mac_is_at_least_sixty_bits():
    assert codes.MAC_BITS >= 60


def test_verification_uses_constant_time_comparison(monkeypatch):
    calls = []
    real = codes.hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(codes.hmac, "compare_digest", spy)
    ring = Keyring.create()
    codes.verify(ring, codes.issue(ring, 3))
    assert len(calls) == 1


def test_canonical_spelling():
    ring = Keyring.create()
    code = codes.issue(ring, 99)
    assert codes.canonical(code.lower()) == code


def _code_with(ring: Keyring, spelled: str) -> str:
    """A valid code whose canonical spelling contains `spelled`."""
    return next(code for code in (codes.issue(ring, n) for n in range(100_000)) if spelled in code)


@pytest.mark.parametrize(
    ("canonical", "lookalike"),
    [
        ("1", "\u0131"),  # dotless i upper-cases to I, which reads as 1
        ("S", "\u017f"),  # long s upper-cases to S
        ("SS", "\u00df"),  # sharp s upper-cases to SS
        ("F1", "\ufb01"),  # the fi ligature upper-cases to FI
        ("FF", "\ufb00"),  # the ff ligature upper-cases to FF
        ("7", "\uff17"),  # fullwidth 7
    ],
)
def test_a_code_spelled_with_unicode_lookalikes_is_malformed(canonical, lookalike):
    ring = Keyring.create()
    code = _code_with(ring, canonical)
    with pytest.raises(CodeError) as error:
        codes.verify(ring, code.replace(canonical, lookalike, 1))
    assert error.value.reason is Reason.MALFORMED


@settings(max_examples=300)
@given(
    tag_ids,
    secrets_,
    st.characters(min_codepoint=0x80),
    st.integers(min_value=0, max_value=codes.CODE_LENGTH),
    st.booleans(),
)
def test_any_non_ascii_character_anywhere_makes_a_code_malformed(
    tag_id, secret, char, position, replace
):
    ring = ring_of(secret)
    code = codes.issue(ring, tag_id)
    spelled = code[:position] + char + code[position + replace :]
    with pytest.raises(CodeError) as error:
        codes.verify(ring, spelled)
    assert error.value.reason is Reason.MALFORMED
    # The forgiving ASCII rules still hold for the same code.
    forgiving = "-".join(code[i : i + 4] for i in range(0, len(code), 4)).lower()
    assert codes.verify(ring, forgiving.replace("0", "o").replace("1", "i")) == tag_id
