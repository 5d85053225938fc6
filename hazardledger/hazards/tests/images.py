"""Pictures that lie about their size, built in code: a PNG header claiming any width and
height, with a valid (tiny) body, so that only its size in pixels is wrong."""

from __future__ import annotations

import base64
import struct
import zlib


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width: int, height: int) -> bytes:
    """A PNG of a few dozen bytes whose header says ``width`` × ``height`` RGB pixels: the
    issue's 71-byte file claims 30000 × 30000. It verifies; decoding it would take gigabytes."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b""))
        + _chunk(b"IEND", b"")
    )


def png_claiming_data_url(width: int, height: int) -> str:
    return "data:image/png;base64," + base64.b64encode(png_claiming(width, height)).decode()
