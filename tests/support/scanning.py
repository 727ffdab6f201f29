"""What a phone camera's QR scanner reads in an image: QR codes, and nothing else."""

from __future__ import annotations

import zxingcpp
from PIL import Image


def qr_codes(image: Image.Image) -> list[str]:
    """The text of each QR code found in `image`.

    Only QR codes are looked for, as a camera pointed at a label does: looking for every format,
    zxing once read a one-dimensional barcode ('5770') into a sheet of 24 labels' printed text
    and the set of codes read then had one too many."""
    return [
        found.text for found in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    ]
