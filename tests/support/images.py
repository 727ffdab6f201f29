"""Images built without holding their pixels: huge declared sizes in a few hundred kilobytes."""

from __future__ import annotations

import struct
import zlib


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def blank_png(width: int, height: int, rows: int | None = None) -> bytes:
    """A transparent RGBA PNG of width x height, compressed row by row (never whole in memory).

    With `rows`, the header still declares `height` but only that many rows follow: a file
    whose header lies about its size.
    """
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    compressor = zlib.compressobj(9)
    row = b"\0" + bytes(4 * width)  # filter type 0, then the pixels
    data = b"".join(compressor.compress(row) for _ in range(height if rows is None else rows))
    data += compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", data)
        + _chunk(b"IEND", b"")
    )
