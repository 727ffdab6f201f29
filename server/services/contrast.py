"""WCAG 2.x contrast: the relative luminance of sRGB colours and the ratio between two of them.

The formula is WCAG 2.2's own (definitions "relative luminance" and "contrast ratio"); the only
library on PyPI for it (wcag-contrast-ratio) has had no release since 2015, and the formula is
a few lines. tests/server/test_brand.py checks it against WCAG's published examples.
"""

from __future__ import annotations

import re

AA_NORMAL_TEXT = 4.5  # WCAG 2.x success criterion 1.4.3, level AA, text under 18 pt
WHITE = "#ffffff"
_HEX = re.compile(r"#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")


def parse_hex(value: str) -> tuple[int, int, int]:
    """(red, green, blue) of "#rrggbb" or "#rgb", or ValueError."""
    found = _HEX.fullmatch(value.strip())
    if not found:
        raise ValueError(f"{value!r} is not a colour like #0b57d0")
    digits = found.group(1)
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def normalised(value: str) -> str:
    """The colour as "#rrggbb", lower case."""
    return "#{:02x}{:02x}{:02x}".format(*parse_hex(value))


def _channel(value: int) -> float:
    srgb = value / 255
    # WCAG 2.x writes 0.03928 (from an old sRGB draft); 0.04045 gives the same result for
    # every 8-bit value, as no 8-bit value falls between the two.
    return srgb / 12.92 if srgb <= 0.04045 else ((srgb + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """The relative luminance of an sRGB colour, 0 (black) to 1 (white)."""
    red, green, blue = (_channel(v) for v in parse_hex(colour))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def ratio(first: str, second: str) -> float:
    """The contrast ratio of two colours, 1 to 21, whichever is lighter."""
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def shown(value: float, minimum: float = AA_NORMAL_TEXT) -> str:
    """A ratio as people read it ("4.48:1"); one more decimal when two would show a refused
    4.497 as the minimum itself."""
    two = f"{value:.2f}"
    if value < minimum and two == f"{minimum:.2f}":
        return f"{value:.3f}:1"
    return f"{two}:1"
