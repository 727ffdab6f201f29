"""QR codes as small inline SVG (the qrcode library computes the modules; runs become rects)."""

from __future__ import annotations

import functools

import qrcode
from markupsafe import Markup, escape

QUIET_ZONE = 4  # modules of white around the code, as the QR standard asks


@functools.lru_cache(maxsize=1024)
def qr_svg(data: str, label: str) -> Markup:
    """An SVG QR code of `data`, labelled for screen readers; it scales with its box (CSS)."""
    code = qrcode.QRCode(border=QUIET_ZONE, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                runs.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    size = len(matrix)
    return Markup(
        f'<svg class="qr" viewBox="0 0 {size} {size}" role="img" aria-label="{escape(label)}"'
        f' shape-rendering="crispEdges"><rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path d="{"".join(runs)}" fill="#000"/></svg>'
    )
