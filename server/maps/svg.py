"""What every SVG picture drawn on the server shares: the colours, a titled frame that scales
to its container, and text.

A picture names itself with <title> and aria-labelledby, and carries no script and no external
resource (the pages' CSP would refuse them anyway).
"""

from __future__ import annotations

import itertools

from markupsafe import escape

# Colours readable by people with the common colour-vision deficiencies (Okabe-Ito).
BLUE, ORANGE, GREY, GREEN = "#0072b2", "#d55e00", "#6b6b6b", "#009e73"
INK, RULE = "#1a1a1a", "#d0d0d0"
_ids = itertools.count(1)


def frame(title: str, width: int, height: int) -> list[str]:
    """The opening of a picture of `width` by `height` units, titled; close it with "</svg>"."""
    ident = f"chart-{next(_ids)}"
    return [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{ident}" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{ident}">{escape(title)}</title>'
    ]


def text(x: float, y: float, content: object, anchor: str = "start", size: int = 11) -> str:
    """Text at (x, y) in ink, anchored at its start, middle or end."""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'fill="{INK}">{escape(str(content))}</text>'
    )
