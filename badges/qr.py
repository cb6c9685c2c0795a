"""QR codes for badges, table cards and handouts: small 1-bit PNGs at print resolution.

The qrcode package spends most of its time trying all eight mask patterns (about 12 ms a code); any mask
gives a valid code that every reader decodes, so one fixed mask (and the version computed once per data
length) brings a code down to about a millisecond.
"""

from __future__ import annotations

import struct
import zlib
from functools import cache
from urllib.parse import quote, unquote

QUIET_ZONE = 4  # modules of white around the code, as the standard asks
MASK_PATTERN = 2
SCALE = 4  # pixels a module
# The URL scheme by which a print template asks the renderer's URL fetcher for a QR code.
SCHEME = "qr:"


@cache
def _version(length: int) -> int:
    """The smallest version that holds `length` bytes (every badge URL of an event has the same length, so
    the search runs once)."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, mask_pattern=MASK_PATTERN)
    code.add_data("x" * length)
    return int(code.best_fit())


def matrix(data: str) -> list[list[bool]]:
    """The code's modules (True is dark), quiet zone included; error correction M survives a crease."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    encoded = data.encode("utf-8")
    code = qrcode.QRCode(
        version=_version(len(encoded)), error_correction=ERROR_CORRECT_M, border=QUIET_ZONE, mask_pattern=MASK_PATTERN
    )
    code.add_data(encoded, optimize=0)
    code.make(fit=False)
    rows: list[list[bool]] = code.get_matrix()
    return rows


def png(data: str) -> bytes:
    """An 8-bit greyscale PNG of the code, four pixels a module (written directly: a few hundred bytes).

    At four pixels a module a 24 mm code has about 170 dpi, so a 150 dpi rendering scales it down (sharp
    module edges) where an upscaled one-pixel code would blur and stop decoding. Greyscale, because the
    renderer takes such a PNG as it is, where it would turn a 1-bit one into RGB and encode it twice."""
    rows = matrix(data)
    size = len(rows) * SCALE
    dark, light = b"\x00" * SCALE, b"\xff" * SCALE
    raw = b"".join((b"\x00" + b"".join(dark if d else light for d in row)) * SCALE for row in rows)
    header = struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw)) + _chunk(b"IEND", b"")


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def svg(data: str) -> str:
    """The code as inline SVG markup (one path), as a flowing HTML page would embed it."""
    rows = matrix(data)
    size = len(rows)
    path = "".join(f"M{x},{y}h1v1h-1z" for y, row in enumerate(rows) for x, dark in enumerate(row) if dark)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" shape-rendering="crispEdges">'
        f'<rect width="{size}" height="{size}" fill="#fff"/><path d="{path}" fill="#000"/></svg>'
    )


def src(data: str) -> str:
    """The image address a print template uses; the renderer makes the PNG when it lays out the page."""
    return SCHEME + quote(data, safe="")


def data_of(url: str) -> str:
    """What a `qr:` address encodes."""
    return unquote(url.removeprefix(SCHEME))
