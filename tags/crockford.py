"""Crockford base32: the alphabet of short codes (readable aloud, QR alphanumeric friendly)."""

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

# Decoding is forgiving as Crockford specifies: lower case is accepted, the lookalikes O, I and L
# stand for 0, 1 and 1, and hyphens (used to group symbols when a code is read aloud) are ignored.
_DECODE = {symbol: value for value, symbol in enumerate(ALPHABET)}
_DECODE.update({"O": 0, "I": 1, "L": 1})


class DecodeError(ValueError):
    """A string holds a character that is not a Crockford base32 symbol."""


def encode(value: int, length: int) -> str:
    """Encode a non-negative integer as exactly `length` symbols, most significant first."""
    if value < 0 or value >> (5 * length):
        raise ValueError(f"{value} does not fit in {length} base32 symbols")
    return "".join(ALPHABET[(value >> (5 * i)) & 31] for i in reversed(range(length)))


def normalize(text: str) -> str:
    """Return the canonical upper-case spelling of `text`, or raise DecodeError."""
    # Only ASCII is read: str.upper() folds the dotless i and the long s into I and S, the sharp
    # s into SS and the fi ligature into FI, so characters outside the alphabet would spell codes.
    if not text.isascii():
        char = next(char for char in text if not char.isascii())
        raise DecodeError(f"{char!r} is not a Crockford base32 symbol (only ASCII is read)")
    out = []
    for char in text.upper():
        if char == "-":
            continue
        value = _DECODE.get(char)
        if value is None:
            raise DecodeError(f"{char!r} is not a Crockford base32 symbol")
        out.append(ALPHABET[value])
    return "".join(out)


def decode(text: str) -> int:
    """Decode symbols (canonical or not) into the integer they spell."""
    value = 0
    for char in normalize(text):
        value = (value << 5) | _DECODE[char]
    return value
